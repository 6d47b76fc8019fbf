// The internal-structure readers shared by CPython 3.14 (3.14.5+) and 3.15, as source: each of
// versions/py314 and versions/py315 includes it from its version_layout.cpp after that version's
// internal headers, so every struct and offset is that version's own. From 3.14 a frame's locals,
// value stack, function and code are _PyStackRefs: tagged words that may hold a reference the
// object's refcount does not count (borrowed, or to an immortal object) or an int with no object.
#pragma once

#include "python_api.h"
#include "python_compat.h"
#include "versions/shared/debug_offsets_check.h"
#include "versions/shared/head_lock.h"
#include "versions/shared/modern_objects.h"

#include <dlfcn.h>

namespace gcscope::agent {

static_assert(sizeof(GcHeader) == sizeof(PyGC_Head), "GcHeader mirrors PyGC_Head");

bool interpreterFinalizing()
{
    return py().Py_IsFinalizing() != 0;
}

namespace {

// A _PyStackRef of a GIL build: NULL is 1, a tagged int has both low bits set (3.15 also has an
// error marker, 2); otherwise the object's address with bit 0 set when the reference is not
// counted in its refcount. (_PyGC_VisitStackRef: the collector's own refcount arithmetic skips
// exactly those.)
StackSlot decodeStackRef(std::uintptr_t bits)
{
    if (bits == 1 || bits == 2 || (bits & 3) == 3)
        return {};
    return { reinterpret_cast<PyObject*>(bits & ~static_cast<std::uintptr_t>(1)), (bits & 1) == 0 };
}

StackSlot decodeStackRef(_PyStackRef ref)
{
    return decodeStackRef(ref.bits);
}

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
        GCSCOPE_OFFSET(interpreter_frame.stackpointer, offsetof(_PyInterpreterFrame, stackpointer)),
        GCSCOPE_OFFSET(code_object.qualname, offsetof(PyCodeObject, co_qualname)),
        GCSCOPE_OFFSET(code_object.localsplusnames, offsetof(PyCodeObject, co_localsplusnames)),
        GCSCOPE_OFFSET(pyobject.ob_type, offsetof(PyObject, ob_type)),
        GCSCOPE_OFFSET(type_object.size, sizeof(PyTypeObject)),
        GCSCOPE_OFFSET(type_object.tp_flags, offsetof(PyTypeObject, tp_flags)),
        GCSCOPE_OFFSET(tuple_object.ob_item, offsetof(PyTupleObject, ob_item)),
        GCSCOPE_OFFSET(list_object.ob_item, offsetof(PyListObject, ob_item)),
        GCSCOPE_OFFSET(set_object.table, offsetof(PySetObject, table)),
        GCSCOPE_OFFSET(dict_object.ma_keys, offsetof(PyDictObject, ma_keys)),
        GCSCOPE_OFFSET(dict_object.ma_values, offsetof(PyDictObject, ma_values)),
        GCSCOPE_OFFSET(long_object.lv_tag, offsetof(PyLongObject, long_value.lv_tag)),
        GCSCOPE_OFFSET(long_object.ob_digit, offsetof(PyLongObject, long_value.ob_digit)),
        GCSCOPE_OFFSET(unicode_object.asciiobject_size, sizeof(PyASCIIObject)),
        GCSCOPE_OFFSET(gen_object.gi_iframe, offsetof(PyGenObject, gi_iframe)),
        GCSCOPE_OFFSET(gen_object.gi_frame_state, offsetof(PyGenObject, gi_frame_state)),
        GCSCOPE_OFFSET(gc.size, sizeof(struct _gc_runtime_state)),
        GCSCOPE_OFFSET(gc.collecting, offsetof(struct _gc_runtime_state, collecting)),
    };
    return shared::debugOffsetsAgree(d, checks, error);
}

void fillInterpreterFrame(_PyInterpreterFrame* frame, InterpreterFrameView& out)
{
    out.frameObject = reinterpret_cast<PyObject*>(frame->frame_obj);
    out.locals = frame->f_locals;
    const StackSlot function = decodeStackRef(frame->f_funcobj);
    const StackSlot code = decodeStackRef(frame->f_executable);
    out.function = function.object;
    out.functionCounted = function.counted;
    out.code = code.object;
    out.codeCounted = code.counted;
    out.slots = frame->localsplus;
    out.slotCount = frame->stackpointer ? static_cast<int>(frame->stackpointer - frame->localsplus) : 0;
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
    out.liveObjects = &gc.heap_size;
    out.youngCount = &gc.generations[0].count;
    out.longLivedTotal = &gc.long_lived_total;
    out.longLivedPending = &gc.long_lived_pending;
    out.modules = interp->imports.modules;
    out.builtins = interp->builtins;
    out.interpreter = interp;
    return true;
}

// Frames owned by the interpreter itself (entry shims, 3.15's base frame) are not Python frames.
void collectThreadFrameObjects(const InterpreterLayout& layout, std::vector<PyObject*>& out)
{
    PyInterpreterState* interp = layout.interpreter;
    shared::HeadLock lock(&interp->runtime->interpreters.mutex);
    if (!lock.held())
        return; // a thread is being created or ended right now: no running frames this time
    for (PyThreadState* thread = interp->threads.head; thread; thread = thread->next)
        for (_PyInterpreterFrame* frame = thread->current_frame; frame; frame = frame->previous)
            if (frame->owner < FRAME_OWNED_BY_INTERPRETER && frame->frame_obj)
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
    return decodeStackRef(static_cast<const _PyStackRef*>(frame.slots)[i]);
}

// frame_traverse: f_back, f_trace, f_extra_locals, f_locals_cache, f_overwritten_fast_locals, then
// the frame data it owns.
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
    out.overwrittenLocals = f->f_overwritten_fast_locals;
    out.code = decodeStackRef(data->f_executable).object;
    out.ownsData = data->owner == FRAME_OWNED_BY_FRAME_OBJECT;
    fillInterpreterFrame(data, out.data);
    return true;
}

// gen_traverse: name, qualname, the frame unless cleared (then its code, which a deferred reference
// may keep), the exception state.
bool readGenerator(PyObject* generator, GeneratorView& out)
{
    auto* gen = reinterpret_cast<PyGenObject*>(generator);
    out.code = nullptr;
    out.name = gen->gi_name;
    out.qualname = gen->gi_qualname;
    out.hasFrame = gen->gi_frame_state != FRAME_CLEARED;
    if (out.hasFrame) {
        fillInterpreterFrame(&gen->gi_iframe, out.data);
    } else {
        const StackSlot code = decodeStackRef(gen->gi_iframe.f_executable);
        out.clearedCode = code.object;
        out.clearedCodeCounted = code.counted;
    }
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
        { FunctionField::Annotate, f->func_annotate },
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

// Static builtin types keep their dict in the interpreter (tp_dict is null there): PyType_GetDict()
// finds it without creating anything; the interpreter keeps it alive.
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
    if (frame->f_frame) {
        PyObject* code = decodeStackRef(frame->f_frame->f_executable).object;
        if (code && Py_IS_TYPE(code, py().PyCode_Type))
            size += static_cast<std::size_t>(_PyFrame_NumSlotsForCodeObject(reinterpret_cast<PyCodeObject*>(code)))
                * sizeof(PyObject*);
    }
    return size;
}

std::size_t dictSizeof(PyObject* o)
{
    return static_cast<std::size_t>(py()._PyDict_SizeOf(reinterpret_cast<PyDictObject*>(o)));
}

} // namespace gcscope::agent
