#include "util/phase_trace.h"

#include "util/clock.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace gcscope::util {

bool phasesTraced()
{
    static const bool traced = [] {
        const char* v = std::getenv("GCSCOPE_PHASES");
        return v && *v && std::string_view(v) != "0";
    }();
    return traced;
}

void markPhase(std::string_view name)
{
    if (!phasesTraced())
        return;
    static std::mutex mutex;
    static std::int64_t first = 0, last = 0;
    const std::lock_guard lock(mutex);
    const std::int64_t now = monotonicNs();
    if (first == 0)
        first = last = now;
    std::fprintf(stderr, "gcscope phase: %.*s at %.3f s (+%.3f s)\n", static_cast<int>(name.size()), name.data(),
        static_cast<double>(now - first) / 1e9, static_cast<double>(now - last) / 1e9);
    last = now;
}

} // namespace gcscope::util
