"""RSS grows, tracked objects do not: memory allocated with the C allocator (as a C extension would)
and never freed. gcscope cannot see it in the heap; the report must say so honestly instead of
blaming a Python type."""
import ctypes

import leaklib

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
held = 0


def handle(rid):
    global held
    block = libc.malloc(256 * 1024)  # the pointer is dropped: only the C heap remembers it
    libc.memset(block, 1, 256 * 1024)  # touch the pages so they count in RSS
    held += 1


if __name__ == "__main__":
    leaklib.serve(handle, rate=40)
