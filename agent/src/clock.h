// The two clocks the agent reports: realtime for "when" (the profiler lines samples up with its own
// clock) and monotonic for "how long".
#pragma once

#include <cstdint>
#include <ctime>

namespace gcscope::agent {

inline std::int64_t clockNs(clockid_t clock)
{
    timespec ts {};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t realtimeNs()
{
    return clockNs(CLOCK_REALTIME);
}
inline std::int64_t monotonicNs()
{
    return clockNs(CLOCK_MONOTONIC);
}

} // namespace gcscope::agent
