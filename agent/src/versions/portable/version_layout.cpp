// The portable form's runtime side: which versions it serves and the facts it needs of each, and
// the interface of python_compat.h through the public C API (see version_layout.h for what that
// gives up). Nothing here reads an internal structure; nothing references a CPython symbol
// directly (everything goes through py() or dlsym).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gc_callback.h"
#include "python_api.h"
#include "python_compat.h"
#include "versions/shared/function_visits_311.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

namespace gcscope::agent {

namespace portable {
RuntimeFacts facts;

namespace {
// Objects the snapshot walks, from the last one (buffers are sized by it ahead of the next).
Py_ssize_t g_lastTracked = 0;
// The C __sizeof__ of dict, type, code and frame (method descriptors of those builtin types).
PyObject* g_dictSizeof = nullptr;
PyObject* g_typeSizeof = nullptr;
PyObject* g_codeSizeof = nullptr;
PyObject* g_frameSizeof = nullptr;
using GetDict = PyObject* (*)(PyTypeObject*);
GetDict g_typeGetDict = nullptr; // PyType_GetDict, 3.12+
using IsFinalizing = int (*)();
IsFinalizing g_isFinalizing = nullptr;

void setFacts(int minor)
{
    RuntimeFacts f;
    f.minor = minor;
    if (minor >= 12) {
        f.immortals = true;
        f.managedWeakrefFlag = true;
        f.staticTypesHavePreHeader = minor == 12; // sys.getsizeof checks tp_is_gc from 3.13
        f.intTag = true;
        f.asciiSize = 40;
        f.compactSize = 56;
        f.utf8LengthOffset = 40;
        f.utf8Offset = 48;
        f.hasWstr = false;
        f.legacyDataOffset = 56;
    }
    if (minor >= 14) {
        f.refcountIsLowHalf = true;
        f.immortalInitial = 3U << 30;
        f.tupleItemsOffset = 32;
    }
    facts = f;
}

std::size_t callSizeof(PyObject* descriptor, PyObject* o)
{
    if (!descriptor)
        return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize);
    PyObject* result = py().PyObject_CallOneArg(descriptor, o);
    const Py_ssize_t size = result ? py().PyLong_AsSsize_t(result) : -1;
    decref(result);
    if (size < 0) {
        py().PyErr_Clear();
        return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize);
    }
    return static_cast<std::size_t>(size);
}

// A borrowed reference to what `get` returned, which `owner` keeps alive (a name it holds).
PyObject* borrowed(PyObject* fresh)
{
    if (!fresh) {
        py().PyErr_Clear();
        return nullptr;
    }
    decref(fresh);
    return fresh;
}

// ---- the collector's lists ----
//
// No version publishes where its collector keeps its lists, but every GIL build from 3.11 to 3.15
// lays them out alike (docs/python-versions.md): three `struct gc_generation { PyGC_Head head; int
// threshold; int count; }` in a row (3.14.0 to 3.14.4: young, old[0], old[1]), then the permanent
// generation, at once (3.14+) or after a pointer to the first head (3.11 to 3.13: generation0), and
// a little further gc.garbage and gc.callbacks side by side (offsets, from the headers: generations
// at 24, 24, 20, 24 and 8 in 3.11, 3.12, 3.13, 3.14 and 3.15; the permanent one at 104, 104, 104,
// 96 and 80; gc.garbage at 208, 208, 208, 200 and 128). A container made now is tracked at the
// tail of the youngest list, so its header's next link is that list's head. The heads are found
// once and kept only when all of that holds: the new list is the youngest list's last node, every
// head is sound, and gc.garbage and gc.callbacks are where they should be. Otherwise (or with
// GCSCOPE_AGENT_ENUMERATE=1 in the target's environment, which keeps that way tested) a snapshot
// enumerates gc.get_objects().
struct CollectorLists {
    GcHeader* generations[3] {};
    GcHeader* permanent = nullptr;
};
constexpr std::size_t kGenerationBytes = sizeof(GcHeader) + 2 * sizeof(int);
constexpr std::size_t kStateBytesAfterYoungest = 256; // past gc.callbacks in every version
bool g_listsSearched = false;
bool g_listsFound = false;
CollectorLists g_lists;

GcHeader* headAt(GcHeader* youngest, std::size_t offset)
{
    return reinterpret_cast<GcHeader*>(reinterpret_cast<char*>(youngest) + offset);
}

bool searchCollectorLists(PyObject* gcGarbage, PyObject* gcCallbacks, CollectorLists& out)
{
    if (!gcGarbage || !gcCallbacks)
        return false;
    PyObject* probe = py().PyList_New(0);
    if (!probe) {
        py().PyErr_Clear();
        return false;
    }
    GcHeader* mine = gcHeaderOf(probe);
    GcHeader* youngest = nextInList(mine);
    const bool last = youngest && youngest != mine && previousInList(youngest) == mine;
    decref(probe); // untracked and freed: the heads stay where they are
    if (!last)
        return false;
    for (std::size_t g = 0; g < 3; ++g) {
        out.generations[g] = headAt(youngest, g * kGenerationBytes);
        if (!listHeadIsSound(out.generations[g]))
            return false;
    }
    // The generation0 pointer, when there is one, is at the next pointer-aligned place (3.13's
    // PyGC_Head is only 4-aligned: its generations start at offset 20, the pointer at 96).
    const char* state = reinterpret_cast<const char*>(youngest);
    const auto wordAt = [state](std::size_t offset) {
        std::uintptr_t word;
        std::memcpy(&word, state + offset, sizeof word);
        return word;
    };
    const auto youngestAddress = reinterpret_cast<std::uintptr_t>(youngest);
    std::size_t permanent = 3 * kGenerationBytes;
    for (std::size_t pad = 0; pad <= sizeof(int); pad += sizeof(int))
        if (wordAt(3 * kGenerationBytes + pad) == youngestAddress) {
            permanent += pad + sizeof(void*);
            break;
        }
    out.permanent = headAt(youngest, permanent);
    if (!listHeadIsSound(out.permanent))
        return false;
    for (std::size_t offset = permanent + kGenerationBytes; offset + 2 * sizeof(void*) <= kStateBytesAfterYoungest;
         offset += sizeof(int))
        if (wordAt(offset) == reinterpret_cast<std::uintptr_t>(gcGarbage)
            && wordAt(offset + sizeof(void*)) == reinterpret_cast<std::uintptr_t>(gcCallbacks))
            return true;
    return false;
}

// The lists, or null: the snapshot enumerates gc.get_objects(). GIL held.
const CollectorLists* collectorLists(PyObject* gcGarbage, PyObject* gcCallbacks)
{
    if (!g_listsSearched) {
        const char* enumerate = std::getenv("GCSCOPE_AGENT_ENUMERATE");
        g_listsFound = !(enumerate && *enumerate == '1') && searchCollectorLists(gcGarbage, gcCallbacks, g_lists);
        g_listsSearched = true;
    }
    if (!g_listsFound)
        return nullptr;
    for (GcHeader* head : g_lists.generations)
        if (!listHeadIsSound(head))
            return nullptr;
    return listHeadIsSound(g_lists.permanent) ? &g_lists : nullptr;
}

PyObject* sizeofOf(PyTypeObject* type)
{
    PyObject* descriptor = py().PyObject_GetAttrString(reinterpret_cast<PyObject*>(type), "__sizeof__");
    if (!descriptor) {
        py().PyErr_Clear();
        return nullptr;
    }
    if (!Py_IS_TYPE(descriptor, py().PyMethodDescr_Type)) {
        decref(descriptor);
        return nullptr;
    }
    return descriptor; // kept: a builtin type's own method, alive as long as the interpreter
}
} // namespace
} // namespace portable

