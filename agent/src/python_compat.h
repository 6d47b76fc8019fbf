// Everything the agent knows about *which* CPython it runs in. The agent is compiled against the
// 3.11 headers and uses 3.11 struct layouts (type objects, str/int/list/set internals, the GC
// pre-header); the gate below is the one place that decides whether the running interpreter is one
// those layouts fit. Nothing may touch a CPython structure before runtimeIsSupported() said yes.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

static_assert(PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030c0000,
    "the agent's object layouts are those of CPython 3.11: build it against the 3.11 headers");

namespace gcscope::agent {

struct RuntimeVersion {
    std::uint32_t hex = 0; // Py_Version layout (0x030b02f0); 0 when this is not a CPython process
    int major = 0;
    int minor = 0;
    int micro = 0;
};

// Reads the running interpreter's version without running Python code or taking the GIL: the
// Py_Version constant (3.11+), else the Py_GetVersion() string (older versions), else 0.
RuntimeVersion readRuntimeVersion();

bool runtimeIsSupported(const RuntimeVersion& v);

// "Python 3.12.1 is not supported by this agent (3.11 only)", or why no Python was found.
std::string unsupportedRuntimeMessage(const RuntimeVersion& v);

// The interpreter's executable path (what sys.executable is initialised from) if it can be read
// without the GIL, else "". Only call for a supported runtime.
std::string executablePathWithoutGil();

// Bytes sys.getsizeof() adds in front of an object of this type (3.11: the GC header for GC types,
// two pointers for types whose instances keep a managed __dict__).
inline std::size_t preHeaderSize(PyTypeObject* type)
{
    std::size_t size = 0;
    if (type->tp_flags & Py_TPFLAGS_HAVE_GC)
        size += 2 * sizeof(std::uintptr_t); // PyGC_Head: _gc_next and _gc_prev (internal header)
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        size += 2 * sizeof(PyObject*);
    return size;
}

// int.__sizeof__ and str.__sizeof__ of 3.11 (str's representations change in 3.12).
std::size_t intSizeof(PyObject* o);
inline std::size_t intSizeofDigits(std::size_t digits) // an int of that many 30-bit digits
{
    return offsetof(PyLongObject, ob_digit) + (digits ? digits : 1) * sizeof(digit);
}
std::size_t strSizeof(PyObject* o);

// type.__sizeof__, code.__sizeof__ and frame.__sizeof__ of 3.11, computed without calling them
// (calling allocates an int per object, which a heap walk must not do).
std::size_t typeSizeof(PyObject* type);
std::size_t codeSizeof(PyObject* code);
std::size_t frameSizeof(PyObject* frame);

// ---- the collector's own view, for the heap snapshot ----
// Read from the 3.11 internal structures (python_compat_internals.cpp, the one file built with
// Py_BUILD_CORE); readInterpreterLayout() checks them against facts the public API gives before
// anything trusts them.

// The two words in front of every GC object (3.11's PyGC_Head). `next` is 0 while untracked.
struct GcHeader {
    std::uintptr_t next;
    std::uintptr_t prev;
};

inline GcHeader* gcHeaderOf(PyObject* o)
{
    return reinterpret_cast<GcHeader*>(o) - 1;
}
inline PyObject* objectOf(GcHeader* h)
{
    return reinterpret_cast<PyObject*>(h + 1);
}
inline GcHeader* nextInList(GcHeader* h)
{
    return reinterpret_cast<GcHeader*>(h->next);
}

// PyObject_IS_GC: the type says so and, for types (static ones have no GC header), tp_is_gc agrees.
inline bool isGcObject(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    return (type->tp_flags & Py_TPFLAGS_HAVE_GC) && (!type->tp_is_gc || type->tp_is_gc(o));
}
inline bool isTracked(PyObject* o)
{
    return isGcObject(o) && gcHeaderOf(o)->next != 0;
}

struct InterpreterLayout {
    GcHeader* generations[3] {}; // list heads, youngest first, as gc.get_objects() walks them
    GcHeader* permanent = nullptr; // gc.freeze()'s generation
    const int* collecting = nullptr; // non-zero while a collection runs (objects sit in its private lists)
    const int* youngCount = nullptr; // generation 0's count: allocations since its last collection
    const Py_ssize_t* longLivedTotal = nullptr; // objects that survived the last full collection
    const Py_ssize_t* longLivedPending = nullptr; // objects that survived younger collections since
    PyObject* modules = nullptr; // sys.modules as the interpreter holds it
    PyObject* builtins = nullptr; // the builtins module's dict
    PyInterpreterState* interpreter = nullptr;
};

// The main interpreter's collector lists and roots. Fails (with the reason) unless the internal
// layout agrees with the running interpreter: gc.callbacks and gc.garbage are where the layout
// says, generation0 points at the first list, the runtime pointer is _PyRuntime. GIL held.
bool readInterpreterLayout(PyObject* gcCallbacks, PyObject* gcGarbage, InterpreterLayout& out, std::string& error);

// About how many objects the lists hold, read without the GIL (racy on purpose: an estimate to size
// buffers ahead of a snapshot).
inline std::size_t estimatedTrackedObjects(const InterpreterLayout& layout)
{
    if (!layout.interpreter)
        return 0;
    const long long young = __atomic_load_n(layout.youngCount, __ATOMIC_RELAXED);
    const long long total = __atomic_load_n(layout.longLivedTotal, __ATOMIC_RELAXED)
        + __atomic_load_n(layout.longLivedPending, __ATOMIC_RELAXED) + (young > 0 ? young : 0);
    return total > 0 ? static_cast<std::size_t>(total) : 0;
}

inline bool listIsEmpty(GcHeader* head)
{
    return head->next == reinterpret_cast<std::uintptr_t>(head);
}

// Appends the frame objects that exist for every thread's current frame chain (3.11 creates them
// lazily: frames nobody asked for have none, and are not reported). Holds the runtime's thread-list
// lock while reading. GIL held.
void collectThreadFrameObjects(const InterpreterLayout& layout, std::vector<PyObject*>& out);

// The entries of a dict as dict_traverse visits them. With unicodeKeys only the values are
// visited; otherwise value then key for each entry with a value.
struct DictEntries {
    const char* entries = nullptr;
    std::size_t stride = 0; // bytes per entry
    std::size_t keyOffset = 0; // of me_key within an entry
    std::size_t valueOffset = 0; // of me_value within an entry
    PyObject* const* splitValues = nullptr; // split table: entry i's value
    Py_ssize_t count = 0; // dk_nentries
    bool unicodeKeys = false;

