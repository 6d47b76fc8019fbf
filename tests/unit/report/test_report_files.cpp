// Whole reports from real SQLite recordings written with the storage layer (samples, collections,
// censuses, /proc samples and a heap snapshot), rendered in every format.
#include "HeapSketch.h"
#include "analysis/HeapGraphBuilder.h"

#include "report/ReportText.h"
#include "report/ReportWriter.h"
#include "snapshot/kept_dominators.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptDominators.h>
#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace gcscope;
using namespace gcscope::report;
using nlohmann::json;
using report::test::HeapSketch;

namespace {

constexpr std::int64_t kStart = 1'700'000'000'000'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

class TempFile {
public:
    explicit TempFile(const char* name)
    {
        char dir[] = "/tmp/gcscope-report-test-XXXXXX";
        dir_ = mkdtemp(dir);
        path_ = dir_ / name;
    }
    ~TempFile() { std::filesystem::remove_all(dir_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path dir_, path_;
};

struct Recording {
    // 10 censuses over 4.5 s: Request, Session and tuple grow by 300 each per second, Page fills a
    // bounded cache in the first second and stays at 700, dict stays flat.
    bool leak = true;
    bool rssGrowsOnly = false;
    bool rssGrowsBeforeFirstCensus = false; // start-up: +40 MB in the first 2 s, flat after; censuses from 2.5 s
    bool youngChurn = false; // gen0 collections at 200/s that free nothing
    bool slowFullCollections = false; // big, stable old generation
    bool garbage = true; // TreeNode cycles waiting for the collector in the snapshot
    bool churnInCensus = false; // the census counts more and more TreeNodes: uncollected garbage
    bool snapshot = true;
    bool earlierSnapshot = false; // one more, at 1.5 s, with a third of the leak
    std::string gcModel = "generational"; // "incremental": recorded on 3.14.0 to 3.14.4
    std::string agentForm = "py311";
    bool pythonFigures = false; // 3.15: each collection carries CPython's own duration and candidates
    bool oldCollections = false; // every ninth young collection is one of generation 1 instead
    int censuses = 10; // 2: a short first recording at the default cadence

    void write(const std::filesystem::path& path) const
    {
        auto db = storage::Database::openForWriting(path);
        std::int64_t sessionId = 0;
        {
            storage::Recorder rec(db);
            storage::NewSession s;
            s.pid = 4242;
            s.pythonVersion = "3.11.2";
            s.pythonExecutable = "/usr/bin/python3.11";
            s.argv = { "python3", "service.py", "--port", "8080" };
            s.mode = storage::SessionMode::Run;
            s.startedNs = kStart;
            s.intervalMs = 100;
            s.censusEveryMs = 500;
            s.hostname = "test";
            s.gcscopeVersion = "test";
            s.gcModel = gcModel;
            s.agentForm = agentForm;
            sessionId = rec.beginSession(s);
            for (int i = 0; i < 50; ++i) {
                wire::SampleRecord sample;
                sample.timeNs = kStart + i * kSecond / 10;
                sample.threshold = { 700, 10, 10 };
                sample.enabled = true;
                rec.addSample(sessionId, sample);
                const auto rss = rssGrowsOnly   ? 30'000'000 + i * 1'000'000
                    : rssGrowsBeforeFirstCensus ? 30'000'000 + std::min(i, 20) * 2'000'000 + (i % 3) * 4096
                                                : 30'000'000 + (i % 3) * 4096;
                rec.addProcessSample(sessionId, sample.timeNs, static_cast<std::uint64_t>(rss), 1, 5);
            }
            std::vector<wire::GcEventRecord> events;
            for (int i = 0; i < 45; ++i) // 10 young collections a second freeing 40 each, 0.2 ms
                events.push_back({ kStart + i * kSecond / 10, 200'000, oldCollections && i % 9 == 8 ? 1 : 0, 40, 0,
                    pythonFigures ? 100 + i : -1, pythonFigures ? 150'000 + i * 1000 : -1 });
            if (youngChurn)
                for (int i = 0; i < 900; ++i)
                    events.push_back({ kStart + i * kSecond / 200, 400'000, 0, 1, 0 });
            if (slowFullCollections)
                for (int i = 0; i < 4; ++i)
                    events.push_back({ kStart + i * kSecond, 60'000'000 + i * 1'000'000, 2, 10, 0 });
            std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.startNs < b.startNs; });
            rec.addGcEvents(sessionId, events, 0);
            for (int i = 0; i < censuses; ++i) {
                wire::CensusRecord c;
                c.timeNs = kStart + (rssGrowsBeforeFirstCensus ? kSecond * 5 / 2 + i * kSecond / 5 : i * kSecond / 2);
                c.pauseNs = 1'000'000;
                const std::uint64_t grown = leak ? static_cast<std::uint64_t>(150 * i) : 0;
                const std::uint64_t pages = std::min<std::uint64_t>(700, static_cast<std::uint64_t>(350 * i));
                const std::uint64_t nodes = churnInCensus ? static_cast<std::uint64_t>(40 * i) : 0;
                c.entries = { { "__main__.TreeNode", nodes, nodes * 56 },
                    { "__main__.Request", 10 + grown, (10 + grown) * 56 },
                    { "__main__.Session", 10 + grown, (10 + grown) * 56 },
                    { "tuple", 4000 + grown, (4000 + grown) * 64 }, { "dict", 3000, 3000 * 232 },
                    { "__main__.Page", pages, pages * 48 } };
                c.objects = slowFullCollections ? 900'000 : 20'000 + 3 * grown;
                rec.addCensus(sessionId, c);
            }
            rec.endSession(sessionId, kStart + 5 * kSecond, true, "the command exited with status 0");
        }
        const auto writeSnapshot = [&](int leaked, std::int64_t takenNs) {
            HeapSketch h;
            const auto globals = h.namespaceOf(h.module("__main__"));
            const auto log = h.klass(globals, "AuditLog");
            const auto entries = h.object("list", {}, 8 * 1350 + 56);
            h.ref(h.namespaceOf(log), entries, "entries");
            for (int i = 0; i < leaked; ++i) {
                const auto entry = h.object("tuple", {}, 64);
                const auto request = h.object("__main__.Request", {}, 56);
                const auto session = h.object("__main__.Session", {}, 56);
                h.item(entries, entry, static_cast<std::uint32_t>(i));
                h.item(entry, request, 1);
                h.ref(request, session, "session");
                h.ref(session, request, "request");
            }
            for (int i = 0; garbage && i < 40; ++i) { // parent <-> children cycles nobody holds
                const auto parent = h.object("__main__.TreeNode");
                const auto children = h.object("list", {}, 88);
                h.ref(parent, children, "children");
                for (int k = 0; k < 3; ++k) {
                    const auto child = h.object("__main__.TreeNode");
                    h.item(children, child, static_cast<std::uint32_t>(k));
                    h.ref(child, parent, "parent");
                }
            }
            snapshot::SnapshotMeta meta;
            meta.sessionId = sessionId;
            meta.takenNs = takenNs;
            meta.pid = 4242;
            meta.pythonVersion = "3.11.2";
            snapshot::saveSnapshot(db, h.build(), meta);
        };
        if (earlierSnapshot)
            writeSnapshot(leak ? 450 : 0, kStart + 3 * kSecond / 2);
        if (snapshot)
            writeSnapshot(leak ? 1350 : 0, kStart + 9 * kSecond / 2);
        db.close();
    }
};

LeakReport reportOf(const Recording& recording, const char* name = "rec.db")
{
    TempFile file(name);
    recording.write(file.path());
    auto db = storage::Database::openForReading(file.path());
    return buildReport(db, {});
}

const Advice* adviceOf(const LeakReport& r, const std::string& kind)
{
    for (const auto& a : r.advice)
        if (a.kind == kind)
            return &a;
    return nullptr;
}

// A recording with a snapshot before the last one, written to `file` and opened for reading.
storage::Database writeTwoSnapshotRecording(const TempFile& file)
{
    Recording rec;
    rec.earlierSnapshot = true;
    rec.write(file.path());
    return storage::Database::openForReading(file.path());
}

// Runs SQL on the file through a connection of its own (to take out or doctor what it keeps).
void execOn(const std::filesystem::path& path, const std::string& sql)
{
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(raw);
}

// A report as JSON without the moment it was made: what two builds of one report must share.
json contentOf(const LeakReport& r)
{
    auto j = json::parse(renderJson(r));
    j.erase("generated_ns");
    return j;
}

// An analysis of a snapshot's graph as gcscope-gui's views hold one, for a report to be lent.
struct HeldAnalysis {
    explicit HeldAnalysis(std::shared_ptr<const analysis::HeapGraph> g)
        : graph(std::move(g))
        , roots(analysis::findRoots(*graph))
        , referrers(analysis::buildReferrers(*graph))
        , dominators(analysis::computeDominators(*graph, roots))
        , paths(*graph, roots, referrers)
    {
    }
    std::shared_ptr<const analysis::HeapGraph> graph;
    analysis::RootSet roots;
    analysis::Referrers referrers;
    analysis::DominatorTree dominators;
    analysis::RetentionPathFinder paths;
};

AnalysedSnapshot lend(std::shared_ptr<const analysis::HeapGraph> graph)
{
    auto h = std::make_shared<const HeldAnalysis>(std::move(graph));
    return AnalysedSnapshot { h, h->graph.get(), &h->roots, &h->referrers, &h->dominators, &h->paths };
}

AnalysedSnapshot lendLoaded(const storage::Database& db, std::int64_t id)
{
    return lend(std::make_shared<const analysis::HeapGraph>(snapshot::loadSnapshot(db, id)));
}

// The file with `graph` as its one snapshot, open for reading, and that snapshot's id.
std::pair<storage::Database, std::int64_t> savedAlone(const TempFile& file, const analysis::HeapGraph& graph)
{
    {
        auto db = storage::Database::openForWriting(file.path());
        snapshot::SnapshotMeta meta;
        meta.pid = 1;
        snapshot::saveSnapshot(db, graph, meta);
    }
    auto db = storage::Database::openForReading(file.path());
    const auto id = storage::Reader(db).snapshots().back().id;
    return { std::move(db), id };
}

} // namespace

TEST(ReportFiles, GivenARegistryLeakWhenReportedThenRequestIsTheSuspectHeldByAuditLogEntries)
{
    const auto r = reportOf(Recording {});
    ASSERT_EQ(r.suspects.size(), 1u);
    const auto& s = r.suspects[0];
    EXPECT_EQ(s.type, "__main__.Request");
    EXPECT_EQ(s.countDelta, 1350);
    EXPECT_EQ(s.owner, "__main__.AuditLog.entries (list)");
    EXPECT_NEAR(s.countPerMinute, 18000, 1);
    EXPECT_EQ(r.series.source, "census");
    EXPECT_EQ(r.series.timesNs.size(), 10u);
    // The bounded cache filled and stayed flat; dict never moved.
    for (const auto& g : r.growth)
        if (g.type == "__main__.Page") {
            EXPECT_FALSE(g.suspect);
            EXPECT_FALSE(g.countTrend.growing);
        }
    EXPECT_EQ(r.target.pid, 4242);
    EXPECT_EQ(r.target.argv.size(), 4u);
    EXPECT_NEAR(r.target.durationS, 5.0, 1e-9);
}

TEST(ReportFiles, GivenCyclesWaitingForTheCollectorWhenReportedThenTheirTypeAndTheEdgeToBreakAreNamed)
{
    const auto r = reportOf(Recording {});
    ASSERT_FALSE(r.gc.cyclicGarbage.empty());
    EXPECT_EQ(r.gc.cyclicGarbage[0].type, "__main__.TreeNode");
    EXPECT_EQ(r.gc.cyclicGarbage[0].objects, 160u);
    EXPECT_EQ(r.gc.cyclicGarbageObjects, 200u); // with the 40 children lists
    ASSERT_FALSE(r.cycles.empty());
    EXPECT_EQ(r.cycles[0].cycles, 40u);
    EXPECT_EQ(r.cycles[0].breakEdge, "__main__.TreeNode.parent");
    const auto* advice = adviceOf(r, "break_cycles");
    ASSERT_NE(advice, nullptr);
    EXPECT_NE(advice->title.find("__main__.TreeNode.parent"), std::string::npos) << advice->title;
    EXPECT_NE(advice->code.find("weakref.ref"), std::string::npos);
}

TEST(ReportFiles, GivenAReportWhenRenderedAsJsonThenItFollowsTheDocumentedContract)
{
    const auto r = reportOf(Recording {});
    const auto j = json::parse(renderJson(r));
    EXPECT_EQ(j["format"], "gcscope-leak-report");
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["target"]["pid"], 4242);
    EXPECT_EQ(j["target"]["python"], "3.11.2");
    EXPECT_EQ(j["target"]["argv"], json::array({ "python3", "service.py", "--port", "8080" }));
    for (const char* key : { "collections", "collected", "uncollectable", "pause_ms", "cyclic_garbage" })
        EXPECT_TRUE(j["gc"].contains(key)) << key;
    EXPECT_EQ(j["gc"]["collections"], json::array({ 45, 0, 0 }));
    for (const char* key : { "total", "max", "p50", "p99" })
        EXPECT_TRUE(j["gc"]["pause_ms"][key].is_number()) << key;
    EXPECT_NEAR(j["gc"]["pause_ms"]["total"].get<double>(), 9.0, 1e-9);
    EXPECT_EQ(j["gc"]["cyclic_garbage"][0]["type"], "__main__.TreeNode");
    EXPECT_EQ(j["gc"]["cyclic_garbage"][0]["objects"], 160);
    const auto& growth = j["growth"];
    ASSERT_TRUE(growth.is_array());
    EXPECT_EQ(growth[0]["type"], "__main__.Request"); // suspects first
    EXPECT_EQ(growth[0]["counts"].size(), 10u);
    for (const char* key : { "type", "counts", "count_delta", "size_delta" })
        EXPECT_TRUE(growth[0].contains(key)) << key;
    const auto& s = j["suspects"][0];
    for (const char* key : { "type", "count_delta", "size_delta", "retained_size", "owner", "retention_path", "why" })
        EXPECT_TRUE(s.contains(key)) << key;
    EXPECT_EQ(s["owner"], "__main__.AuditLog.entries (list)");
    for (const auto& step : s["retention_path"]) {
        EXPECT_TRUE(step.contains("type"));
        EXPECT_TRUE(step.contains("label"));
        EXPECT_TRUE(step.contains("edge"));
    }
    EXPECT_EQ(s["retention_path"].back()["edge"], nullptr);
    EXPECT_TRUE(j["cycles"].is_array());
    EXPECT_TRUE(j["advice"].is_array());
}

TEST(ReportFiles, GivenAReportWhenRenderedAsHtmlThenItIsOneSelfContainedFile)
{
    const auto r = reportOf(Recording {});
    const auto html = renderHtml(r);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("@media print"), std::string::npos);
    EXPECT_NE(html.find("__main__.AuditLog.entries"), std::string::npos);
    for (const char* outside : { "<script", "http://", "https://", "src=", "<link", "@import", "url(" })
        EXPECT_EQ(html.find(outside), std::string::npos) << outside;
}

TEST(ReportFiles, GivenAReportWhenRenderedAsMarkdownThenItNamesTheCulpritAndOwner)
{
    const auto r = reportOf(Recording {});
    const auto md = renderMarkdown(r);
    EXPECT_EQ(md.rfind("# gcscope leak report", 0), 0u);
    EXPECT_NE(md.find("### 1. `__main__.Request`"), std::string::npos) << md;
    EXPECT_NE(md.find("`__main__.AuditLog.entries`"), std::string::npos);
    EXPECT_NE(md.find("```"), std::string::npos);
}

TEST(ReportFiles, GivenAFormatWhenWrittenThenTheFileHoldsTheRenderedText)
{
    const auto r = reportOf(Recording {});
    TempFile out("report.md");
    writeReport(r, ReportFormat::Markdown, out.path());
    std::ifstream in(out.path());
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), renderMarkdown(r));
    EXPECT_EQ(parseReportFormat("md"), ReportFormat::Markdown);
    EXPECT_EQ(parseReportFormat("html"), ReportFormat::Html);
    EXPECT_EQ(parseReportFormat("pdf"), std::nullopt);
    EXPECT_THROW(writeReport(r, ReportFormat::Json, "/nonexistent-dir/report.json"), std::runtime_error);
}