using namespace portable;

bool runtimeIsSupported(const RuntimeVersion& v)
{
    // A free-threaded build exports the shared-refcount entry points; its objects are laid out otherwise.
    if (v.major != 3 || v.minor < 11 || v.minor > 15 || dlsym(RTLD_DEFAULT, "_Py_DecRefShared"))
        return false;
    setFacts(v.minor);
    g_typeGetDict = reinterpret_cast<GetDict>(dlsym(RTLD_DEFAULT, "PyType_GetDict"));
    g_isFinalizing
        = reinterpret_cast<IsFinalizing>(dlsym(RTLD_DEFAULT, v.minor >= 13 ? "Py_IsFinalizing" : "_Py_IsFinalizing"));
    return g_isFinalizing != nullptr;
}

const char* agentForm()
{
    return "portable";
}

bool interpreterFinalizing()
{
    return g_isFinalizing && g_isFinalizing() != 0;
}

bool portableIsTracked(const GcHeader* h)
{
    return py().PyObject_GC_IsTracked(objectOf(const_cast<GcHeader*>(h))) != 0;
}

bool readInterpreterLayout(PyObject* gcCallbacks, PyObject* gcGarbage, InterpreterLayout& out, std::string& error)
{
    out = {};
    PyInterpreterState* interp = py().PyInterpreterState_Main();
    PyObject* modules = py().PyImport_GetModuleDict();
    if (!interp || !modules || !PyDict_Check(modules)) {
        error = "the interpreter's modules are not reachable";
        return false;
    }
    out.modules = modules;
    if (PyObject* key = py().PyUnicode_InternFromString("builtins")) {
        PyObject* builtins = py().PyDict_GetItemWithError(modules, key);
        if (builtins && Py_IS_TYPE(builtins, py().PyModule_Type))
            out.builtins = py().PyModule_GetDict(builtins);
        decref(key);
    }
    py().PyErr_Clear();
    if (!g_dictSizeof) {
        g_dictSizeof = sizeofOf(py().PyDict_Type);
        g_typeSizeof = sizeofOf(py().PyType_Type);
        g_codeSizeof = sizeofOf(py().PyCode_Type);
        g_frameSizeof = sizeofOf(py().PyFrame_Type);
    }
    if (const CollectorLists* lists = collectorLists(gcGarbage, gcCallbacks)) {
        for (std::size_t g = 0; g < 3; ++g)
            out.generations[g] = lists->generations[g];
        out.permanent = lists->permanent;
    } else {
        out.enumerate = true; // the walk asks gc.get_objects()
    }
    out.collecting = collectionInProgress(); // our gc callback sees every collection start and stop
    out.liveObjects = &g_lastTracked;
    out.walkedObjects = &g_lastTracked;
    out.interpreter = interp;
    return true;
}

