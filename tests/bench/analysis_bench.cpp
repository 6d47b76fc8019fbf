// Timings of the heap analysis engine on large random heaps: `analysis_bench [objects...]`
// (default: 1000000 10000000). Prints one line per phase and the peak RSS. Not a test: timings
// depend on the machine; build it in Release (or RelWithDebInfo) before reading them.
#include "analysis/Diff.h"
#include "analysis/HeapAnalysis.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/RetentionPaths.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace gcscope::analysis;

namespace {

// splitmix64: fast and good enough to scatter edges.
struct Random {
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// Wall time, and the process's CPU time beside it: on a busy machine the two differ.
class Stopwatch {
public:
    double lap()
    {
        auto now = std::chrono::steady_clock::now();
        auto cpu = std::clock();
        double s = std::chrono::duration<double>(now - last_).count();
        lastCpu_ = static_cast<double>(cpu - cpuStart_) / CLOCKS_PER_SEC;
        last_ = now;
        cpuStart_ = cpu;
        return s;
    }
    double lastCpu() const { return lastCpu_; }

private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
    std::clock_t cpuStart_ = std::clock();
    double lastCpu_ = 0;
};

double peakRssMiB()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// A heap-like random graph: 3 references per object, half of them to a nearby object (the way
// containers hold what was allocated with them), half anywhere; 20% leaves; 1% held from outside;
// refcounts consistent with the edges, so about 1% of tracked objects are refcount roots.
HeapGraph randomHeap(std::size_t n, std::uint64_t seed)
{
    Random rng { seed };
    HeapGraphBuilder b;
    b.reserve(n, 3 * n);
    std::uint32_t types[16];
    for (int t = 0; t < 16; ++t)
        types[t] = b.internType("T" + std::to_string(t));
    std::vector<std::uint8_t> tracked(n);
    for (std::size_t i = 0; i < n; ++i) {
        tracked[i] = rng.below(5) != 0;
        b.addObject(0x7f0000000000ull + 64 * i, types[rng.below(16)], 16 + rng.below(240), 0, tracked[i] ? Tracked : 0);
    }
    std::vector<std::int64_t> refcount(n, 0);
    for (std::size_t e = 0; e < 3 * n; ++e) {
        const std::size_t from = rng.below(n);
        std::size_t to = rng.below(2) ? rng.below(n) : (from + 1 + rng.below(64)) % n;
        b.addEdge(static_cast<ObjectId>(from), static_cast<ObjectId>(to), indexLabel(e % 8));
        if (tracked[from])
            ++refcount[to];
    }
    HeapGraph g = b.build();
    for (std::size_t i = 0; i < n; ++i)
        g.refcount[i] = refcount[i] + (rng.below(100) == 0 ? 1 : 0);
    return g;
}

void bench(std::size_t n)
{
    std::printf("== %zu objects, %zu references\n", n, 3 * n);
    Stopwatch clock;
    HeapGraph g = randomHeap(n, 42);
    std::printf("generate + build      %8.3f s\n", clock.lap());

    double total = 0;
    double totalCpu = 0;
    auto phase = [&](const char* name) {
        double s = clock.lap();
        total += s;
        totalCpu += clock.lastCpu();
        std::printf("%-21s %8.3f s  (cpu %.3f s)\n", name, s, clock.lastCpu());
    };
    RootSet roots = findRoots(g);
    phase("roots");
    Referrers referrers = buildReferrers(g);
    phase("referrers");
    UnreachableSet unreachable = findUnreachable(g, roots);
    phase("unreachable");
    CycleReport cycles = findCycles(g, unreachable);
    phase("scc + cycles");
    DominatorTree dominators = computeDominators(g, roots);
    phase("dominators");
    std::printf("%-21s %8.3f s  (cpu %.3f s)\n", "total", total, totalCpu);
    std::printf("  roots %zu, unreachable %zu, components %zu, cycles %zu, reachable %llu\n", roots.roots.size(),
        unreachable.count(), cycles.componentCount, cycles.cycles.size(),
        static_cast<unsigned long long>(dominators.reachableCount));
    auto top = dominators.topRetained(1);
    std::printf("  largest retained: %llu bytes\n", static_cast<unsigned long long>(dominators.retained[top[0]]));

    clock.lap();
    RetentionPathFinder finder(g, roots, referrers);
    const double setup = clock.lap();
    Random rng { 7 };
    constexpr int kQueries = 1000;
    std::size_t found = 0;
    for (int q = 0; q < kQueries; ++q)
        found += finder.find(static_cast<ObjectId>(rng.below(n)), 3).paths.size();
    const double queries = clock.lap();
    std::printf("retention paths       %8.3f s first query (finder setup), %.1f us per later query (%zu paths)\n",
        setup, queries / kQueries * 1e6, found);

    auto census = censusOf(g);
    auto rows = diffCensus({}, census);
    std::printf("census + diff         %8.3f s (%zu types)\n", clock.lap(), rows.size());
    std::printf("peak RSS so far       %8.0f MiB\n", peakRssMiB());
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::size_t> sizes;
    for (int i = 1; i < argc; ++i)
        sizes.push_back(std::strtoull(argv[i], nullptr, 10));
    if (sizes.empty())
        sizes = { 1'000'000, 10'000'000 };
    for (auto n : sizes)
        bench(n);
    return 0;
}