TEST(ReportFiles, GivenNoLeakWhenReportedThenThereAreNoSuspects)
{
    Recording rec;
    rec.leak = false;
    const auto r = reportOf(rec);
    EXPECT_TRUE(r.suspects.empty());
    EXPECT_NE(renderMarkdown(r).find("## Leak suspects\n\nNo type grew steadily"), std::string::npos);
}

TEST(ReportFiles, GivenRssGrowthWithFlatObjectsWhenReportedThenTheReportSaysGcscopeCannotSeeIt)
{
    Recording rec;
    rec.leak = false;
    rec.rssGrowsOnly = true;
    const auto r = reportOf(rec);
    EXPECT_TRUE(r.suspects.empty());
    EXPECT_TRUE(r.memory.untrackedGrowth);
    EXPECT_NE(r.memory.note.find("cannot see"), std::string::npos);
    EXPECT_NE(adviceOf(r, "untracked_memory"), nullptr);
    EXPECT_NE(renderHtml(r).find("cannot see"), std::string::npos);
}

TEST(ReportFiles, GivenRssGrowthBeforeTheFirstCensusOnlyWhenReportedThenNothingIsBlamedOnHiddenMemory)
{
    // The mypy case of the leak-suspects issue: resident memory taken from t = 0 and tracked objects
    // from the first census made start-up look like memory gcscope cannot see.
    Recording rec;
    rec.leak = false;
    rec.rssGrowsBeforeFirstCensus = true;
    const auto r = reportOf(rec);
    EXPECT_GT(r.memory.rssDelta, 30'000'000); // the whole recording's line still shows the start-up growth
    EXPECT_FALSE(r.memory.untrackedGrowth) << r.memory.note;
    EXPECT_EQ(renderMarkdown(r).find("cannot see"), std::string::npos);
    // Growth inside the common window is still called so, with the window said.
    Recording grows;
    grows.leak = false;
    grows.rssGrowsOnly = true;
    const auto g = reportOf(grows);
    EXPECT_TRUE(g.memory.untrackedGrowth);
    EXPECT_EQ(g.memory.note.rfind("Over the 4 s where both were measured, resident memory grew by", 0), 0u)
        << g.memory.note;
}

