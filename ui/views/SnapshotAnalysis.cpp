#include "views/SnapshotAnalysis.h"

#include "views/BackgroundJob.h"

#include "report/CyclicGarbage.h"
#include "snapshot/kept_dominators.h"
#include "util/phase_trace.h"
#include "util/thread_priority.h"

#include <gcscope/storage/Database.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace gcscope::ui {

namespace {
std::mutex keepingMutex;
std::vector<std::future<void>> keeping; // trees being kept, each holding its analysis

std::atomic<bool> exiting { false };

// Keeping writes into the file. In a file with a rollback journal, a write while one of the views'
// jobs reads it (a leak report reads inside one transaction, for seconds at 10M objects) would hold
// back every connection the jobs open meanwhile, until they failed ("database is locked"): so it
// waits until the views are idle. A job that starts during the write waits for it (a moment).
void waitForIdleViews()
{
    using namespace std::chrono;
    const auto giveUp = steady_clock::now() + minutes(10);
    std::optional<steady_clock::time_point> exitGiveUp;
    while (BackgroundJob::pool()->activeThreadCount() > 0 && steady_clock::now() < giveUp) {
        if (exiting.load() && !exitGiveUp)
            exitGiveUp = steady_clock::now() + seconds(3);
        if (exitGiveUp && steady_clock::now() > *exitGiveUp)
            throw JobCancelled {};
        std::this_thread::sleep_for(milliseconds(50));
    }
}

template <class Keep> void inBackground(Keep&& keep)
{
    std::lock_guard lock(keepingMutex);
    std::erase_if(keeping,
        [](const std::future<void>& k) { return k.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    keeping.push_back(std::async(std::launch::async, [keep = std::forward<Keep>(keep)] {
        try {
            waitForIdleViews();
            keep();
        } catch (const JobCancelled&) { // the program ends while the views are busy: kept another time
        }
    }));
}

// Once the analysis is done (the views have it), so that keeping takes no processor from it.
void keepInBackground(std::shared_ptr<const SnapshotAnalysis> a)
{
    inBackground([a = std::move(a)] { snapshot::keepDominators(a->snapshot->path, a->info.id, a->dominators); });
}

// Runs the calling thread a little behind the others (nice +5). Only on a thread that ends with the
// work (std::async makes one): lowering a thread's nice again takes privilege, and the views' pool
// threads must keep theirs. The analysis's shorter chain runs so behind the dominators' chain, the
// longest, which runs on the job's thread: with fewer processors than chains, the view waits for
// the longest, not for the sum. So do the parts a hidden view works out (workOutParts).
void yieldToOthers()
{
    util::yieldThisThreadTo(util::thisThreadNice() + 5);
}
} // namespace

void keepGarbageInBackground(std::string path, std::vector<storage::GarbageToKeep> summaries)
{
    inBackground([path = std::move(path), summaries = std::move(summaries)] {
        snapshot::keepGarbage(path, report::kGarbageRule, summaries);
    });
}

std::shared_ptr<const SnapshotAnalysis> analyzeSnapshot(
    std::shared_ptr<const LoadedSnapshot> loaded, const JobControl& control)
{
    auto a = std::make_shared<SnapshotAnalysis>(std::move(loaded));
    const auto& g = a->graph;
    const QString id = QString::number(a->info.id);
    constexpr int kSteps = 4;
    std::atomic<int> done { 0 };
    std::atomic<bool> stop { false }; // one chain failed: the other stops at its next phase
    auto phase = [&](const QString& what) {
        if (stop.load())
            throw JobCancelled {};
        control.throwIfCancelled();
        control.progress(done.load(), kSteps, QObject::tr("Snapshot %1: %2…").arg(id, what));
    };
    phase(QObject::tr("finding roots"));
    a->roots = analysis::findRoots(g);
    util::markPhase("roots found");
    ++done;

    // Two chains that need only the graph and its roots run side by side, each on a core of its own
    // when there are cores: referrers and the path index; the dominators (the longest, here). One
    // that fails stops the other. What only some views show waits for them (workOutParts).
    const auto chain = [&stop](auto&& steps) {
        return [&stop, steps = std::forward<decltype(steps)>(steps)] {
            try {
                steps();
            } catch (...) {
                stop = true;
                throw;
            }
        };
    };
    auto paths = std::async(std::launch::async, chain([&] {
        yieldToOthers();
        phase(QObject::tr("indexing referrers"));
        a->referrers = analysis::buildReferrers(g);
        util::markPhase("referrers indexed");
        ++done;
        phase(QObject::tr("indexing retention paths"));
        a->paths.emplace(g, a->roots, a->referrers);
        util::markPhase("paths indexed");
        ++done;
    }));
    // Both chains are waited for (they read `a`). A real failure wins over the stop it caused and
    // over a cancel; of two real failures, the one waited for first is reported.
    std::exception_ptr failed;
    bool onlyStopped = false;
    const auto note = [&](bool stopped) {
        if (!failed || (onlyStopped && !stopped)) {
            failed = std::current_exception();
            onlyStopped = stopped;
        }
    };
    const auto wait = [&](auto&& run) {
        try {
            run();
        } catch (const JobCancelled&) {
            note(true);
        } catch (...) {
            note(false);
        }
    };
    wait(chain([&] {
        phase(QObject::tr("computing dominators"));
        // Kept in the file by an earlier analysis of it, in any gcscope program, or computed and kept.
        auto dominators
            = snapshot::dominatorsOf(storage::Database::openForReading(a->snapshot->path), a->info.id, g, a->roots);
        a->dominators = std::move(dominators.tree);
        a->dominatorsRead = dominators.read;
        ++done;
    }));
    wait([&] { paths.get(); });
    if (failed)
        std::rethrow_exception(failed);
    control.throwIfCancelled();
    if (!a->dominatorsRead)
        keepInBackground(a);
    return a;
}

const analysis::UnreachableSet& SnapshotAnalysis::unreachable() const
{
    std::call_once(unreachableOnce_, [this] {
        unreachable_ = analysis::findUnreachable(graph, roots);
        unreachableFound_ = true;
        util::markPhase("garbage found");
    });
    return unreachable_;
}

const analysis::DominatorChildren& SnapshotAnalysis::dominatorChildren() const
{
    std::call_once(typesOnce_, [this] {
        // The order of each type's instances needs the retained sizes only: it is sorted on a thread
        // of its own beside the tree's children and what each type retains (at 31.5M objects, 0.5 s
        // sooner than the two one after the other). Should the children fail, the future's
        // destructor waits for it.
        auto instances
            = std::async(std::launch::async, [this] { return analysis::instancesByRetained(graph, dominators); });
        dominatorChildren_ = analysis::buildDominatorChildren(dominators);
        util::markPhase("dominator children");
        const auto retained = analysis::retainedByType(graph, dominators, dominatorChildren_);
        types_ = analysis::summarizeTypes(graph, instances.get(), retained);
        typesSummed_ = true;
        util::markPhase("types summed");
    });
    return dominatorChildren_;
}

const analysis::TypeSummaries& SnapshotAnalysis::types() const
{
    dominatorChildren(); // the two are made together
    return types_;
}

const analysis::CycleReport& SnapshotAnalysis::cycles() const
{
    std::call_once(cyclesOnce_, [this] {
        auto found = analysis::findCycles(graph, unreachable());
        analysis::orderGarbageFirst(found); // as `gcscope cycles` lists them
        cycles_ = std::move(found);
        cyclesFound_ = true;
        util::markPhase("cycles found");
    });
    return cycles_;
}

void workOutParts(const SnapshotAnalysis& a, SnapshotParts parts, bool behind)
{
    std::vector<std::future<void>> running;
    const auto run = [&](auto part) {
        running.push_back(std::async(std::launch::async, [&a, behind, part] {
            if (behind)
                yieldToOthers();
            part(a);
        }));
    };
    if (parts.types)
        run([](const SnapshotAnalysis& s) { s.types(); });
    if (parts.cycles)
        run([](const SnapshotAnalysis& s) { s.cycles(); });
    else if (parts.unreachable)
        run([](const SnapshotAnalysis& s) { s.unreachable(); });
    std::exception_ptr failed;
    for (auto& r : running) {
        try {
            r.get();
        } catch (...) {
            if (!failed)
                failed = std::current_exception();
        }
    }
    if (failed)
        std::rethrow_exception(failed);
}

void finishKeeping()
{
    exiting = true;
    std::vector<std::future<void>> waiting;
    {
        std::lock_guard lock(keepingMutex);
        waiting.swap(keeping);
    }
    for (auto& k : waiting)
        k.wait();
    exiting = false; // (tests wait for the keeping and go on)
}

} // namespace gcscope::ui
