// Faults memory in on a thread of its own, ahead of the thread that will write it.
//
// A big snapshot makes the receiver write about 2.5 GB of fresh memory while the stream arrives;
// each first touch is a page fault in which the kernel zeroes the page (in a VM, the host may also
// have to back it). Measured on a 10M-object heap, those faults took about a third of the
// receiver's time, which then paced the agent's walk. Reserved arrays are known in advance: this
// thread asks the kernel to populate them (MADV_POPULATE_WRITE, Linux 5.14) a step at a time, all
// of them at the same pace, as the receiver fills them front to back. Populating changes no byte,
// so it may run beside the writer, and a range freed meanwhile only costs a wasted call.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace gcscope::util {

class Prefaulter {
public:
    Prefaulter() = default;
    ~Prefaulter() { stop(); }
    Prefaulter(const Prefaulter&) = delete;
    Prefaulter& operator=(const Prefaulter&) = delete;

    // Ranges to populate, in the order given; `random` ones (written anywhere) go before the others.
    void add(void* begin, std::size_t bytes, bool random = false);
    // Whom the thread yields to. Background: the lowest priority (nice 19) on its own thread, so that
    // it populates on a processor nothing else wants. A snapshot's receiver takes it: on two
    // processors, memory new to the VM's host cost the prefaulter a whole processor for the first
    // five seconds of a 10M-object stream, while the receiver fell behind the agent's walk and then
    // worked alone with the other processor idle (see README).
    enum class Priority { Caller, Background };
    // Starts the thread (once). Nothing happens on kernels without MADV_POPULATE_WRITE.
    void start(Priority priority = Priority::Caller);
    // Stops the thread and waits for it: at most one step (32 MiB, 4 in the background) more is
    // populated.
    void stop();

private:
    struct Range {
        char* begin;
        std::size_t bytes;
    };
    void run(Priority priority);
    std::vector<Range> random_, inOrder_;
    std::atomic<bool> stop_ { false };
    std::thread thread_;
};

} // namespace gcscope::util
