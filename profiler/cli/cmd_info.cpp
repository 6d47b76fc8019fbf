// `gcscope info FILE [--json]`: what a recording holds.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "analysis/Dominators.h"
#include "discovery/version_support.h"
#include "report/CyclicGarbage.h"
#include "snapshot/snapshot_store.h"
#include "util/saturating.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <array>
#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace gcscope::cli {
namespace {

struct GcSummary {
    std::array<std::int64_t, 3> collections {};
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
    double pauseTotalMs = 0;
    double pauseMaxMs = 0;
    // CPython's own figures (3.15+) over the collections that carried them
    std::int64_t pythonTimed = 0;
    double pythonPauseTotalMs = 0;
    double pythonPauseMaxMs = 0;
    std::int64_t candidates = 0;
};

GcSummary summarize(const std::vector<wire::GcEventRecord>& events)
{
    GcSummary s;
    for (const auto& e : events) {
        if (e.generation >= 0 && e.generation < 3)
            ++s.collections[static_cast<std::size_t>(e.generation)];
        util::accumulate(s.collected, e.collected);
        util::accumulate(s.uncollectable, e.uncollectable);
        const double ms = static_cast<double>(e.durationNs) / 1e6;
        s.pauseTotalMs += ms;
        s.pauseMaxMs = std::max(s.pauseMaxMs, ms);
        if (e.pythonDurationNs >= 0) {
            const double own = static_cast<double>(e.pythonDurationNs) / 1e6;
            ++s.pythonTimed;
            s.pythonPauseTotalMs += own;
            s.pythonPauseMaxMs = std::max(s.pythonPauseMaxMs, own);
        }
        if (e.candidates >= 0)
            util::accumulate(s.candidates, e.candidates);
    }
    return s;
}

int runInfo(const std::string& path, bool json)
{
    auto db = storage::Database::openForReading(path);
    storage::Reader reader(db);
    const auto sessions = reader.sessions();

    auto jsessions = nlohmann::json::array();
    std::string text = fmt::format("{}: gcscope recording, schema version {}\n", path, reader.schemaVersion());
    for (const auto& s : sessions) {
        const auto events = reader.gcEvents(s.id);
        const auto gc = summarize(events);
        const auto samples = reader.sampleCount(s.id);
        const auto censuses = reader.censusCount(s.id);
        const double seconds = s.endedNs ? static_cast<double>(*s.endedNs - s.startedNs) / 1e9 : 0.0;
        const discovery::GcModel model = discovery::gcModelNamed(s.gcModel);
        auto generationNames = nlohmann::json::array();
        for (int g = 0; g < 3; ++g)
            generationNames.push_back(discovery::generationName(model, g));
        auto gcJson = nlohmann::json { { "model", s.gcModel }, { "generation_names", generationNames },
            { "collections", gc.collections }, { "collected", gc.collected }, { "uncollectable", gc.uncollectable },
            { "pause_ms", { { "total", gc.pauseTotalMs }, { "max", gc.pauseMaxMs } } } };
        if (gc.pythonTimed > 0) {
            gcJson["python_pause_ms"] = { { "total", gc.pythonPauseTotalMs }, { "max", gc.pythonPauseMaxMs } };
            gcJson["candidates"] = gc.candidates;
        }
        jsessions.push_back({ { "id", s.id }, { "pid", s.pid }, { "python_version", s.pythonVersion },
            { "python_executable", s.pythonExecutable }, { "argv", s.argv }, { "mode", storage::toString(s.mode) },
            { "started_ns", s.startedNs },
            { "ended_ns", s.endedNs ? nlohmann::json(*s.endedNs) : nlohmann::json(nullptr) }, { "duration_s", seconds },
            { "status", s.complete ? "complete" : "incomplete" }, { "end_reason", s.endReason },
            { "interval_ms", s.intervalMs }, { "census_every_ms", s.censusEveryMs }, { "samples", samples },
            { "gc_events", events.size() }, { "gc_events_dropped", s.gcEventsDropped }, { "censuses", censuses },
            { "agent_form", s.agentForm.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.agentForm) },
            { "gc", gcJson } });
        std::string argv;
        for (const auto& a : s.argv)
            argv += (argv.empty() ? "" : " ") + a;
        text += fmt::format("\nsession {}: PID {}, Python {}, {} ({})\n  command: {}\n", s.id, s.pid, s.pythonVersion,
            s.complete ? "complete" : "incomplete", s.endReason.empty() ? "no end recorded" : s.endReason, argv);
        text += fmt::format("  started {}, {:.1f} s, sample every {} ms, census every {} ms\n",
            formatTimeNs(s.startedNs), seconds, s.intervalMs, s.censusEveryMs);
        text += fmt::format("  agent: {}; collector: {}\n",
            s.agentForm.empty()             ? std::string("not recorded (file from before schema 3)")
                : s.agentForm == "portable" ? std::string("portable (public C API)")
                                            : "exact, built for " + s.agentForm,
            model == discovery::GcModel::Incremental
                ? "incremental (3.14.0 to 3.14.4: young, old increments, full collections)"
                : "generational (3 generations)");
        text += fmt::format("  {} samples, {} gc events, {} censuses\n", samples, events.size(), censuses);
        text += fmt::format("  collections {}: {}/{}/{}; collected {}, uncollectable {}; pauses {:.2f} ms "
                            "total, {:.2f} ms max\n",
            model == discovery::GcModel::Incremental ? "young/increment/full" : "gen0/1/2", gc.collections[0],
            gc.collections[1], gc.collections[2], gc.collected, gc.uncollectable, gc.pauseTotalMs, gc.pauseMaxMs);
        if (gc.pythonTimed > 0)
            text += fmt::format("  CPython's own timing of {} collections: {:.2f} ms total, {:.2f} ms max; {} objects "
                                "examined\n",
                gc.pythonTimed, gc.pythonPauseTotalMs, gc.pythonPauseMaxMs, gc.candidates);
    }
    auto jsnapshots = nlohmann::json::array();
    std::string snapshotLines;
    for (const auto& snap : reader.snapshots()) {
        // Kept by this gcscope's rule: what the next analysis reads instead of computing it.
        const bool kept = snap.dominatorRule == analysis::kDominatorRule;
        const bool garbageKept = snap.garbageRule == report::kGarbageRule;
        jsnapshots.push_back({ { "id", snap.id }, { "taken_at", snap.takenNs }, { "objects", snap.objects },
            { "edges", snap.edges }, { "pause_ms", snap.pauseMs }, { "method", snap.byChild ? "child" : "in-process" },
            { "method_note", snap.methodNote.empty() ? nlohmann::json(nullptr) : nlohmann::json(snap.methodNote) },
            { "extra_memory", snap.byChild ? nlohmann::json(snap.extraMemoryBytes) : nlohmann::json(nullptr) },
            { "dominator_tree_kept", kept }, { "garbage_summary_kept", garbageKept } });
        snapshotLines += fmt::format("  snapshot {}: {} objects, {} references; the target paused {:.1f} ms ({}){}{}\n",
            snap.id, snap.objects, snap.edges, snap.pauseMs,
            snapshot::methodText(snap.byChild, snap.methodNote, snap.extraMemoryBytes),
            kept ? "; dominator tree kept" : "", garbageKept ? "; garbage summary kept" : "");
    }
    if (json) {
        nlohmann::json out { { "file", path }, { "schema_version", reader.schemaVersion() }, { "sessions", jsessions },
            { "samples", reader.sampleCount() }, { "gc_events", reader.gcEventCount() },
            { "censuses", reader.censusCount() }, { "snapshots", jsnapshots } };
        fmt::print("{}\n", out.dump(2));
    } else {
        if (sessions.empty())
            text += "no sessions\n";
        text += fmt::format("\n{} snapshots\n", jsnapshots.size()) + snapshotLines;
        fmt::print("{}", text);
    }
    return kOk;
}

} // namespace

Command addInfoCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("info", "Summarise a recording");
    auto path = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    sub->add_option("file", *path, "A gcscope database")->required();
    sub->add_flag("--json", *json, "Print JSON");
    return { sub, [path, json] { return runInfo(*path, *json); } };
}

} // namespace gcscope::cli
