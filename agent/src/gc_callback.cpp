#include "gc_callback.h"

#include "clock.h"

#include <atomic>

namespace gcscope::agent {

namespace {

constinit GcEventBuffer g_events;
// False while no session owns the callback: a stale reference someone kept to our function object
// can still call it, and must find nothing to do.
std::atomic<bool> g_active { false };

// Touched only with the GIL held.
PyObject* g_function = nullptr;
PyObject* g_keyGeneration = nullptr;
PyObject* g_keyCollected = nullptr;
PyObject* g_keyUncollectable = nullptr;
PyObject* g_keyCandidates = nullptr; // 3.15+
PyObject* g_keyDuration = nullptr; // 3.15+: seconds, a float
bool g_started = false;
int g_collecting = 0;
std::int64_t g_startRealtimeNs = 0;
std::int64_t g_startMonotonicNs = 0;

std::int64_t infoInteger(PyObject* info, PyObject* key)
{
    PyObject* value = py().PyDict_GetItemWithError(info, key); // borrowed; keys are exact str
    if (!value || !PyLong_Check(value))
        return 0;
    long long v = py().PyLong_AsLongLong(value);
    return v == -1 && py().PyErr_Occurred() ? 0 : static_cast<std::int64_t>(v);
}

void onPhase(PyObject* phase, PyObject* info)
{
    if (!PyUnicode_Check(phase))
        return;
    if (py().PyUnicode_CompareWithASCIIString(phase, "start") == 0) {
        g_started = true;
        g_collecting = 1;
        g_startRealtimeNs = realtimeNs();
        g_startMonotonicNs = monotonicNs();
        return;
    }
    if (py().PyUnicode_CompareWithASCIIString(phase, "stop") != 0)
        return;
    g_collecting = 0;
    if (!PyDict_Check(info))
        return;
    wire::GcEventRecord event;
    if (g_started) {
        event.startNs = g_startRealtimeNs;
        event.durationNs = monotonicNs() - g_startMonotonicNs;
    } else {
        // Installed between this collection's "start" and "stop": it still happened, once.
        event.startNs = realtimeNs();
    }
    g_started = false;
    auto generation = infoInteger(info, g_keyGeneration);
    event.generation = generation >= 0 && generation < wire::kGenerations ? static_cast<std::int32_t>(generation) : 0;
    event.collected = infoInteger(info, g_keyCollected);
    event.uncollectable = infoInteger(info, g_keyUncollectable);
    // 3.15's "stop" info adds the objects examined and CPython's own timing of the collection.
    if (PyObject* candidates = py().PyDict_GetItemWithError(info, g_keyCandidates);
        candidates && PyLong_Check(candidates))
        event.candidates = infoInteger(info, g_keyCandidates);
    if (PyObject* duration = py().PyDict_GetItemWithError(info, g_keyDuration);
        duration && Py_IS_TYPE(duration, py().PyFloat_Type)) {
        const double seconds = reinterpret_cast<PyFloatObject*>(duration)->ob_fval;
        if (seconds >= 0 && seconds < 1e6)
            event.pythonDurationNs = static_cast<std::int64_t>(seconds * 1e9 + 0.5);
    }
    g_events.push(event);
}

PyObject* onCollection(PyObject*, PyObject* const* args, Py_ssize_t nargs)
{
    if (g_active.load(std::memory_order_acquire) && nargs == 2) {
        PyObject *type, *value, *traceback;
        py().PyErr_Fetch(&type, &value, &traceback);
        onPhase(args[0], args[1]);
        py().PyErr_Clear();
        py().PyErr_Restore(type, value, traceback);
    }
    return incref(py().None());
}

PyMethodDef g_callbackDef = {
    "gcscope_gc_callback",
    reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&onCollection)),
    METH_FASTCALL,
    "gcscope agent: records each garbage collection (installed by the gcscope profiler)",
};

bool isOurs(PyObject* item)
{
    return Py_IS_TYPE(item, py().PyCFunction_Type)
        && reinterpret_cast<PyCFunctionObject*>(item)->m_ml == &g_callbackDef;
}

void removeOurs(PyObject* callbacks)
{
    for (Py_ssize_t i = PyList_GET_SIZE(callbacks) - 1; i >= 0; --i) {
        if (i < PyList_GET_SIZE(callbacks) && isOurs(PyList_GET_ITEM(callbacks, i))) {
            if (py().PyList_SetSlice(callbacks, i, i + 1, nullptr) < 0)
                py().PyErr_Clear();
        }
    }
}

void dropReferences()
{
    for (PyObject** ref :
        { &g_function, &g_keyGeneration, &g_keyCollected, &g_keyUncollectable, &g_keyCandidates, &g_keyDuration }) {
        decref(*ref);
        *ref = nullptr;
    }
}

} // namespace

bool installGcCallback(PyObject* callbacks, std::string& error)
{
    if (!callbacks || !Py_IS_TYPE(callbacks, py().PyList_Type)) {
        error = "gc.callbacks is not a list";
        return false;
    }
    removeOurs(callbacks);
    dropReferences(); // a forked child's copy may still hold them
    g_keyGeneration = py().PyUnicode_InternFromString("generation");
    g_keyCollected = py().PyUnicode_InternFromString("collected");
    g_keyUncollectable = py().PyUnicode_InternFromString("uncollectable");
    g_keyCandidates = py().PyUnicode_InternFromString("candidates");
    g_keyDuration = py().PyUnicode_InternFromString("duration");
    g_function = py().PyCMethod_New(&g_callbackDef, nullptr, nullptr, nullptr);
    if (!g_keyGeneration || !g_keyCollected || !g_keyUncollectable || !g_keyCandidates || !g_keyDuration || !g_function
        || py().PyList_Append(callbacks, g_function) < 0) {
        py().PyErr_Clear();
        dropReferences();
        error = "could not append the agent's callback to gc.callbacks";
        return false;
    }
    g_events.clear();
    g_started = false;
    g_active.store(true, std::memory_order_release);
    return true;
}

void removeGcCallback(PyObject* callbacks)
{
    g_active.store(false, std::memory_order_release);
    if (callbacks && Py_IS_TYPE(callbacks, py().PyList_Type))
        removeOurs(callbacks);
    dropReferences();
}

void deactivateGcCallback()
{
    g_active.store(false, std::memory_order_release);
}

PyObject* gcCallbackFunction()
{
    return g_function;
}

GcEventBuffer& gcEventBuffer()
{
    return g_events;
}

void disableGcCallbackAfterFork()
{
    g_active.store(false, std::memory_order_relaxed);
    g_events.reinitialiseAfterFork();
}

const int* collectionInProgress()
{
    return &g_collecting;
}

} // namespace gcscope::agent
