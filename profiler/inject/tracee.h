// One thread of the target held with ptrace: PTRACE_SEIZE (no stray SIGSTOP, and never
// PTRACE_O_EXITKILL: the target must outlive us), PTRACE_INTERRUPT, waits with a deadline, and
// a detach that re-delivers the signals that arrived while we held the thread.
#pragma once

#include "inject/deadline.h"

#include <csignal>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::inject {

struct Stop {
    enum class Kind {
        Event, // PTRACE_EVENT_STOP: our interrupt, or a group-stop
        Signal, // signal-delivery-stop: `info` says which and from where
    };
    Kind kind = Kind::Event;
    int signal = 0;
    siginfo_t info {};
};

class Tracee {
public:
    explicit Tracee(pid_t tid);
    ~Tracee(); // best-effort detach if still attached; Injector detaches explicitly
    Tracee(const Tracee&) = delete;
    Tracee& operator=(const Tracee&) = delete;

    pid_t tid() const { return tid_; }
    bool attached() const { return attached_; }
    bool stopped() const { return stopped_; }

    void seize(); // throws InjectError

    // Stops the thread in its own code. Signals that arrive meanwhile are passed on to it at once,
    // since it is still running its own code.
    void interrupt(const Deadline&);

    // Lets the thread run its own code again (from an interrupt stop).
    void resume();

    // Runs the thread from the registers we set until it faults (a remote call ends by returning to
    // address 0). Signals meant for the target are held for detach; event stops are continued.
    Stop runUntilFault(const Deadline&);

    // Detaches; held signals are re-delivered, the first with its original siginfo when possible.
    void detach();

private:
    Stop waitForStop(const Deadline&);
    void cont(int signal);
    void hold(const siginfo_t&);

    pid_t tid_;
    bool attached_ = false;
    bool stopped_ = false;
    Stop last_;
    std::vector<siginfo_t> held_;
};

} // namespace gcscope::inject