    PyObject* key(Py_ssize_t i) const
    {
        return *reinterpret_cast<PyObject* const*>(entries + i * static_cast<Py_ssize_t>(stride) + keyOffset);
    }
    PyObject* value(Py_ssize_t i) const
    {
        return splitValues
            ? splitValues[i]
            : *reinterpret_cast<PyObject* const*>(entries + i * static_cast<Py_ssize_t>(stride) + valueOffset);
    }
};
bool readDictEntries(PyObject* dict, DictEntries& out);
// The shared keys a heap type keeps for its instances' inline attribute values (keys only).
bool readCachedKeys(PyTypeObject* type, DictEntries& out);

// An instance's inline attribute values (3.11 managed dict, before any __dict__ exists), or null.
inline PyObject* const* inlineValues(PyObject* o)
{
    return *(reinterpret_cast<PyObject* const* const*>(o) - 4);
}
// Where the instance's __dict__ pointer lives (_PyObject_DictPointer; never creates the dict), or null.
PyObject** instanceDictSlot(PyObject* o);

// A frame's fields as frame_traverse and gen_traverse visit them.
struct InterpreterFrameView {
    PyObject* frameObject = nullptr;
    PyObject* locals = nullptr; // f_locals
    PyObject* function = nullptr;
    PyObject* code = nullptr;
    PyObject* const* localsPlus = nullptr;
    int stackTop = 0; // locals, cells and the value stack: localsPlus[0..stackTop)
    PyObject* localNames = nullptr; // co_localsplusnames (a tuple of str) naming the first entries
};
struct FrameView {
    PyObject* back = nullptr;
    PyObject* trace = nullptr;
    PyObject* code = nullptr;
    bool ownsData = false; // a finished frame: the data below is the frame object's and traversed with it
    InterpreterFrameView data;
};
bool readFrame(PyObject* frame, FrameView& out);

struct GeneratorView {
    PyObject* code = nullptr;
    PyObject* name = nullptr;
    PyObject* qualname = nullptr;
    bool hasFrame = false; // not cleared yet: its frame data is traversed
    InterpreterFrameView data;
    PyObject* excValue = nullptr;
};
bool readGenerator(PyObject* generator, GeneratorView& out);

PyObject* moduleName(PyObject* module); // md_name, may be null
PyObject* moduleDict(PyObject* module); // md_dict, may be null

} // namespace gcscope::agent
