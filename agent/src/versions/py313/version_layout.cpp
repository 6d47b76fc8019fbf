// CPython 3.13: the file that reads the *internal* structures (the collector's state, dict keys,
// frames, generators, modules, sizes), built with Py_BUILD_CORE against 3.13's own headers. Nothing
// here may reference a CPython symbol directly (the agent resolves the API with dlsym): only struct
// layouts, inline functions that read fields, and calls through py().
#define Py_BUILD_CORE 1
#define PY_SSIZE_T_CLEAN
#include <Python.h>
// The internal headers use C11 <stdatomic.h> when the build had it, which C++ cannot include.
// Their other branch (plain word reads with GCC builtins) has the same size and layout.
#undef HAVE_STD_ATOMIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic" // C's flexible array members
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_moduleobject.h>
#include <internal/pycore_object.h>
#include <internal/pycore_runtime.h>
#pragma GCC diagnostic pop

#include "python_api.h"
#include "python_compat.h"
#include "versions/shared/debug_offsets_check.h"
#include "versions/shared/head_lock.h"
#include "versions/shared/modern_objects.h"

#include <dlfcn.h>

namespace gcscope::agent {

static_assert(sizeof(GcHeader) == sizeof(PyGC_Head), "GcHeader mirrors 3.13's PyGC_Head");

bool runtimeIsSupported(const RuntimeVersion& v)
{
    return v.major == 3 && v.minor == 13;
}

const char* agentForm()
{
    return "3.13";
}

bool interpreterFinalizing()
{
    return py().Py_IsFinalizing() != 0;
}

namespace {

bool layoutAgrees(const _PyRuntimeState* runtime, std::string& error)
{
    const _Py_DebugOffsets& d = runtime->debug_offsets;
    const shared::OffsetCheck checks[] = {
        // Not the structures' sizes: builds with the JIT (-D_Py_TIER2) add fields at their ends.
        GCSCOPE_OFFSET(runtime_state.interpreters_head, offsetof(_PyRuntimeState, interpreters.head)),
        GCSCOPE_OFFSET(interpreter_state.threads_head, offsetof(PyInterpreterState, threads.head)),
        GCSCOPE_OFFSET(interpreter_state.gc, offsetof(PyInterpreterState, gc)),
        GCSCOPE_OFFSET(interpreter_state.imports_modules, offsetof(PyInterpreterState, imports.modules)),
        GCSCOPE_OFFSET(interpreter_state.builtins, offsetof(PyInterpreterState, builtins)),
        GCSCOPE_OFFSET(thread_state.next, offsetof(PyThreadState, next)),
        GCSCOPE_OFFSET(thread_state.current_frame, offsetof(PyThreadState, current_frame)),
        GCSCOPE_OFFSET(interpreter_frame.previous, offsetof(_PyInterpreterFrame, previous)),
        GCSCOPE_OFFSET(interpreter_frame.executable, offsetof(_PyInterpreterFrame, f_executable)),
        GCSCOPE_OFFSET(interpreter_frame.localsplus, offsetof(_PyInterpreterFrame, localsplus)),
        GCSCOPE_OFFSET(interpreter_frame.owner, offsetof(_PyInterpreterFrame, owner)),
        GCSCOPE_OFFSET(code_object.qualname, offsetof(PyCodeObject, co_qualname)),
        GCSCOPE_OFFSET(code_object.localsplusnames, offsetof(PyCodeObject, co_localsplusnames)),
        GCSCOPE_OFFSET(pyobject.ob_type, offsetof(PyObject, ob_type)),
        GCSCOPE_OFFSET(type_object.size, sizeof(PyTypeObject)),
        GCSCOPE_OFFSET(type_object.tp_flags, offsetof(PyTypeObject, tp_flags)),
        GCSCOPE_OFFSET(tuple_object.ob_item, offsetof(PyTupleObject, ob_item)),
        GCSCOPE_OFFSET(list_object.ob_item, offsetof(PyListObject, ob_item)),
        GCSCOPE_OFFSET(dict_object.ma_keys, offsetof(PyDictObject, ma_keys)),
        GCSCOPE_OFFSET(dict_object.ma_values, offsetof(PyDictObject, ma_values)),
        GCSCOPE_OFFSET(long_object.lv_tag, offsetof(PyLongObject, long_value.lv_tag)),
        GCSCOPE_OFFSET(long_object.ob_digit, offsetof(PyLongObject, long_value.ob_digit)),
        GCSCOPE_OFFSET(unicode_object.asciiobject_size, sizeof(PyASCIIObject)),
        GCSCOPE_OFFSET(gc.size, sizeof(struct _gc_runtime_state)),
        GCSCOPE_OFFSET(gc.collecting, offsetof(struct _gc_runtime_state, collecting)),
    };
    return shared::debugOffsetsAgree(d, checks, error);
}

// The three generation lists. A 3.13 patch release declared PyGC_Head 4-byte aligned
// (Py_ALIGNED(1 << _PyObject_ALIGNMENT_SHIFT)), which moved them from offset 24 to 20 of
// _gc_runtime_state; nothing else there moved (generation0 and everything after it stayed). These
// headers have one placement, the running interpreter may have the other: generation0, which points
// at the first list, says which. Null when it points at neither.
struct gc_generation* generationLists(struct _gc_runtime_state& gc)
{
    auto* compiled = reinterpret_cast<char*>(&gc.generations[0]);
    auto* first = reinterpret_cast<char*>(gc.generation0);
    static_assert(offsetof(struct gc_generation, head) == 0);
    if (first == compiled || first == compiled + 4 || first == compiled - 4)
        return reinterpret_cast<struct gc_generation*>(first);
    return nullptr;
}

void fillInterpreterFrame(_PyInterpreterFrame* frame, InterpreterFrameView& out)
{
    out.frameObject = reinterpret_cast<PyObject*>(frame->frame_obj);
    out.locals = frame->f_locals;
    out.function = frame->f_funcobj;
    out.code = frame->f_executable;
    out.slots = frame->localsplus;
    out.slotCount = frame->stacktop;
    out.localNames = out.code && Py_IS_TYPE(out.code, py().PyCode_Type)
        ? reinterpret_cast<PyCodeObject*>(out.code)->co_localsplusnames
        : nullptr;
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
    if (!layoutAgrees(runtime, error))
        return false;
    auto& gc = interp->gc;
    struct gc_generation* generations = generationLists(gc);
    const char* misplaced = interp->runtime != runtime ? "its runtime pointer"
        : runtime->interpreters.main != interp         ? "the main interpreter"
        : !generations                                 ? "gc.generation0"
        : gc.callbacks != gcCallbacks                  ? "gc.callbacks"
        : gc.garbage != gcGarbage                      ? "gc.garbage"
                                                       : nullptr;
    if (misplaced) {
        error = std::string("this interpreter's internal layout is not the one the agent was built for (") + misplaced
            + " is not where the agent expects it)";
        return false;
    }
    for (int g = 0; g < 3; ++g) {
        if (!listHeadIsSound(&generations[g].head)) {
            error = "the collector's generation lists are inconsistent";
            return false;
        }
        out.generations[g] = reinterpret_cast<GcHeader*>(&generations[g].head);
    }
    if (!listHeadIsSound(&gc.permanent_generation.head)) {
        error = "the collector's permanent generation is inconsistent";
        return false;
    }
    out.permanent = reinterpret_cast<GcHeader*>(&gc.permanent_generation.head);
    out.collecting = &gc.collecting;
    out.liveObjects = nullptr;
    out.youngCount = &generations[0].count;
    out.longLivedTotal = &gc.long_lived_total;
    out.longLivedPending = &gc.long_lived_pending;
    out.modules = interp->imports.modules;
    out.builtins = interp->builtins;
    out.interpreter = interp;
    return true;
}

void collectThreadFrameObjects(const InterpreterLayout& layout, std::vector<PyObject*>& out)
{
    PyInterpreterState* interp = layout.interpreter;
    shared::HeadLock lock(&interp->runtime->interpreters.mutex);
    if (!lock.held())
        return; // a thread is being created or ended right now: no running frames this time
    for (PyThreadState* thread = interp->threads.head; thread; thread = thread->next)
        for (_PyInterpreterFrame* frame = thread->current_frame; frame; frame = frame->previous)
            if (frame->owner != FRAME_OWNED_BY_CSTACK && frame->frame_obj)
                out.push_back(reinterpret_cast<PyObject*>(frame->frame_obj));
}

bool readDictEntries(PyObject* dict, DictEntries& out)
{
    return shared::readDictEntries(dict, out);
}

bool readCachedKeys(PyTypeObject* type, DictEntries& out)
{
    return shared::readCachedKeys(type, out);
}

bool readInstanceAttributes(PyObject* o, bool visitsDictSlot, InstanceAttributes& out)
{
    return shared::readInstanceAttributes(o, visitsDictSlot, out);
}

const void* instanceAttributesAddress(PyObject* o)
{
    return shared::instanceAttributesAddress(o);
}

StackSlot frameSlot(const InterpreterFrameView& frame, int i)
{
    return { static_cast<PyObject* const*>(frame.slots)[i], true };
}

// frame_traverse: f_back, f_trace, f_extra_locals, f_locals_cache, then the frame data it owns.
bool readFrame(PyObject* frame, FrameView& out)
{
    auto* f = reinterpret_cast<PyFrameObject*>(frame);
    _PyInterpreterFrame* data = f->f_frame;
    if (!data)
        return false;
    out.back = reinterpret_cast<PyObject*>(f->f_back);
    out.trace = f->f_trace;
    out.extraLocals = f->f_extra_locals;
    out.localsCache = f->f_locals_cache;
    out.code = data->f_executable;
    out.ownsData = data->owner == FRAME_OWNED_BY_FRAME_OBJECT;
    fillInterpreterFrame(data, out.data);
    return true;
}

// gen_traverse: name, qualname, the frame unless cleared, the exception state.
bool readGenerator(PyObject* generator, GeneratorView& out)
{
    auto* gen = reinterpret_cast<PyGenObject*>(generator);
    auto* frame = reinterpret_cast<_PyInterpreterFrame*>(gen->gi_iframe);
    out.code = nullptr;
    out.name = gen->gi_name;
    out.qualname = gen->gi_qualname;
    out.hasFrame = gen->gi_frame_state != FRAME_CLEARED;
    if (out.hasFrame)
        fillInterpreterFrame(frame, out.data);
    out.excValue = gen->gi_exc_state.exc_value;
    return true;
}

std::size_t functionVisits(PyObject* function, FunctionVisit* out)
{
    auto* f = reinterpret_cast<PyFunctionObject*>(function); // func_traverse's order
    const FunctionVisit visits[] = {
        { FunctionField::Code, f->func_code },
        { FunctionField::Globals, f->func_globals },
        { FunctionField::Builtins, f->func_builtins },
        { FunctionField::Module, f->func_module },
        { FunctionField::Defaults, f->func_defaults },
        { FunctionField::KwDefaults, f->func_kwdefaults },
        { FunctionField::Doc, f->func_doc },
        { FunctionField::Name, f->func_name },
        { FunctionField::Dict, f->func_dict },
        { FunctionField::Closure, f->func_closure },
        { FunctionField::Annotations, f->func_annotations },
        { FunctionField::TypeParams, f->func_typeparams },
        { FunctionField::Qualname, f->func_qualname },
    };
    std::size_t n = 0;
    for (const FunctionVisit& v : visits)
        out[n++] = v;
    return n;
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

// Static builtin types keep their dict in the interpreter (tp_dict is null there since 3.12):
// PyType_GetDict() finds it without creating anything; the interpreter keeps it alive.
PyObject* typeDict(PyTypeObject* type)
{
    if (type->tp_dict)
        return type->tp_dict;
    PyObject* dict = py().PyType_GetDict(type);
    decref(dict);
    return dict;
}

PyObject* moduleName(PyObject* module)
{
    return reinterpret_cast<PyModuleObject*>(module)->md_name;
}

PyObject* moduleDict(PyObject* module)
{
    return reinterpret_cast<PyModuleObject*>(module)->md_dict;
}

std::size_t intSizeof(PyObject* o)
{
    return layout::intSizeofDigits(layout::intDigitCount(o));
}

std::size_t strSizeof(PyObject* o)
{
    return shared::strSizeof(o);
}

std::size_t typeSizeof(PyObject* o)
{
    return shared::typeSizeof(o);
}

std::size_t codeSizeof(PyObject* o)
{
    return shared::codeSizeof(o);
}

// frame.__sizeof__: the object, the frame specials and every slot the code object asks for.
std::size_t frameSizeof(PyObject* o)
{
    auto* frame = reinterpret_cast<PyFrameObject*>(o);
    std::size_t size = offsetof(PyFrameObject, _f_frame_data) + offsetof(_PyInterpreterFrame, localsplus);
    if (frame->f_frame && frame->f_frame->f_executable && Py_IS_TYPE(frame->f_frame->f_executable, py().PyCode_Type))
        size += static_cast<std::size_t>(
                    _PyFrame_NumSlotsForCodeObject(reinterpret_cast<PyCodeObject*>(frame->f_frame->f_executable)))
            * sizeof(PyObject*);
    return size;
}

std::size_t dictSizeof(PyObject* o)
{
    return static_cast<std::size_t>(py()._PyDict_SizeOf(reinterpret_cast<PyDictObject*>(o)));
}

} // namespace gcscope::agent