TEST(ReportFiles, GivenFrequentYoungCollectionsThatFreeNothingWhenReportedThenRaisingThreshold0IsAdvised)
{
    Recording rec;
    rec.youngChurn = true;
    const auto r = reportOf(rec);
    const auto* a = adviceOf(r, "threshold");
    ASSERT_NE(a, nullptr);
    EXPECT_NE(a->code.find("gc.set_threshold(7000, 10, 10)"), std::string::npos) << a->code;
    EXPECT_GT(r.gc.generations[0].perSecond, 100);
}

TEST(ReportFiles, GivenLongFullCollectionsOverAStableOldGenerationWhenReportedThenFreezeIsAdvised)
{
    Recording rec;
    rec.slowFullCollections = true;
    const auto r = reportOf(rec);
    const auto* a = adviceOf(r, "freeze");
    ASSERT_NE(a, nullptr) << renderMarkdown(r);
    EXPECT_NE(a->code.find("gc.freeze()"), std::string::npos);
    EXPECT_EQ(r.gc.collections[2], 4);
    EXPECT_NEAR(r.gc.generations[2].pause.maxMs, 63, 1e-9);
}

TEST(ReportFiles, GivenA315RecordingWhenReportedThenCPythonsOwnTimingShowsBesideOursInEveryFormat)
{
    Recording rec;
    rec.pythonFigures = true;
    rec.oldCollections = true;
    rec.agentForm = "py315";
    const auto r = reportOf(rec);
    EXPECT_TRUE(r.gc.havePythonFigures);
    EXPECT_EQ(r.gc.generations[0].pythonPauseCollections, 40);
    EXPECT_EQ(r.gc.generations[1].pythonPauseCollections, 5);
    EXPECT_NEAR(r.gc.generations[1].pythonPause.maxMs, 0.194, 1e-9); // i = 44
    EXPECT_EQ(r.gc.generations[1].candidates, 108 + 117 + 126 + 135 + 144);
    const std::string md = renderMarkdown(r);
    EXPECT_NE(md.find("| CPython's total | CPython's max | Examined |"), std::string::npos) << md;
    EXPECT_NE(md.find("(CPython's own timing: "), std::string::npos);
    EXPECT_NE(md.find("Python 3.11.2 (exact py315 agent)"), std::string::npos);
    EXPECT_NE(renderHtml(r).find("CPython's max</th>"), std::string::npos);
    const json j = json::parse(renderJson(r));
    EXPECT_EQ(j["gc"]["generations"][1]["candidates"], 630);
    EXPECT_NEAR(j["gc"]["generations"][1]["python_pause_ms"]["max"].get<double>(), 0.194, 1e-9);
    EXPECT_EQ(j["target"]["agent_form"], "py315");
}

