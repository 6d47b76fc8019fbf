// CPython 3.11: the file that reads the *internal* structures (the collector's state, dict keys,
// frames, generators, modules, sizes). It is built with Py_BUILD_CORE so the internal headers
// describe the exact layouts; everything it exposes is declared in python_compat.h with plain types.
// Nothing here may reference a CPython symbol directly (the agent resolves the API with dlsym): only
// struct layouts, macros that read fields, and calls through py().
#define Py_BUILD_CORE 1
#define PY_SSIZE_T_CLEAN
#include <Python.h>
// The internal headers use C11 <stdatomic.h> when the build had it, which C++ cannot include.
// Their other branch (a plain word read with GCC builtins) has the same size and layout.
#undef HAVE_STD_ATOMIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic" // C's flexible array member in the dict keys
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_moduleobject.h>
#include <internal/pycore_runtime.h>
#pragma GCC diagnostic pop

#include "python_api.h"
#include "python_compat.h"
#include "versions/shared/function_visits_311.h"

#include <cstdlib>
#include <dlfcn.h>

namespace gcscope::agent {

static_assert(sizeof(GcHeader) == sizeof(PyGC_Head), "GcHeader mirrors 3.11's PyGC_Head");
static_assert(offsetof(PyDictUnicodeEntry, me_key) == 0 && offsetof(PyDictKeyEntry, me_key) == sizeof(Py_hash_t));

bool runtimeIsSupported(const RuntimeVersion& v)
{
    return v.major == 3 && v.minor == 11;
}

const char* agentForm()
{
    return "3.11";
}

bool interpreterFinalizing()
{
    return py()._Py_IsFinalizing() != 0;
}

namespace {

std::size_t roundUpToPointer(std::size_t n)
{
    return (n + sizeof(void*) - 1) & ~(sizeof(void*) - 1);
}

// _PyObject_VAR_SIZE
std::size_t varSize(PyTypeObject* type, Py_ssize_t items)
{
    if (items < 0)
        items = -items;
    return roundUpToPointer(static_cast<std::size_t>(type->tp_basicsize)
        + static_cast<std::size_t>(items) * static_cast<std::size_t>(type->tp_itemsize));
}

// dictobject.c's _PyDict_KeysSize (not exported).
std::size_t keysSize(PyDictKeysObject* keys)
{
    const std::size_t entrySize
        = keys->dk_kind == DICT_KEYS_GENERAL ? sizeof(PyDictKeyEntry) : sizeof(PyDictUnicodeEntry);
    const std::size_t slots = static_cast<std::size_t>(1) << keys->dk_log2_size;
    const std::size_t usable = (slots << 1) / 3; // USABLE_FRACTION
    return sizeof(PyDictKeysObject) + (static_cast<std::size_t>(1) << keys->dk_log2_index_bytes) + usable * entrySize;
}

void fillEntries(PyDictKeysObject* keys, DictEntries& out)
{
    out.count = keys->dk_nentries;
    out.unicodeKeys = DK_IS_UNICODE(keys);
    out.entries
        = reinterpret_cast<const char*>(keys->dk_indices) + (static_cast<std::size_t>(1) << keys->dk_log2_index_bytes);
    if (out.unicodeKeys) {
        out.stride = sizeof(PyDictUnicodeEntry);
        out.keyOffset = offsetof(PyDictUnicodeEntry, me_key);
        out.valueOffset = offsetof(PyDictUnicodeEntry, me_value);
    } else {
        out.stride = sizeof(PyDictKeyEntry);
        out.keyOffset = offsetof(PyDictKeyEntry, me_key);
        out.valueOffset = offsetof(PyDictKeyEntry, me_value);
    }
}

void fillInterpreterFrame(_PyInterpreterFrame* frame, InterpreterFrameView& out)
{
    out.frameObject = reinterpret_cast<PyObject*>(frame->frame_obj);
    out.locals = frame->f_locals;
    out.function = reinterpret_cast<PyObject*>(frame->f_func);
    out.code = reinterpret_cast<PyObject*>(frame->f_code);
    out.slots = frame->localsplus;
    out.slotCount = frame->stacktop;
    out.localNames = frame->f_code ? frame->f_code->co_localsplusnames : nullptr;
}

} // namespace

bool readInterpreterLayout(PyObject* gcCallbacks, PyObject* gcGarbage, InterpreterLayout& out, std::string& error)
{
    PyInterpreterState* interp = py().PyInterpreterState_Main();
    auto* runtime = static_cast<_PyRuntimeState*>(dlsym(RTLD_DEFAULT, "_PyRuntime"));
    if (!interp || !runtime) {
        error = "the interpreter state is not reachable";
        return false;
    }
    auto& gc = interp->gc;
    const char* misplaced = interp->runtime != runtime ? "its runtime pointer"
        : runtime->interpreters.main != interp         ? "the main interpreter"
        : gc.generation0 != &gc.generations[0].head    ? "gc.generation0"
        : gc.callbacks != gcCallbacks                  ? "gc.callbacks"
        : gc.garbage != gcGarbage                      ? "gc.garbage"
                                                       : nullptr;
    if (misplaced) {
        error = std::string("this interpreter's internal layout is not the one the agent was built for (") + misplaced
            + " is not where the agent expects it)";
        return false;
    }
    for (int g = 0; g < 3; ++g) {
        if (!listHeadIsSound(&gc.generations[g].head)) {
            error = "the collector's generation lists are inconsistent";
            return false;
        }
        out.generations[g] = reinterpret_cast<GcHeader*>(&gc.generations[g].head);
    }
    if (!listHeadIsSound(&gc.permanent_generation.head)) {
        error = "the collector's permanent generation is inconsistent";
        return false;
    }
    out.permanent = reinterpret_cast<GcHeader*>(&gc.permanent_generation.head);
    out.collecting = &gc.collecting;
    out.liveObjects = nullptr;
    out.youngCount = &gc.generations[0].count;
    out.longLivedTotal = &gc.long_lived_total;
    out.longLivedPending = &gc.long_lived_pending;
    out.modules = interp->modules;
    out.builtins = interp->builtins;
    out.interpreter = interp;
    return true;
}

void collectThreadFrameObjects(const InterpreterLayout& layout, std::vector<PyObject*>& out)
{
    PyInterpreterState* interp = layout.interpreter;
    // HEAD_LOCK: threads add and remove their states under it without the GIL.
    PyThread_type_lock lock = interp->runtime->interpreters.mutex;
    if (lock)
        py().PyThread_acquire_lock(lock, WAIT_LOCK);
    for (PyThreadState* thread = interp->threads.head; thread; thread = thread->next) {
        _PyInterpreterFrame* frame = thread->cframe ? thread->cframe->current_frame : nullptr;
        for (; frame; frame = frame->previous)
            if (frame->frame_obj)
                out.push_back(reinterpret_cast<PyObject*>(frame->frame_obj));
    }
    if (lock)
        py().PyThread_release_lock(lock);
}

bool readDictEntries(PyObject* dict, DictEntries& out)
{
    auto* mp = reinterpret_cast<PyDictObject*>(dict);
    if (!mp->ma_keys) { // dict_traverse would not survive it: nothing to visit
        out = {};
        return true;
    }
    fillEntries(mp->ma_keys, out);
    out.splitValues = mp->ma_values ? mp->ma_values->values : nullptr;
    return true;
}

bool readCachedKeys(PyTypeObject* type, DictEntries& out)
{
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return false;
    PyDictKeysObject* keys = reinterpret_cast<PyHeapTypeObject*>(type)->ht_cached_keys;
    if (!keys || !DK_IS_UNICODE(keys))
        return false;
    fillEntries(keys, out);
    out.splitValues = nullptr;
    return true;
}

namespace {
// _PyObject_DictPointer (never creates the dict), or null.
PyObject** dictSlot(PyObject* o)
{
    PyTypeObject* type = Py_TYPE(o);
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT)
        return reinterpret_cast<PyObject**>(o) - 3;
    Py_ssize_t offset = type->tp_dictoffset;
    if (offset == 0)
        return nullptr;
    if (offset < 0)
        offset += static_cast<Py_ssize_t>(varSize(type, Py_SIZE(o)));
    return reinterpret_cast<PyObject**>(reinterpret_cast<char*>(o) + offset);
}

// The values an instance keeps before any __dict__ exists (obj - 4 words), or null.
PyObject* const* valuesOf(PyObject* o)
{
    return *(reinterpret_cast<PyObject* const* const*>(o) - 4);
}
} // namespace