// Frame objects exist only where something asked for one; asking (PyThreadState_GetFrame) would
// make them. The portable form leaves them alone: locals show as references nobody explains.
void collectThreadFrameObjects(const InterpreterLayout&, std::vector<PyObject*>&) { }

// The entries in order (PyDict_Next: no allocation, no code), copied into a buffer this thread
// reuses, as if every key were a str (dict_traverse then visits values only): the labeller checks
// each name against the references tp_traverse really visited and stops at the first that differs.
bool readDictEntries(PyObject* dict, DictEntries& out)
{
    struct Entry {
        PyObject* key;
        PyObject* value;
    };
    static thread_local std::vector<Entry> entries;
    entries.clear();
    Py_ssize_t position = 0;
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    bool allStr = true;
    while (py().PyDict_Next(dict, &position, &key, &value)) {
        entries.push_back({ key, value });
        allStr = allStr && Py_IS_TYPE(key, py().PyUnicode_Type);
    }
    out = {};
    out.entries = reinterpret_cast<const char*>(entries.data());
    out.stride = sizeof(Entry);
    out.keyOffset = offsetof(Entry, key);
    out.valueOffset = offsetof(Entry, value);
    out.count = static_cast<Py_ssize_t>(entries.size());
    out.unicodeKeys = allStr;
    out.approximate = true;
    return true;
}

bool readCachedKeys(PyTypeObject*, DictEntries&)
{
    return false;
}

bool readInstanceAttributes(PyObject*, bool, InstanceAttributes& out)
{
    out = {};
    return false;
}

const void* instanceAttributesAddress(PyObject*)
{
    return nullptr;
}

StackSlot frameSlot(const InterpreterFrameView&, int)
{
    return {};
}

bool readFrame(PyObject*, FrameView&)
{
    return false;
}

bool readGenerator(PyObject*, GeneratorView&)
{
    return false;
}

std::size_t functionVisits(PyObject* function, FunctionVisit* out)
{
    return shared::functionVisits311(function, out);
}