TEST(ReportFiles, GivenAnIncrementalCollectorWhenReportedThenItsGenerationsAreNamedAsItHasThem)
{
    Recording rec;
    rec.gcModel = "incremental";
    rec.oldCollections = true;
    rec.agentForm = "portable";
    const auto r = reportOf(rec);
    EXPECT_EQ(r.gc.model, "incremental");
    EXPECT_EQ(r.gc.generations[0].name, "young");
    EXPECT_EQ(r.gc.generations[1].name, "old (increment)");
    EXPECT_FALSE(r.gc.havePythonFigures);
    const std::string md = renderMarkdown(r);
    EXPECT_NE(md.find("(young/increment/full: 40/5/0)"), std::string::npos) << md;
    EXPECT_NE(md.find("| old (increment) | 5 |"), std::string::npos) << md;
    EXPECT_EQ(md.find("CPython's"), std::string::npos);
    EXPECT_NE(md.find("Python 3.11.2 (portable agent)"), std::string::npos);
    const json j = json::parse(renderJson(r));
    EXPECT_EQ(j["gc"]["model"], "incremental");
    EXPECT_EQ(j["gc"]["generations"][2]["name"], "old (full)");
    EXPECT_TRUE(j["gc"]["generations"][0]["python_pause_ms"].is_null());
    EXPECT_EQ(j["target"]["gc_model"], "incremental");
    // A generational recording says generation 0/1/2.
    Recording generational;
    generational.oldCollections = true;
    EXPECT_NE(renderMarkdown(reportOf(generational)).find("(generation 0/1/2: 40/5/0)"), std::string::npos);
}