// subtype_traverse: _PyObject_VisitInstanceAttributes (as many values as the shared keys have
// entries), then the __dict__ slot when the class added one.
bool readInstanceAttributes(PyObject* o, bool visitsDictSlot, InstanceAttributes& out)
{
    out = {};
    PyTypeObject* type = Py_TYPE(o);
    if (type->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        out.values = valuesOf(o);
        if (out.values) {
            PyDictKeysObject* keys = reinterpret_cast<PyHeapTypeObject*>(type)->ht_cached_keys;
            if (!keys)
                return false;
            out.count = static_cast<std::size_t>(keys->dk_nentries);
        }
    }
    if (visitsDictSlot)
        if (PyObject** slot = dictSlot(o))
            out.dict = *slot;
    return true;
}

const void* instanceAttributesAddress(PyObject* o)
{
    PyObject* const* values = valuesOf(o);
    return values ? static_cast<const void*>(values) : *(reinterpret_cast<PyObject* const*>(o) - 3);
}

StackSlot frameSlot(const InterpreterFrameView& frame, int i)
{
    return { static_cast<PyObject* const*>(frame.slots)[i], true };
}

bool readFrame(PyObject* frame, FrameView& out)
{
    auto* f = reinterpret_cast<PyFrameObject*>(frame);
    _PyInterpreterFrame* data = f->f_frame;
    if (!data)
        return false;
    out.back = reinterpret_cast<PyObject*>(f->f_back);
    out.trace = f->f_trace;
    out.code = reinterpret_cast<PyObject*>(data->f_code);
    out.ownsData = data->owner == FRAME_OWNED_BY_FRAME_OBJECT;
    fillInterpreterFrame(data, out.data);
    return true;
}

