// In the snapshot child: a second thread that reads one byte of every page of the target's memory
// ahead of the walk.
//
// The child is a new address space. On virtual machines that shadow the guest's page tables (this
// project's VMs among them), the first read of each page in it costs a trip to the hypervisor, about
// 4 us, though the kernel sees no fault: tests/bench/memory_costs.cpp measures it. A 10M-object
// heap is some 700K pages, and the walk paid 3 to 3.5 s of its time for them, the most of any part of
// it. Two threads pay for them at once (1 GiB of pages: 1.05 s read by one thread, 0.64 s by two),
// and the warmer reads on a CPU nothing else wants: while the profiler waits for the first frames,
// or is ahead of the walk. With it, a 10M-object heap's stream took 5.1 to 6.2 s instead of 8.3 to
// 11.9 (medians of A/B runs beside each other). On a machine without that cost the warmer is done in
// a few milliseconds and changes nothing.
//
// What it reads: the present pages (mincore) of the private writable anonymous mappings listed in
// /proc/self/maps when it starts, which must be before the child makes any mapping of its own: the
// child never unmaps the target's mappings, so nothing listed goes away while it reads. It allocates
// nothing (its stack and list are mappings of its own), never sets errno (its system calls are
// made directly: it shares the walk's thread-local storage), and runs with every signal blocked and
// the lowest priority there is (SCHED_IDLE). x86-64 only; elsewhere start() does nothing.
#pragma once

#include "mapped_buffer.h"

#include <atomic>
#include <cstdint>

namespace gcscope::agent {

class PageWarmer {
public:
    PageWarmer() = default;
    ~PageWarmer() { stop(); }
    PageWarmer(const PageWarmer&) = delete;
    PageWarmer& operator=(const PageWarmer&) = delete;

    // Lists the mappings and starts the thread. False when it could not, or when this process may
    // run on one CPU only (the walk then reads the pages itself, as without it). `idleOnly` false
    // keeps the caller's priority: for tests that wait for it to read everything on a busy machine.
    bool start(bool idleOnly = true);
    // Stops the thread and waits for it: back at the caller's priority first (at SCHED_IDLE it could
    // wait for a CPU as long as the machine is busy), it ends within one step of 512 pages.
    // Idempotent. Call it before the child ends: a thread still at SCHED_IDLE would hold the
    // process's exit until it got a CPU.
    void stop();
    // Waits until the thread has ended (it read everything, or was stopped) and frees its stack.
    void waitUntilDone();
    // Pages it read so far.
    std::uint64_t pagesRead() const { return pagesRead_.load(std::memory_order_relaxed); }
    // Whether the kernel took its thread's SCHED_IDLE policy: it runs only when a CPU has nothing
    // else to do, so that the target's threads, the walk and the profiler never wait for it.
    bool runsWhenIdleOnly() const { return policy_ == kIdle; }

private:
    struct Range {
        std::uintptr_t begin;
        std::uintptr_t end;
    };
    static int run(void* self);
    void readAll();

    MappedArray<Range> ranges_;
    char* stack_ = nullptr;
    std::atomic<bool> stopping_ { false };
    std::atomic<std::uint64_t> pagesRead_ { 0 };
    // SCHED_IDLE asked for (start's idleOnly), and what the thread made of it, first thing: 0 not yet,
    // kIdle taken, kOwn refused (it keeps the child's priority). Its futex is woken once set.
    static constexpr int kIdle = 1, kOwn = 2;
    bool wantIdle_ = false;
    alignas(4) volatile int policy_ = 0;
    // The kernel clears it and wakes its futex when the thread ends (CLONE_CHILD_CLEARTID).
    alignas(4) volatile int threadId_ = 0;
    bool started_ = false;
};

} // namespace gcscope::agent