// type_traverse's order (heap types), the same from 3.11 to 3.15: the first fields of PyTypeObject
// keep their places; the module through the public getter.
std::size_t typeVisits(PyTypeObject* t, TypeVisit* out)
{
    std::size_t n = 0;
    out[n++] = { "__dict__", t->tp_dict };
    out[n++] = { "tp_cache", t->tp_cache };
    out[n++] = { "__mro__", t->tp_mro };
    out[n++] = { "__bases__", t->tp_bases };
    out[n++] = { "__base__", reinterpret_cast<PyObject*>(t->tp_base) };
    out[n++] = { "ht_module", heapTypeModule(t) };
    return n;
}

// Each of these hands out a name its owner holds: the new reference is given back at once.
PyObject* moduleName(PyObject* module)
{
    return borrowed(py().PyModule_GetNameObject(module));
}

PyObject* moduleDict(PyObject* module)
{
    return py().PyModule_GetDict(module);
}

PyObject* codeQualname(PyObject* code)
{
    PyObject* name = borrowed(py().PyObject_GetAttrString(code, "co_qualname"));
    return name && PyUnicode_Check(name) ? name : nullptr;
}

PyObject* generatorQualname(PyObject* generator)
{
    PyObject* name = borrowed(py().PyObject_GetAttrString(generator, "__qualname__"));
    return name && PyUnicode_Check(name) ? name : nullptr;
}

PyObject* heapTypeQualname(PyTypeObject* type)
{
    return borrowed(py().PyType_GetQualName(type));
}

// ht_module sits after fields that differ between versions, and PyType_GetModule raises (makes
// an exception object mid-walk) for the many types without one: not read. type_traverse visits
// it last, so only its own name is missing.
PyObject* heapTypeModule(PyTypeObject*)
{
    return nullptr;
}

PyObject* typeDict(PyTypeObject* type)
{
    if (type->tp_dict)
        return type->tp_dict;
    // 3.12+ keep static builtin types' dicts in the interpreter.
    return g_typeGetDict ? borrowed(g_typeGetDict(type)) : nullptr;
}

std::size_t typeSizeof(PyObject* o)
{
    return callSizeof(g_typeSizeof, o);
}

std::size_t codeSizeof(PyObject* o)
{
    return callSizeof(g_codeSizeof, o);
}

std::size_t frameSizeof(PyObject* o)
{
    return callSizeof(g_frameSizeof, o);
}

std::size_t dictSizeof(PyObject* o)
{
    return callSizeof(g_dictSizeof, o);
}

std::size_t intSizeof(PyObject* o)
{
    return layout::intSizeofDigits(layout::intDigitCount(o));
}

// str.__sizeof__ natively (held leaves are measured without the GIL): compact ASCII, compact, or
// the legacy two-block form, plus the UTF-8 cache and (3.11) the wchar_t cache when they own memory.
std::size_t strSizeof(PyObject* o)
{
    const std::uint32_t state = strState(o);
    const bool compact = state >> 5 & 1, ascii = state >> 6 & 1;
    const bool compactAscii = compact && ascii;
    const auto length = static_cast<std::size_t>(layout::strLength(o));
    const auto kind = static_cast<std::size_t>(layout::strKind(o));
    const void* data = layout::strData(o);
    std::size_t size;
    if (compactAscii)
        size = facts.asciiSize + length + 1;
    else if (compact)
        size = facts.compactSize + (length + 1) * kind;
    else
        size = facts.legacyDataOffset + sizeof(void*) + (data ? (length + 1) * kind : 0);
    if (facts.hasWstr) {
        const bool ready = state >> 7 & 1;
        const void* wstr = fieldAt<const void*>(o, facts.wstrOffset);
        if (wstr && (!ready || wstr != data)) {
            const std::size_t wstrLength
                = compactAscii ? length : static_cast<std::size_t>(fieldAt<Py_ssize_t>(o, facts.wstrLengthOffset));
            size += (wstrLength + 1) * sizeof(wchar_t);
        }
    }
    if (!compactAscii) {
        const void* utf8 = fieldAt<const void*>(o, facts.utf8Offset);
        if (utf8 && utf8 != data)
            size += static_cast<std::size_t>(fieldAt<Py_ssize_t>(o, facts.utf8LengthOffset)) + 1;
    }
    return size;
}

} // namespace gcscope::agent