bool readGenerator(PyObject* generator, GeneratorView& out)
{
    auto* gen = reinterpret_cast<PyGenObject*>(generator);
    out.code = reinterpret_cast<PyObject*>(gen->gi_code);
    out.name = gen->gi_name;
    out.qualname = gen->gi_qualname;
    out.hasFrame = gen->gi_frame_state < FRAME_CLEARED;
    if (out.hasFrame)
        fillInterpreterFrame(reinterpret_cast<_PyInterpreterFrame*>(gen->gi_iframe), out.data);
    out.excValue = gen->gi_exc_state.exc_value;
    return true;
}

std::size_t functionVisits(PyObject* function, FunctionVisit* out)
{
    return shared::functionVisits311(function, out);
}

std::size_t typeVisits(PyTypeObject* t, TypeVisit* out)
{
    std::size_t n = 0; // type_traverse's order (heap types only)
    out[n++] = { "__dict__", t->tp_dict };
    out[n++] = { "tp_cache", t->tp_cache };
    out[n++] = { "__mro__", t->tp_mro };
    out[n++] = { "__bases__", t->tp_bases };
    out[n++] = { "__base__", reinterpret_cast<PyObject*>(t->tp_base) };
    out[n++] = { "ht_module", reinterpret_cast<PyHeapTypeObject*>(t)->ht_module };
    return n;
}

PyObject* codeQualname(PyObject* code)
{
    return reinterpret_cast<PyCodeObject*>(code)->co_qualname;
}

PyObject* generatorQualname(PyObject* generator)
{
    return reinterpret_cast<PyGenObject*>(generator)->gi_qualname;
}

PyObject* heapTypeQualname(PyTypeObject* type)
{
    return reinterpret_cast<PyHeapTypeObject*>(type)->ht_qualname;
}

