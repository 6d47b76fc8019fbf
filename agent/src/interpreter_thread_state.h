// The agent thread's one Python thread state, created once and parked between pieces of work so
// the agent holds the GIL only while it reads something. The target never waits for us.
#pragma once

#include "python_api.h"

namespace gcscope::agent {

class InterpreterThreadState {
public:
    // PyGILState_Ensure() then PyEval_SaveThread(): a thread state exists, the GIL is free.
    // Caller checked that the interpreter is initialised and not finalizing.
    void create()
    {
        gilState_ = py().PyGILState_Ensure();
        state_ = py().PyEval_SaveThread();
    }
    bool exists() const { return state_ != nullptr; }

    // Blocks until the GIL is ours. Nothing else of the agent's may be locked while waiting.
    void acquireGil() { py().PyEval_RestoreThread(state_); }
    void releaseGil() { py().PyEval_SaveThread(); }

    // Takes the GIL a last time and releases the thread state (deleting it, since Ensure made it).
    // Callers that need the GIL for their own clean-up use acquireGil() first, then destroyHoldingGil().
    void destroyHoldingGil()
    {
        py().PyGILState_Release(gilState_);
        state_ = nullptr;
    }

private:
    PyGILState_STATE gilState_ {};
    PyThreadState* state_ = nullptr;
};

// Holds the GIL for one scope.
class GilHold {
public:
    explicit GilHold(InterpreterThreadState& ts)
        : ts_(ts)
    {
        ts_.acquireGil();
    }
    ~GilHold() { ts_.releaseGil(); }
    GilHold(const GilHold&) = delete;
    GilHold& operator=(const GilHold&) = delete;

private:
    InterpreterThreadState& ts_;
};

} // namespace gcscope::agent