TEST(ReportFiles, GivenTwoCensusPointsAndNoSnapshotWhenReportedThenEveryFormatSaysItCannotDecideYet)
{
    Recording rec;
    rec.censuses = 2;
    rec.snapshot = false;
    const auto r = reportOf(rec);
    EXPECT_TRUE(r.suspects.empty());
    EXPECT_EQ(r.verdict.kind, "undecided");
    const std::string head = headline(r);
    EXPECT_EQ(head.rfind("Cannot decide yet: 2 points of per-type counts and 0 heap snapshots over 5 s", 0), 0u)
        << head;
    EXPECT_NE(
        head.find("record at least 1 s longer (a census every 0.5 s), or take 3 more snapshots"), std::string::npos)
        << head;
    for (const std::string& text : { renderMarkdown(r), renderHtml(r) }) {
        EXPECT_EQ(text.find("No leak suspects"), std::string::npos);
        EXPECT_EQ(text.find("No type grew steadily"), std::string::npos);
        EXPECT_NE(text.find("Cannot decide yet"), std::string::npos);
    }
    const json j = json::parse(renderJson(r));
    EXPECT_EQ(j["verdict"]["kind"], "undecided");
    EXPECT_EQ(j["verdict"]["headline"], head);
    EXPECT_TRUE(j["suspects"].empty());
    // With enough points and no growth the verdict is "no steady growth", said as such.
    Recording flat;
    flat.leak = false;
    const auto f = reportOf(flat);
    EXPECT_EQ(f.verdict.kind, "no_steady_growth");
    EXPECT_EQ(headline(f), "No leak suspects");
    EXPECT_EQ(reportOf(Recording {}).verdict.kind, "suspects");
}

TEST(ReportFiles, GivenNoSnapshotWhenReportedThenSuspectsComeFromTheCensusAloneAndANoteSaysWhy)
{
    Recording rec;
    rec.snapshot = false;
    const auto r = reportOf(rec);
    ASSERT_FALSE(r.suspects.empty());
    EXPECT_TRUE(r.suspects[0].owner.empty());
    EXPECT_FALSE(r.snapshotId.has_value());
    EXPECT_EQ(r.gc.snapshotsAnalyzed, 0u);
    bool noted = false;
    for (const auto& n : r.notes)
        noted = noted || n.find("No heap snapshot") != std::string::npos;
    EXPECT_TRUE(noted);
}

TEST(ReportFiles, GivenAFileWithoutSessionsOrThatSessionWhenReportedThenTheErrorNamesTheFile)
{
    TempFile file("empty.db");
    storage::Database::openForWriting(file.path()).close();
    auto db = storage::Database::openForReading(file.path());
    try {
        buildReport(db, {});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("empty.db: holds no recording sessions"), std::string::npos) << e.what();
    }
    TempFile rec("rec.db");
    Recording {}.write(rec.path());
    auto db2 = storage::Database::openForReading(rec.path());
    ReportOptions options;
    options.sessionId = 7;
    EXPECT_THROW(buildReport(db2, options), std::runtime_error);
}

TEST(ReportFiles, GivenCensusGrowthThatTheSnapshotShowsIsGarbageWhenReportedThenItIsNoSuspect)
{
    for (const bool twoSnapshots : { false, true }) {
        Recording rec;
        rec.churnInCensus = true; // TreeNode counts rise steadily in the census...
        rec.earlierSnapshot = twoSnapshots; // ...but in the snapshots they are all unreachable
        const auto r = reportOf(rec);
        ASSERT_EQ(r.suspects.size(), 1u) << twoSnapshots;
        EXPECT_EQ(r.suspects[0].type, "__main__.Request");
        for (const auto& g : r.growth)
            if (g.type == "__main__.TreeNode") {
                EXPECT_TRUE(g.countTrend.growing);
                EXPECT_FALSE(g.suspect);
            }
        EXPECT_EQ(r.snapshots, twoSnapshots ? 2u : 1u);
    }
}

TEST(ReportFiles, GivenTwoSnapshotsWhenReportedThenOwnersComeFromTheLastAndGarbageFromBoth)
{
    Recording rec;
    rec.earlierSnapshot = true;
    const auto r = reportOf(rec);
    ASSERT_EQ(r.suspects.size(), 1u);
    EXPECT_EQ(r.suspects[0].owner, "__main__.AuditLog.entries (list)");
    EXPECT_EQ(r.gc.snapshotsAnalyzed, 2u);
    EXPECT_EQ(r.gc.cyclicGarbageObjects, 400u);
    EXPECT_EQ(r.suspects[0].instances, 1350u);
}