PyObject* heapTypeModule(PyTypeObject* type)
{
    return reinterpret_cast<PyHeapTypeObject*>(type)->ht_module;
}

PyObject* typeDict(PyTypeObject* type)
{
    return type->tp_dict;
}

PyObject* moduleName(PyObject* module)
{
    return reinterpret_cast<PyModuleObject*>(module)->md_name;
}

PyObject* moduleDict(PyObject* module)
{
    return reinterpret_cast<PyModuleObject*>(module)->md_dict;
}

std::size_t typeSizeof(PyObject* o)
{
    auto* type = reinterpret_cast<PyTypeObject*>(o);
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return sizeof(PyTypeObject);
    std::size_t size = sizeof(PyHeapTypeObject);
    if (PyDictKeysObject* keys = reinterpret_cast<PyHeapTypeObject*>(type)->ht_cached_keys)
        size += keysSize(keys);
    return size;
}

std::size_t codeSizeof(PyObject* o)
{
    // codeobject.c's _PyCodeObjectExtra: a count, then that many pointers.
    struct CodeExtra {
        Py_ssize_t size;
        void* extras[1];
    };
    auto* code = reinterpret_cast<PyCodeObject*>(o);
    std::size_t size = varSize(Py_TYPE(o), Py_SIZE(o));
    if (auto* extra = static_cast<CodeExtra*>(code->co_extra))
        size += sizeof(CodeExtra) + static_cast<std::size_t>(extra->size - 1) * sizeof(void*);
    return size;
}

std::size_t frameSizeof(PyObject* o)
{
    auto* frame = reinterpret_cast<PyFrameObject*>(o);
    std::size_t size = offsetof(PyFrameObject, _f_frame_data) + offsetof(_PyInterpreterFrame, localsplus);
    if (frame->f_frame && frame->f_frame->f_code) {
        PyCodeObject* code = frame->f_frame->f_code;
        size += static_cast<std::size_t>(code->co_nlocalsplus + code->co_stacksize) * sizeof(PyObject*);
    }
    return size;
}

// int.__sizeof__: the digits in use, at least one (zero owns a digit too).
std::size_t intSizeof(PyObject* o)
{
    return layout::intSizeofDigits(layout::intDigitCount(o));
}

// str.__sizeof__ with 3.11's representations: compact ASCII, compact, and the legacy two-block
// form (which str subclasses use), plus the wchar_t and UTF-8 caches when they own memory.
std::size_t strSizeof(PyObject* o)
{
    auto* ascii = reinterpret_cast<PyASCIIObject*>(o);
    auto* compact = reinterpret_cast<PyCompactUnicodeObject*>(o);
    const bool compactAscii = ascii->state.compact && ascii->state.ascii;
    const std::size_t length = static_cast<std::size_t>(ascii->length);
    const std::size_t kind = ascii->state.kind;
    const void* data = nullptr;
    std::size_t size;
    if (compactAscii) {
        size = sizeof(PyASCIIObject) + length + 1;
        data = ascii + 1;
    } else if (ascii->state.compact) {
        size = sizeof(PyCompactUnicodeObject) + (length + 1) * kind;
        data = compact + 1;
    } else {
        size = sizeof(PyUnicodeObject);
        data = reinterpret_cast<PyUnicodeObject*>(o)->data.any;
        if (data)
            size += (length + 1) * kind;
    }
    if (ascii->wstr && (!ascii->state.ready || ascii->wstr != data)) {
        std::size_t wstrLength = compactAscii ? length : static_cast<std::size_t>(compact->wstr_length);
        size += (wstrLength + 1) * sizeof(wchar_t);
    }
    if (!compactAscii && compact->utf8 && compact->utf8 != data)
        size += static_cast<std::size_t>(compact->utf8_length) + 1;
    return size;
}

std::size_t dictSizeof(PyObject* o)
{
    return static_cast<std::size_t>(py()._PyDict_SizeOf(reinterpret_cast<PyDictObject*>(o)));
}

} // namespace gcscope::agent
