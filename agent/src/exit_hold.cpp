#include "exit_hold.h"

#include "clock.h"
#include "python_api.h"

#include <atomic>
#include <ctime>
#include <pthread.h>

namespace gcscope::agent {

namespace {

// Armed: installed and the agent is there to release it. Cleared by releaseExitHold() and fork.
std::atomic<bool> g_armed { false };
std::atomic<bool> g_waiting { false };
std::atomic<bool> g_called { false }; // Python has called the hook: atexit owns its entry now

pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t g_cond; // CLOCK_MONOTONIC, set up on first install
pthread_once_t g_condOnce = PTHREAD_ONCE_INIT;

PyObject* g_function = nullptr; // touched only with the GIL held

void initCondition()
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g_cond, &attr);
    pthread_condattr_destroy(&attr);
}

PyObject* onExit(PyObject*, PyObject* const*, Py_ssize_t)
{
    g_called.store(true);
    if (!g_armed.load())
        return incref(py().None());
    PyThreadState* state = py().PyEval_SaveThread(); // the agent thread needs the GIL meanwhile
    const std::int64_t deadline = monotonicNs() + kExitHoldTimeoutNs;
    timespec until { static_cast<time_t>(deadline / 1'000'000'000), static_cast<long>(deadline % 1'000'000'000) };
    pthread_mutex_lock(&g_mutex);
    g_waiting.store(true);
    while (g_armed.load())
        if (pthread_cond_timedwait(&g_cond, &g_mutex, &until) != 0 && monotonicNs() >= deadline)
            break;
    g_waiting.store(false);
    g_armed.store(false);
    pthread_mutex_unlock(&g_mutex);
    py().PyEval_RestoreThread(state);
    return incref(py().None());
}

PyMethodDef g_exitDef = {
    "gcscope_exit_hold",
    reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&onExit)),
    METH_FASTCALL,
    "gcscope agent: lets the profiler take a last heap snapshot before the program exits",
};

// atexit.register(g_function) or atexit.unregister(g_function); false on a Python error (cleared).
bool callAtexit(const char* name)
{
    PyObject* atexit = py().PyImport_ImportModule("atexit");
    if (!atexit) {
        py().PyErr_Clear();
        return false;
    }
    PyObject* dict = py().PyModule_GetDict(atexit); // borrowed
    PyObject* key = py().PyUnicode_InternFromString(name);
    PyObject* fn = dict && key ? py().PyDict_GetItemWithError(dict, key) : nullptr; // borrowed
    PyObject* result = fn ? py().PyObject_CallOneArg(fn, g_function) : nullptr;
    const bool ok = result != nullptr;
    decref(result);
    decref(key);
    decref(atexit);
    if (!ok)
        py().PyErr_Clear();
    return ok;
}

} // namespace

bool installExitHold(std::string& error)
{
    pthread_once(&g_condOnce, &initCondition);
    if (g_function && g_armed.load())
        return true;
    if (!g_function) {
        g_function = py().PyCMethod_New(&g_exitDef, nullptr, nullptr, nullptr);
        if (!g_function) {
            py().PyErr_Clear();
            error = "could not create the exit hook";
            return false;
        }
    }
    if (g_called.load()) {
        error = "the program is already exiting";
        return false;
    }
    if (!callAtexit("register")) {
        error = "could not register the exit hook with atexit";
        return false;
    }
    g_armed.store(true);
    return true;
}

void removeExitHold()
{
    releaseExitHold();
    if (!g_function)
        return;
    if (!g_called.load()) {
        // Not yet called: take it out of atexit's list, and drop our reference.
        callAtexit("unregister");
        decref(g_function);
        g_function = nullptr;
    }
    // Called (we may be inside it right now): atexit holds and drops its own reference when done.
}

PyObject* exitHoldFunction()
{
    return g_function;
}

bool exitHoldWaiting()
{
    return g_waiting.load();
}

void releaseExitHold()
{
    pthread_once(&g_condOnce, &initCondition);
    pthread_mutex_lock(&g_mutex);
    g_armed.store(false);
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_mutex);
}

void disarmExitHoldAfterFork()
{
    g_armed.store(false);
    g_waiting.store(false);
    pthread_mutex_init(&g_mutex, nullptr);
}

} // namespace gcscope::agent