// gcscope-gui lends the report the analysis its views hold, so that a big heap is not loaded and
// analysed twice: the report must come out the same, and must really rest on what was lent.
TEST(ReportFiles, GivenTheLastSnapshotsAnalysisLentWhenReportedThenTheReportIsTheSameAndUsesIt)
{
    TempFile file("lent.db");
    auto db = writeTwoSnapshotRecording(file);
    const auto own = buildReport(db, {});
    const auto lastId = storage::Reader(db).snapshots().back().id;

    std::vector<std::int64_t> asked;
    ReportOptions options;
    options.analysedSnapshot = [&](std::int64_t id) -> std::optional<AnalysedSnapshot> {
        asked.push_back(id);
        return lendLoaded(db, id);
    };
    const auto content = contentOf; // the whole report but the moment it was made
    const auto lent = buildReport(db, options);
    EXPECT_EQ(asked, std::vector<std::int64_t> { lastId }); // the last snapshot only, once
    EXPECT_EQ(content(lent), content(own));
    ASSERT_EQ(lent.suspects.size(), 1u);
    EXPECT_EQ(lent.suspects[0].owner, own.suspects[0].owner);
    EXPECT_EQ(lent.suspects[0].instances, own.suspects[0].instances);
    EXPECT_EQ(lent.gc.cyclicGarbageObjects, own.gc.cyclicGarbageObjects);

    // Lent the earlier snapshot's analysis in the last one's place, the report shows that heap:
    // proof that it did not load the last snapshot itself.
    const auto firstId = storage::Reader(db).snapshots().front().id;
    options.analysedSnapshot = [&](std::int64_t) -> std::optional<AnalysedSnapshot> { return lendLoaded(db, firstId); };
    const auto swapped = buildReport(db, options);
    ASSERT_FALSE(own.accumulations.empty());
    ASSERT_FALSE(swapped.accumulations.empty());
    EXPECT_EQ(own.accumulations[0].items, 1350u);
    EXPECT_EQ(swapped.accumulations[0].items, 450u);
    EXPECT_EQ(swapped.accumulations[0].owner, "__main__.AuditLog.entries (list)");

    // Declining (no analysis at hand) leaves the report to load the snapshot itself.
    options.analysedSnapshot = [](std::int64_t) { return std::optional<AnalysedSnapshot> {}; };
    EXPECT_EQ(content(buildReport(db, options)), content(own));
}

// `gcscope report` keeps the last snapshot's dominator tree in the file; the next report (and any
// other analysis) reads it: the same tree, the same report, and really the one in the file.
TEST(ReportFiles, GivenTheDominatorTreeKeptByOneReportThenTheNextReadsItAndReportsTheSame)
{
    TempFile file("kept.db");
    auto db = writeTwoSnapshotRecording(file);
    const auto lastId = storage::Reader(db).snapshots().back().id;
    const auto graph = snapshot::loadSnapshot(db, lastId);
    const auto roots = analysis::findRoots(graph);
    const auto computed = analysis::computeDominators(graph, roots);
    const auto own = buildReport(db, {});
    EXPECT_FALSE(storage::readKeptDominators(db, lastId, analysis::kDominatorRule, graph.objectCount()))
        << "kept only when asked";

    ReportOptions options;
    options.keepAnalyses = true;
    EXPECT_EQ(contentOf(buildReport(db, options)), contentOf(own));
    const auto kept = snapshot::dominatorsOf(db, lastId, graph, roots);
    ASSERT_TRUE(kept.read) << "the report kept the tree";
    EXPECT_EQ(kept.tree.idom, computed.idom);
    EXPECT_EQ(kept.tree.retained, computed.retained);
    EXPECT_EQ(kept.tree.reachableCount, computed.reachableCount);
    EXPECT_EQ(contentOf(buildReport(db, {})), contentOf(own)) << "a report over the kept tree";

    // A tree kept with every retained size doubled shows in the next report: it read the file's.
    auto doubled = computed.retained;
    for (auto& r : doubled)
        r *= 2;
    db.close();
    ASSERT_EQ(storage::keepDominators(
                  file.path(), lastId, analysis::kDominatorRule + 1, computed.reachableCount, computed.idom, doubled),
        "");
    ASSERT_EQ(storage::keepDominators(
                  file.path(), lastId, analysis::kDominatorRule, computed.reachableCount, computed.idom, doubled),
        "");
    db = storage::Database::openForReading(file.path());
    const auto read = buildReport(db, {});
    ASSERT_EQ(read.accumulations.size(), own.accumulations.size());
    ASSERT_FALSE(own.accumulations.empty());
    EXPECT_EQ(read.accumulations[0].retainedSize, 2 * own.accumulations[0].retainedSize);
}

