// A heap snapshot taken by a copy of the target (the issue "zero-pause heap snapshots").
//
// With the GIL held, so that no Python thread is inside a bytecode and the heap is consistent, the
// agent makes a copy-on-write child of the target with the raw clone system call and releases the
// GIL at once: the target's pause is the clone, not the walk. The child is a frozen copy; it walks,
// labels and encodes the snapshot at its own pace, sending each frame over the agent's connection
// as soon as it is cut (so it holds a frame, not the whole snapshot), and ends with _exit.
//
// Why it is safe in a process we do not own:
//   - raw clone, not fork(): no pthread_atfork handler of the target's libraries runs (gRPC,
//     OpenSSL, CUDA, OpenBLAS register them), in the target or in the child;
//   - no exit signal: the target's own child handling (os.wait, subprocess, multiprocessing,
//     asyncio's child watchers) never sees it, and waitpid(-1) without __WALL does not reap it; the
//     agent reaps it (__WALL);
//   - the child keeps only the connection of the target's files: a copy of a pipe's write end, a
//     client's socket or the target's stdout would otherwise stay open in it for the whole walk, and
//     their readers would wait for its end for EOF (asyncio's subprocess pipes did, for seconds);
//   - in the child only system calls, memory prepared before the clone, and memory of the child's
//     own (child_heap.h): no malloc, whose locks another thread may have held at the clone; no Python
//     API that can run code; every signal blocked (a terminal's Ctrl-C to the process group, or a
//     signal handler writing to the target's wakeup descriptor, must not reach it); niced by 10, so
//     that the target's own threads come first when they want the CPU;
//   - a deadline on the walk (time spent waiting for the profiler to read does not count): a child
//     still walking after it is stopped, between two frames, and the snapshot fails cleanly with an
//     Error the parent sends; a child that dies between frames fails it the same way. A child that
//     dies inside a frame leaves the connection unusable, and the agent winds down.
// Copy-on-write can cost up to the target's resident anonymous memory while the child lives:
// roomForChild() checks MemAvailable and the cgroup's memory.max against it first, and the agent
// walks in the target, as before, saying why, when there is not enough.
#pragma once

#include "snapshot_sizes.h"

#include <gcscope/wire.h>

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace gcscope::agent {

// What the parent and the child share: one page mapped MAP_SHARED before the clone.
struct ChildProgress {
    // Walking: between frames. Sending: inside a frame (set with a compare-and-swap from Walking, so
    // the parent's Stopped and a frame never overlap). Sent, Failed: the child's last word.
    // Stopped: the parent's, when the walk ran out of time; the child sends no frame after it.
    enum Phase : std::uint32_t { Walking = 0, Sending = 1, Sent = 2, Failed = 3, Stopped = 4 };
    std::atomic<std::uint32_t> phase { Walking };
    std::atomic<std::int64_t> sendingNs { 0 }; // time spent in frames sent so far (the profiler reading)
    std::atomic<std::uint32_t> errorCode { 0 };
    char message[200] {}; // the failure, NUL-terminated, written before phase becomes Failed
    SnapshotSizes sizes; // what the child's walk measured, for the parent's next snapshot
    // Set by the parent before the clone when it must give something back before the profiler learns
    // the snapshot is complete (the portable form's object list): the child then leaves the End record
    // here for the parent to send, unless the parent is gone by then (it sends it itself).
    pid_t parent = 0;
    bool parentSendsEnd = false;
    std::atomic<bool> endLeft { false };
    wire::SnapshotEndRecord end;
};

class SnapshotChild {
public:
    SnapshotChild() = default;
    ~SnapshotChild();
    SnapshotChild(const SnapshotChild&) = delete;
    SnapshotChild& operator=(const SnapshotChild&) = delete;

    // Before the GIL is taken: maps the shared page. False when the system refuses.
    bool prepare();
    // GIL held. The clone: returns the child's pid in the parent, 0 in the child (which must end
    // with finishInChild), -1 with errno on failure.
    pid_t spawn();
    ChildProgress& progress() { return *progress_; }

    // In the child: signals blocked, the child heap on, every descriptor but `keep` (the connection)
    // closed, and the child the first process the OOM killer ends (oom_score_adj 1000: never the
    // target for the child's memory). First thing after spawn() returned 0. `beforeNamed(context)`, when given, runs before
    // the child takes its name: a file it opens and closes there (the page warmer reads
    // /proc/self/maps) is never seen by whoever finds the child by its name.
    static void enterChild(int keep, void (*beforeNamed)(void*) = nullptr, void* context = nullptr);
    // In the child: records the failure (or success) and ends the process.
    [[noreturn]] void finishInChild(bool ok, std::uint32_t code, const char* message);
    // In the child, around each frame: false when the parent stopped the walk (send nothing then).
    // After the End record (`last`), the snapshot is sent: the parent can no longer stop it.
    bool beginFrame();
    void endFrame(std::int64_t sendingNs, bool last = false);

    // Failed: between frames (the connection is fine); DiedWhileSending: inside one.
    enum class Outcome { Sent, Failed, DiedWhileSending, Stalled };
    struct Result {
        Outcome outcome = Outcome::Sent;
        std::uint32_t code = 0;
        std::string message;
    };
    // Parent, without the GIL: waits for the child to end, stopping it when its walk has taken more
    // than walkBudgetNs (time inside frames, that is the profiler reading, not counted). Reaps it in
    // every case.
    Result wait(std::int64_t walkBudgetNs);

private:
    ChildProgress* progress_ = nullptr;
    pid_t pid_ = -1;
};

// Closes every file descriptor of this process but `keep`, with system calls only (safe in the
// child). close_range when the kernel has it (5.9), else the entries of /proc/self/fd, else every
// number below RLIMIT_NOFILE. `how` forces one of the latter for the tests.
enum class CloseMethod { Best, ProcSelfFd, EveryNumber };
void closeEveryDescriptorBut(int keep, CloseMethod how = CloseMethod::Best);

// Whether the system has room for a child that may come to copy all of `bytes` (the target's
// resident anonymous memory and the snapshot's buffers): MemAvailable, and the cgroup's memory.max
// less memory.current (cgroup v2, or v1's limit_in_bytes). False with the reason in one sentence.
bool roomForChild(std::uint64_t bytes, std::string& reason);

// The process's resident anonymous memory (RssAnon of /proc/self/status), 0 if unknown.
std::uint64_t residentAnonymousBytes();
// The memory private to this process (Private_Clean + Private_Dirty of /proc/self/smaps_rollup): in
// the child, the pages the target has written to since the clone plus the child's own. Only
// system calls: safe in the child.
std::uint64_t privateBytes();

} // namespace gcscope::agent
