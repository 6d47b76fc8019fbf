#include "inject/tracee.h"

#include "inject/inject_error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace gcscope::inject {

namespace {
std::string signalName(int signal)
{
    const char* abbrev = ::sigabbrev_np(signal);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

[[noreturn]] void throwPtraceError(const char* what, pid_t tid)
{
    if (errno == ESRCH)
        throw TargetGone("thread " + std::to_string(tid) + " vanished (" + what + ": " + std::strerror(ESRCH) + ")");
    throw InjectError(std::string(what) + " failed: " + std::strerror(errno));
}

std::string describeExit(int status)
{
    if (WIFSIGNALED(status))
        return "was killed by " + signalName(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// Kernel-generated faults in the thread itself (si_code > 0), as opposed to a kill() from outside.
bool isSynchronousFault(const siginfo_t& info)
{
    const int s = info.si_signo;
    return info.si_code > 0 && (s == SIGSEGV || s == SIGBUS || s == SIGILL || s == SIGFPE || s == SIGTRAP);
}
} // namespace

Tracee::Tracee(pid_t tid)
    : tid_(tid)
{
}

Tracee::~Tracee()
{
    if (attached_ && stopped_) {
        try {
            detach();
        } catch (const InjectError&) {
            // Nothing more to do: the kernel detaches when we exit.
        }
    }
}

void Tracee::seize()
{
    if (::ptrace(PTRACE_SEIZE, tid_, nullptr, nullptr) != 0) {
        if (errno == EPERM)
            throw InjectError(std::string("ptrace attach not permitted (") + std::strerror(EPERM)
                + "): is another debugger attached, or do we lack CAP_SYS_PTRACE?");
        throwPtraceError("PTRACE_SEIZE", tid_);
    }
    attached_ = true;
}

void Tracee::interrupt(const Deadline& deadline)
{
    if (::ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0)
        throwPtraceError("PTRACE_INTERRUPT", tid_);
    for (;;) {
        Stop stop = waitForStop(deadline);
        if (stop.kind == Stop::Kind::Event)
            return;
        cont(stop.signal); // the thread runs its own code: its signals are its business
    }
}

void Tracee::resume()
{
    cont(0);
}

Stop Tracee::runUntilFault(const Deadline& deadline)
{
    cont(0);
    for (;;) {
        Stop stop = waitForStop(deadline);
        if (stop.kind == Stop::Kind::Signal && isSynchronousFault(stop.info))
            return stop;
        if (stop.kind == Stop::Kind::Signal)
            hold(stop.info); // not now: our code is running on this thread
        cont(0);
    }
}

void Tracee::hold(const siginfo_t& info)
{
    // Standard signals do not queue: one pending instance is what the target would have got.
    const bool standard = info.si_signo < SIGRTMIN;
    const bool already = std::any_of(held_.begin(), held_.end(), [&](auto& h) { return h.si_signo == info.si_signo; });
    if (!(standard && already))
        held_.push_back(info);
}

void Tracee::cont(int signal)
{
    if (::ptrace(PTRACE_CONT, tid_, nullptr, reinterpret_cast<void*>(static_cast<long>(signal))) != 0)
        throwPtraceError("PTRACE_CONT", tid_);
    stopped_ = false;
}

Stop Tracee::waitForStop(const Deadline& deadline)
{
    auto pause = std::chrono::microseconds(50);
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(tid_, &status, __WALL | WNOHANG);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            attached_ = false;
            throw TargetGone(
                "thread " + std::to_string(tid_) + " vanished while we waited for it (" + std::strerror(errno) + ")");
        }
        if (r == 0) {
            if (deadline.expired())
                throw TimedOut("timed out waiting for thread " + std::to_string(tid_) + " to stop");
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, decltype(pause)(1000));
            continue;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            attached_ = false;
            throw TargetGone("the process " + describeExit(status) + " during injection");
        }
        if (!WIFSTOPPED(status))
            continue;
        stopped_ = true;
        Stop stop;
        stop.signal = WSTOPSIG(status);
        const int event = status >> 16;
        if (event != 0) {
            stop.kind = Stop::Kind::Event;
        } else {
            stop.kind = Stop::Kind::Signal;
            if (::ptrace(PTRACE_GETSIGINFO, tid_, nullptr, &stop.info) != 0)
                throwPtraceError("PTRACE_GETSIGINFO", tid_);
        }
        last_ = stop;
        return stop;
    }
}

void Tracee::detach()
{
    if (!attached_)
        return;
    // At a signal-delivery-stop the detach itself can deliver one signal, with its siginfo intact.
    int first = 0;
    if (stopped_ && last_.kind == Stop::Kind::Signal && !held_.empty()) {
        if (::ptrace(PTRACE_SETSIGINFO, tid_, nullptr, &held_.front()) == 0) {
            first = held_.front().si_signo;
            held_.erase(held_.begin());
        }
    }
    if (::ptrace(PTRACE_DETACH, tid_, nullptr, reinterpret_cast<void*>(static_cast<long>(first))) != 0)
        throwPtraceError("PTRACE_DETACH", tid_);
    attached_ = false;
    stopped_ = false;

    const pid_t tgid = tid_; // we only ever hold the main thread, whose tid is the process id
    for (siginfo_t& info : held_) {
        // rt_tgsigqueueinfo keeps the siginfo but the kernel allows it only for si_code < 0
        // (sigqueue-style); kill()- and kernel-sent signals are re-sent with tgkill.
        if (::syscall(SYS_rt_tgsigqueueinfo, tgid, tid_, info.si_signo, &info) != 0)
            ::syscall(SYS_tgkill, tgid, tid_, info.si_signo);
    }
    held_.clear();
}

} // namespace gcscope::inject