// gcscope-gui shares the earlier snapshots' graphs its Snapshots view loads: the report must come
// out the same, ask for each earlier snapshot (never the last), and really use what it was given.
TEST(ReportFiles, GivenTheEarlierSnapshotsSharedWhenReportedThenTheReportIsTheSameAndUsesThem)
{
    TempFile file("shared.db");
    auto db = writeTwoSnapshotRecording(file);
    // Without the garbage summaries stored with the snapshots (a file from before schema 8), the
    // report needs the earlier snapshot's graph.
    db.close();
    execOn(file.path(), "DELETE FROM snapshot_garbage");
    db = storage::Database::openForReading(file.path());
    const auto own = buildReport(db, {});
    const auto snapshots = storage::Reader(db).snapshots();
    ASSERT_EQ(snapshots.size(), 2u);
    const auto content = contentOf;

    std::vector<std::int64_t> asked;
    ReportOptions options;
    options.loadedSnapshot = [&](std::int64_t id) {
        asked.push_back(id);
        return std::make_shared<const analysis::HeapGraph>(snapshot::loadSnapshot(db, id));
    };
    const auto shared = buildReport(db, options);
    EXPECT_EQ(asked, std::vector<std::int64_t> { snapshots.front().id });
    EXPECT_EQ(content(shared), content(own));

    // Given the last snapshot in the earlier one's place, the report compares the last heap with
    // itself: nothing grew between them. Proof that it did not load the earlier one itself.
    options.loadedSnapshot = [&](std::int64_t) {
        return std::make_shared<const analysis::HeapGraph>(snapshot::loadSnapshot(db, snapshots.back().id));
    };
    const auto swapped = buildReport(db, options);
    EXPECT_NE(content(swapped), content(own));
    EXPECT_GT(own.memory.snapshotObjectsDelta, 0);
    EXPECT_EQ(swapped.memory.snapshotObjectsDelta, 0);
    EXPECT_TRUE(swapped.suspects.empty());

    // Declining leaves the report to load it itself.
    options.loadedSnapshot = [](std::int64_t) { return std::shared_ptr<const analysis::HeapGraph> {}; };
    EXPECT_EQ(content(buildReport(db, options)), content(own));
}

// Every snapshot keeps its garbage summary from the moment it is stored: a report reads the earlier
// snapshots' summaries and their objects without references, and loads no graph but the last one's.
// It reports exactly what the graphs give, and really reads the summaries kept in the file.
TEST(ReportFiles, GivenEarlierSnapshotsWithKeptGarbageWhenReportedThenNoEarlierGraphIsLoadedAndTheReportIsTheSame)
{
    TempFile file("garbage.db");
    auto db = writeTwoSnapshotRecording(file);
    const auto snapshots = storage::Reader(db).snapshots();
    ASSERT_EQ(snapshots.size(), 2u);
    for (const auto& s : snapshots) {
        EXPECT_EQ(s.garbageRule, kGarbageRule) << "stored with the snapshot";
        const auto text = storage::readKeptGarbage(db, s.id, kGarbageRule);
        ASSERT_TRUE(text);
        const auto kept = decodeGarbage(*text);
        ASSERT_TRUE(kept);
        EXPECT_EQ(*kept, summarizeGarbage(snapshot::loadSnapshot(db, s.id))) << "what the graph gives";
    }
    std::vector<std::int64_t> asked;
    ReportOptions options;
    options.loadedSnapshot = [&](std::int64_t id) {
        asked.push_back(id);
        return std::make_shared<const analysis::HeapGraph>(snapshot::loadSnapshot(db, id));
    };
    const auto read = buildReport(db, options);
    EXPECT_TRUE(asked.empty()) << "no earlier graph was asked for";
    EXPECT_EQ(read.gc.snapshotsAnalyzed, 2u);
    EXPECT_EQ(read.gc.cyclicGarbageObjects, 400u);

    // Without them the report loads the earlier graph, reports the same, and (asked to) keeps them.
    db.close();
    execOn(file.path(), "DELETE FROM snapshot_garbage");
    db = storage::Database::openForReading(file.path());
    EXPECT_FALSE(storage::Reader(db).snapshots().front().garbageRule);
    options.keepAnalyses = true;
    const auto computed = buildReport(db, options);
    EXPECT_EQ(asked, std::vector<std::int64_t> { snapshots.front().id });
    EXPECT_EQ(contentOf(computed), contentOf(read));
    for (const auto& s : storage::Reader(db).snapshots())
        EXPECT_EQ(s.garbageRule, kGarbageRule) << "kept again by the report";
    asked.clear();
    EXPECT_EQ(contentOf(buildReport(db, options)), contentOf(read));
    EXPECT_TRUE(asked.empty());

    // A summary doctored in the file shows in the next report: one more garbage type, and a summary
    // kept by another rule is not taken (its graph is loaded instead).
    auto doctored = *decodeGarbage(*storage::readKeptGarbage(db, snapshots.front().id, kGarbageRule));
    doctored.byType["__main__.Doctored"] = { 7, 700 };
    doctored.objects += 7;
    doctored.size += 700;
    db.close();
    const storage::GarbageToKeep entry { snapshots.front().id, snapshots.front().objects, encodeGarbage(doctored) };
    ASSERT_EQ(storage::keepGarbage(file.path(), kGarbageRule, std::span(&entry, 1)), "");
    db = storage::Database::openForReading(file.path());
    const auto fromDoctored = buildReport(db, {});
    EXPECT_EQ(fromDoctored.gc.cyclicGarbageObjects, 407u);
    EXPECT_TRUE(std::any_of(fromDoctored.gc.cyclicGarbage.begin(), fromDoctored.gc.cyclicGarbage.end(),
        [](const TypeObjects& t) { return t.type == "__main__.Doctored" && t.objects == 7; }));
    db.close();
    ASSERT_EQ(storage::keepGarbage(file.path(), kGarbageRule + 1, std::span(&entry, 1)), "");
    db = storage::Database::openForReading(file.path());
    asked.clear();
    options.keepAnalyses = false;
    EXPECT_EQ(contentOf(buildReport(db, options)), contentOf(read)) << "another rule's summary is not taken";
    EXPECT_EQ(asked, std::vector<std::int64_t> { snapshots.front().id });
}

