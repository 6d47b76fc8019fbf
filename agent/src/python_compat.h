// Everything the agent knows about *which* CPython it runs in, behind one interface.
//
// The agent is built once per supported minor version, each time against that version's own
// headers (agent/CMakeLists.txt), and each build adds one folder of agent/src/versions/ to its
// include path: versions/pyXY/version_layout.h holds the inline, per-object parts (the GC header,
// reference counts, the pre-header, ints and strs) and versions/pyXY/version_layout.cpp the rest (the
// collector's state, dicts, frames, generators, sizes), read from that version's internal headers.
// Adding a version means adding a folder, not editing conditionals. versions/portable/ is the form
// for GIL builds with no exact build: public C API only, the few facts it needs decided at run time.
//
// Nothing may touch a CPython structure before runtimeIsSupported() said yes, and snapshots start
// only after readInterpreterLayout() has checked the layout against the running interpreter.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

} // namespace gcscope::agent

// The per-version inline parts (found through this build's include path).
#include "version_layout.h"

namespace gcscope::agent {

// Whether this build's layouts are those of the running interpreter's version (versions/*).
bool runtimeIsSupported(const RuntimeVersion& v);

// "Python 3.12.1 is not supported by the agent built for 3.11", or why no Python was found.
std::string unsupportedRuntimeMessage(const RuntimeVersion& v);

// Which form this build is: "3.11", "3.13", ..., or "portable".
const char* agentForm();

// The interpreter's executable path (what sys.executable is initialised from) if it can be read
// without the GIL, else "". Only call for a supported runtime.
std::string executablePathWithoutGil();

// Py_IsFinalizing() under whichever name this version exports it.
bool interpreterFinalizing();

// Sizes as __sizeof__ computes them (without the pre-header), natively: calling the method would
// allocate an int per object, which a heap walk must not do.
std::size_t intSizeof(PyObject* o);
std::size_t strSizeof(PyObject* o);
std::size_t typeSizeof(PyObject* type);
std::size_t codeSizeof(PyObject* code);
std::size_t frameSizeof(PyObject* frame);
std::size_t dictSizeof(PyObject* dict);

// A type's own dict (borrowed; static builtin types keep it in the interpreter from 3.12), or null.
PyObject* typeDict(PyTypeObject* type);

// ---- the collector's own view, for the heap snapshot ----

inline GcHeader* gcHeaderOf(PyObject* o)
{
    return reinterpret_cast<GcHeader*>(o) - 1;
}
inline PyObject* objectOf(GcHeader* h)
{
    return reinterpret_cast<PyObject*>(h + 1);
}

// PyObject_IS_GC: the type says so and, for types (static ones have no GC header), tp_is_gc agrees.
inline bool isGcObject(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    return (type->tp_flags & Py_TPFLAGS_HAVE_GC) && (!type->tp_is_gc || type->tp_is_gc(o));
}
inline bool isTracked(PyObject* o)
{
    return isGcObject(o) && gcHeaderIsTracked(gcHeaderOf(o));
}

struct InterpreterLayout {
    // Where the portable form has not found the list heads, the walk enumerates gc.get_objects()'s
    // list instead (`objects`, taken by the snapshot). It writes its count to walkedObjects (when
    // set) for the next estimate.
    bool enumerate = false;
    PyObject* objects = nullptr;
    bool objectsMayMissFrozen = true; // false when gc.freeze() holds nothing: every tracked object is listed
    Py_ssize_t* walkedObjects = nullptr;
    GcHeader* generations[3] {}; // list heads, youngest first, as gc.get_objects() walks them
    GcHeader* permanent = nullptr; // gc.freeze()'s generation
    const int* collecting = nullptr; // non-zero while a collection runs (objects sit in its private lists)
    const Py_ssize_t* liveObjects = nullptr; // the collector's count of live tracked objects (3.14+), or null
    const int* youngCount = nullptr; // generation 0's count: allocations since its last collection
    const Py_ssize_t* longLivedTotal = nullptr; // objects that survived the last full collection
    const Py_ssize_t* longLivedPending = nullptr; // objects that survived younger collections since
    PyObject* modules = nullptr; // sys.modules as the interpreter holds it
    PyObject* builtins = nullptr; // the builtins module's dict
    PyInterpreterState* interpreter = nullptr;
};

// The main interpreter's collector lists and roots. Fails (with the reason) unless the internal
// layout agrees with the running interpreter: gc.callbacks and gc.garbage are where the layout
// says, the list heads are sound, and (3.13+) the interpreter's own _Py_DebugOffsets agree with the
// offsets this build was compiled with. GIL held.
bool readInterpreterLayout(PyObject* gcCallbacks, PyObject* gcGarbage, InterpreterLayout& out, std::string& error);

// About how many objects the lists hold, read without the GIL (racy on purpose: an estimate to size
// buffers ahead of a snapshot).
inline std::size_t estimatedTrackedObjects(const InterpreterLayout& layout)
{
    if (!layout.interpreter)
        return 0;
    if (layout.liveObjects) {
        const long long live = __atomic_load_n(layout.liveObjects, __ATOMIC_RELAXED);
        return live > 0 ? static_cast<std::size_t>(live) : 0;
    }
    const long long young = __atomic_load_n(layout.youngCount, __ATOMIC_RELAXED);
    const long long total = __atomic_load_n(layout.longLivedTotal, __ATOMIC_RELAXED)
        + __atomic_load_n(layout.longLivedPending, __ATOMIC_RELAXED) + (young > 0 ? young : 0);
    return total > 0 ? static_cast<std::size_t>(total) : 0;
}

inline bool listIsEmpty(GcHeader* head)
{
    return nextInList(head) == head;
}

// Appends the frame objects that exist for every thread's current frame chain (frames are created
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
    // The entries as PyDict_Next gives them (the portable form): good for naming references that
    // tp_traverse found, not for finding them (whether keys are visited is the dict's secret).
    bool approximate = false;

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
// False when this form cannot read a dict's entries; `approximate` ones (the portable form) only
// name references: tp_traverse finds them.
bool readDictEntries(PyObject* dict, DictEntries& out);
// The shared keys a heap type keeps for its instances' inline attribute values (keys only).
bool readCachedKeys(PyTypeObject* type, DictEntries& out);

// What subtype_traverse visits of an instance's attributes, in order: `count` inline values (named
// by the class's shared keys, entry i for value i), then `dict` (its __dict__) when not null.
// `visitsDictSlot` is the class's plan (its tp_dictoffset differs from its base's).
struct InstanceAttributes {
    PyObject* const* values = nullptr;
    std::size_t count = 0;
    PyObject* dict = nullptr;
};
bool readInstanceAttributes(PyObject* o, bool visitsDictSlot, InstanceAttributes& out);
// Where an instance's attribute values or __dict__ live, for a prefetch (no checks), or null.
const void* instanceAttributesAddress(PyObject* o);

// A slot of a frame's locals and value stack. From 3.14 a slot may hold a borrowed reference (one
// the object's refcount does not count) or a tagged int (no object at all).
struct StackSlot {
    PyObject* object = nullptr; // null: empty, or not an object
    bool counted = true; // false: borrowed, not in the target's ob_refcnt
};

// A frame's fields as the frame's and the generator's traverse functions visit them.
struct InterpreterFrameView {
    PyObject* frameObject = nullptr;
    PyObject* locals = nullptr; // f_locals
    PyObject* function = nullptr;
    PyObject* code = nullptr;
    bool functionCounted = true; // false: a reference its refcount does not count (3.14+)
    bool codeCounted = true;
    const void* slots = nullptr; // localsplus[0..slotCount): locals, cells, then the value stack
    int slotCount = 0;
    PyObject* localNames = nullptr; // co_localsplusnames (a tuple of str) naming the first entries
};
StackSlot frameSlot(const InterpreterFrameView& frame, int i);

struct FrameView {
    PyObject* back = nullptr;
    PyObject* trace = nullptr;
    PyObject* extraLocals = nullptr; // f_extra_locals (3.13+)
    PyObject* localsCache = nullptr; // f_locals_cache (3.13+)
    PyObject* overwrittenLocals = nullptr; // f_overwritten_fast_locals (3.14+)
    PyObject* code = nullptr;
    bool ownsData = false; // a finished frame: the data below is the frame object's and traversed with it
    InterpreterFrameView data;
};
bool readFrame(PyObject* frame, FrameView& out);

struct GeneratorView {
    PyObject* code = nullptr; // visited first where the generator keeps its own (3.11)
    PyObject* name = nullptr;
    PyObject* qualname = nullptr;
    bool hasFrame = false; // not cleared yet: its frame data is traversed
    InterpreterFrameView data;
    PyObject* clearedCode = nullptr; // cleared: the code its frame still refers to (3.14+)
    bool clearedCodeCounted = true;
    PyObject* excValue = nullptr;
};
bool readGenerator(PyObject* generator, GeneratorView& out);

// A function's references in func_traverse's order (nulls included: skipped as Py_VISIT skips them).
enum class FunctionField : std::uint8_t {
    Code,
    Globals,
    Builtins,
    Module,
    Defaults,
    KwDefaults,
    Doc,
    Name,
    Dict,
    Closure,
    Annotations,
    Annotate,
    TypeParams,
    Qualname,
};
struct FunctionVisit {
    FunctionField field;
    PyObject* value;
};
constexpr std::size_t kMaxFunctionVisits = 16;
std::size_t functionVisits(PyObject* function, FunctionVisit* out);
// A heap type's references in type_traverse's order; names are the attributes'.
struct TypeVisit {
    const char* name;
    PyObject* value;
};
constexpr std::size_t kMaxTypeVisits = 8;
std::size_t typeVisits(PyTypeObject* type, TypeVisit* out);

PyObject* moduleName(PyObject* module); // md_name, may be null
PyObject* moduleDict(PyObject* module); // md_dict, may be null
PyObject* codeQualname(PyObject* code);
PyObject* generatorQualname(PyObject* generator);
PyObject* heapTypeQualname(PyTypeObject* type);
PyObject* heapTypeModule(PyTypeObject* type); // ht_module, may be null

} // namespace gcscope::agent
