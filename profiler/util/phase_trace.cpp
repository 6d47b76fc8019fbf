#include "util/phase_trace.h"

#include "util/clock.h"
#include "util/proc_stats.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <unistd.h>

namespace gcscope::util {

bool phasesTraced()
{
    static const bool traced = [] {
        const char* v = std::getenv("GCSCOPE_PHASES");
        return v && *v && std::string_view(v) != "0";
    }();
    return traced;
}

namespace {
// The process's resident memory in MiB, or -1: what fresh memory a phase took is what dominates its
// time on a VM whose host backs pages lazily.
long residentMiB()
{
    const auto stats = readProcStats(::getpid());
    return stats ? static_cast<long>(stats->rssBytes >> 20) : -1;
}
} // namespace

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
    std::fprintf(stderr, "gcscope phase: %.*s at %.3f s (+%.3f s), %ld MiB resident\n", static_cast<int>(name.size()),
        name.data(), static_cast<double>(now - first) / 1e9, static_cast<double>(now - last) / 1e9, residentMiB());
    last = now;
}

} // namespace gcscope::util