// Loading a big snapshot takes seconds: the loader says how far it is, and a caller that gives up
// (gcscope-gui's Cancel) stops it on the way by throwing from that callback.
TEST(ReportFiles, GivenASnapshotBeingLoaded_WhenProgressIsAskedOrThrows_ThenItCountsUpOrStopsTheLoad)
{
    TempFile file("load.db");
    constexpr std::uint32_t kObjects = 200000;
    HeapSketch h;
    const auto globals = h.module("__main__");
    const auto list = h.object("list");
    h.ref(h.namespaceOf(globals), list, "items");
    for (std::uint32_t i = 0; i < kObjects; ++i)
        h.item(list, h.object("__main__.Item"), i);
    const auto [db, id] = savedAlone(file, h.build());
    const auto plain = snapshot::loadSnapshot(db, id);

    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    const auto counted = snapshot::loadSnapshot(
        db, id, [&](std::uint64_t read, std::uint64_t total) { calls.emplace_back(read, total); });
    ASSERT_GE(calls.size(), 3u);
    for (std::size_t i = 1; i < calls.size(); ++i)
        EXPECT_GT(calls[i].first, calls[i - 1].first);
    EXPECT_EQ(
        calls.back(), std::make_pair(std::uint64_t { plain.objectCount() }, std::uint64_t { plain.objectCount() }));
    EXPECT_EQ(counted.address, plain.address);
    EXPECT_EQ(counted.edgeTarget, plain.edgeTarget);

    struct Cancelled { };
    int asked = 0;
    EXPECT_THROW(snapshot::loadSnapshot(db, id,
                     [&](std::uint64_t, std::uint64_t) {
                         if (++asked == 1)
                             throw Cancelled {};
                     }),
        Cancelled);
    EXPECT_EQ(asked, 1); // stopped at the first word, not read to the end
}

// What a report reads of an earlier snapshot instead of its graph: every object's address, type and
// number of references, in address order, and the sizes of the types asked for; the same as the
// graph holds, whatever order the objects were stored in. Addresses shuffled over two regions (as
// CPython's small objects and big blocks lie), so the read must really sort them.
TEST(ReportFiles, GivenAStoredSnapshot_WhenItsObjectsAreReadWithoutAGraph_ThenTheyAreTheGraphsInAddressOrder)
{
    TempFile file("objects.db");
    constexpr std::uint32_t kObjects = 120000;
    const char* const kTypes[] = { "list", "dict", "__main__.Item", "str", "tuple" };
    std::vector<std::uint64_t> address(kObjects);
    for (std::uint32_t i = 0; i < kObjects; ++i)
        address[i] = (i % 3 == 0 ? 0x7f3a00000000 : 0x55d0c0000000) + std::uint64_t { i } * 48;
    std::shuffle(address.begin(), address.end(), std::mt19937_64(11));
    analysis::HeapGraphBuilder b;
    for (std::uint32_t i = 0; i < kObjects; ++i)
        b.addObject({ address[i], kTypes[i % 5], 40 + i % 1000, 1, analysis::Tracked });
    for (std::uint32_t i = 0; i < kObjects; ++i)
        for (std::uint32_t k = 0; k < i % 4; ++k)
            b.addEdge(i, (i * 7 + k) % kObjects);
    const auto [db, id] = savedAlone(file, b.build());
    const auto graph = snapshot::loadSnapshot(db, id);
    const auto collection = [](std::string_view type) { return type == "list" || type == "dict"; };
    const auto read = snapshot::loadObjects(db, id, collection);

    ASSERT_EQ(read.objects.size(), graph.objectCount());
    std::size_t k = 0, sized = 0;
    for (const analysis::ObjectId o : graph.byAddress()) {
        const auto& object = read.objects[k++];
        ASSERT_EQ(object.address(), graph.address[o]) << "in address order, as the graph's";
        ASSERT_LT(object.type(), read.typeNames.size());
        EXPECT_EQ(read.typeNames[object.type()], graph.typeName(o));
        EXPECT_EQ(object.references, graph.edgeBegin[o + 1] - graph.edgeBegin[o]);
        if (!collection(graph.typeName(o)))
            continue;
        ASSERT_LT(sized, read.sizes.size());
        const auto& size = read.sizes[sized++];
        EXPECT_EQ(size.address(), graph.address[o]);
        EXPECT_EQ(size.size, graph.size[o]);
        EXPECT_EQ(read.typeNames[size.type()], graph.typeName(o));
    }
    EXPECT_EQ(sized, read.sizes.size()) << "the sizes of the types asked for, and only those";
    EXPECT_EQ(sized, 2u * kObjects / 5);
    EXPECT_TRUE(snapshot::loadObjects(db, id).sizes.empty()) << "no sizes unless asked for";
}

// Two objects at one address are a damaged snapshot: the read says so and names the file.
TEST(ReportFiles, GivenASnapshotWithTwoObjectsAtOneAddress_WhenItsObjectsAreRead_ThenTheFileIsCalledCorrupt)
{
    TempFile file("twice.db");
    analysis::HeapGraphBuilder b;
    for (std::uint32_t i = 0; i < 1000; ++i)
        b.addObject({ 0x1000 + std::uint64_t { i == 700 ? 3 : i } * 16, "list", 56, 1, analysis::Tracked });
    const auto [db, id] = savedAlone(file, b.build());
    try {
        snapshot::loadObjects(db, id);
        FAIL() << "read as if whole";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
            file.path().string() + ": corrupt (snapshot " + std::to_string(id)
                + ": two objects in one heap snapshot share an address)");
    }
}
