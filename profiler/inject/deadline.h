// One time budget for a whole injection: every wait checks it, so nothing waits forever.
#pragma once

#include <chrono>

namespace gcscope::inject {

class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(std::chrono::milliseconds budget)
        : end_(Clock::now() + budget)
    {
    }

    bool expired() const { return Clock::now() >= end_; }
    Clock::time_point end() const { return end_; }

private:
    Clock::time_point end_;
};

} // namespace gcscope::inject
