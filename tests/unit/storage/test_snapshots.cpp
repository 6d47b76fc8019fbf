// Heap snapshots: what the SnapshotWriter stores comes back from the Reader unchanged, a snapshot is
// all or nothing, and a damaged snapshot gives a one-line error instead of a crash.
#include "SnapshotChunk.h"
#include "SnapshotTestSupport.h"
#include "Statement.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/storage/StorageError.h>
#include <gcscope/storage/TypeIds.h>
#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <limits>
#include <map>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const StorageError& e) {
        return e.what();
    }
    return "<no error>";
}

// Objects at the edges of every field, and strings SQLite must keep byte for byte.
Graph makeExtremeGraph()
{
    Graph g = makeGraph(70'000); // ids past 2^16: 3-byte varints and long jumps both ways
    g.strings.push_back("naïve ünïcode");
    g.strings.push_back(std::string("nul\0inside", 10));
    g.strings.push_back(std::string(5000, 'x'));
    g.strings.push_back("");
    const auto lastString = static_cast<std::uint32_t>(g.strings.size() - 1);
    // The largest values a chunk record holds (SnapshotChunk.h): 56-bit addresses, 40-bit sizes,
    // 32-bit refcounts.
    constexpr std::int64_t kMaxRefcount = std::numeric_limits<std::uint32_t>::max();
    const std::uint32_t last = static_cast<std::uint32_t>(g.objects.size() - 1);
    g.objects[0] = { 0, 0, 0, 0, 0, 0, {} };
    g.objects[1] = { kChunkMaxAddress, lastString, kChunkMaxSize, kMaxRefcount, 0xff, lastString - 1,
        { { last, wire::kEdgeIndexBit | 0x7fff'ffffu }, { 0, lastString }, { 1, 0 }, { last, 0 } } };
    g.objects[2] = { 1, 1, 1, kMaxRefcount - 1, wire::kObjectTracked | wire::kObjectExplicitRoot, 0, { { 2, 0 } } };
    g.objects[3].refcount = 0;
    g.objects[last].refs = { { 0, wire::kEdgeIndexBit }, { 1, 1 } };
    g.tracked = 0;
    for (const GraphObject& o : g.objects)
        g.tracked += o.flags & wire::kObjectTracked;
    return g;
}

std::int64_t count(const std::filesystem::path& file, const std::string& table)
{
    return std::stoll(rawQuery(file, "SELECT count(*) FROM " + table));
}

void expectNoSnapshotRows(const std::filesystem::path& file)
{
    EXPECT_EQ(count(file, "snapshots"), 0);
    EXPECT_EQ(count(file, "snapshot_strings"), 0);
    EXPECT_EQ(count(file, "snapshot_objects"), 0);
    EXPECT_EQ(count(file, "snapshot_chunks"), 0);
}

// A process that records a session, then writes every object of `graph` into a snapshot and is
// killed before it commits: only its own connection, no destructor, no rollback.
void killWriterMidSnapshot(const std::filesystem::path& file, const Graph& graph, SnapshotWriter::Journal journal)
{
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto db = Database::openForWriting(file);
        Recorder recorder(db);
        recorder.beginSession(makeSession());
        SnapshotWriter writer(db, makeNewSnapshot(), journal);
        for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
            const GraphObject& o = graph.objects[id];
            writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, 0, o.refs);
        }
        ::raise(SIGKILL);
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
}

bool sameGraph(const Graph& a, const Graph& b)
{
    return a.strings == b.strings && a.objects == b.objects && a.tracked == b.tracked;
}

// A small committed snapshot in a closed file, for the tests that damage it with plain SQL.
std::int64_t writeSmallSnapshot(const std::filesystem::path& file)
{
    auto db = Database::openForWriting(file);
    return writeSnapshot(db, makeGraph(10));
}

} // namespace

TEST(StorageSnapshots, GivenAGraphWithEveryKindOfValue_WhenWrittenAndReadBack_ThenItIsTheSame)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeExtremeGraph();
    std::int64_t sessionId = 0;
    std::int64_t id = 0;
    {
        auto db = Database::openForWriting(file);
        Recorder recorder(db);
        sessionId = recorder.beginSession(makeSession());
        id = writeSnapshot(db, graph, makeNewSnapshot(sessionId));
    }

    auto db = Database::openForReading(file);
    const Graph back = readSnapshot(db, id);
    EXPECT_EQ(back.strings, graph.strings);
    ASSERT_EQ(back.objects.size(), graph.objects.size());
    for (std::size_t i = 0; i < graph.objects.size(); ++i)
        ASSERT_EQ(back.objects[i], graph.objects[i]) << "object " << i;
    EXPECT_EQ(back.tracked, graph.tracked);

    // Objects without references store NULL, not an empty blob.
    std::int64_t withoutRefs = 0;
    for (const GraphObject& o : graph.objects)
        withoutRefs += o.refs.empty();
    EXPECT_GT(withoutRefs, 0);
    EXPECT_EQ(std::to_string(withoutRefs),
        rawQuery(file, "SELECT count(*) FROM snapshot_object_list WHERE snapshot_id = 1 AND refs IS NULL"));

    const auto snapshots = Reader(db).snapshots();
    ASSERT_EQ(snapshots.size(), 1u);
    const SnapshotInfo& s = snapshots[0];
    const NewSnapshot expected = makeNewSnapshot(sessionId);
    EXPECT_EQ(s.id, id);
    EXPECT_EQ(s.sessionId, sessionId);
    EXPECT_EQ(s.takenNs, expected.takenNs);
    EXPECT_EQ(s.pauseNs, expected.pauseNs);
    EXPECT_EQ(s.pid, expected.pid);
    EXPECT_EQ(s.pythonVersion, expected.pythonVersion);
    EXPECT_EQ(s.flags, wire::kSnapshotNoStrings);
    EXPECT_EQ(s.label, expected.label);
    EXPECT_EQ(s.objects, graph.objects.size());
    EXPECT_EQ(s.trackedObjects, graph.tracked);
    EXPECT_EQ(s.references, graph.references());
    EXPECT_GT(s.ingestNs, 0);
    EXPECT_EQ(s.edges, s.references);
    EXPECT_DOUBLE_EQ(s.pauseMs, 12.345678);
    ASSERT_TRUE(Reader(db).snapshot(id));
    EXPECT_EQ(Reader(db).snapshot(id)->objects, graph.objects.size());
}

// The graph's form of the references (two parallel spans, as saveSnapshot gives them) stores the
// very bytes of the StoredReference form: chunks whose references outgrow the builder's first
// buffer (an object of 200,000), and a last chunk with fewer than kChunkObjects objects.
TEST(StorageSnapshots, GivenReferencesAsTwoSpans_WhenStored_ThenTheChunksAreTheBytesOfTheOtherForm)
{
    Graph graph = makeExtremeGraph();
    ASSERT_NE(graph.objects.size() % kChunkObjects, 0u);
    auto& wide = graph.objects[300].refs;
    for (std::uint32_t i = 0; i < 200'000; ++i)
        wide.push_back({ (i * 7919u) % static_cast<std::uint32_t>(graph.objects.size()),
            i % 3 == 0 ? (wire::kEdgeIndexBit | i) : i % 5 });
    TempDir dir;
    const auto byPairs = dir.file("pairs.db"), bySpans = dir.file("spans.db");
    {
        auto db = Database::openForWriting(byPairs);
        writeSnapshot(db, graph);
    }
    {
        auto db = Database::openForWriting(bySpans);
        SnapshotWriter writer(db, makeNewSnapshot());
        for (std::uint32_t id = 1; id < graph.strings.size(); ++id)
            writer.addString(id, graph.strings[id]);
        std::vector<std::uint32_t> targets, labels;
        for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
            const GraphObject& o = graph.objects[id];
            targets.clear();
            labels.clear();
            for (const StoredReference& r : o.refs) {
                targets.push_back(r.target);
                labels.push_back(r.label);
            }
            writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, o.label, targets, labels);
        }
        writer.commit(graph.tracked);
    }
    const std::string all = "SELECT group_concat(first_id || ':' || objects || ':' || hex(data), ',') FROM "
                            "(SELECT * FROM snapshot_chunks ORDER BY first_id)";
    EXPECT_EQ(rawQuery(bySpans, "SELECT count(*) FROM snapshot_chunks"),
        std::to_string((graph.objects.size() + kChunkObjects - 1) / kChunkObjects));
    EXPECT_TRUE(rawQuery(bySpans, all) == rawQuery(byPairs, all));
    auto db = Database::openForReading(bySpans);
    EXPECT_TRUE(sameGraph(readSnapshot(db, 1), graph));
}

// Two spans of different lengths are refused, and nothing of the snapshot is kept.
TEST(StorageSnapshots, GivenLabelsNotAsManyAsTargets_WhenAdded_ThenTheWriterRefusesAndStoresNothing)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    {
        auto db = Database::openForWriting(file);
        SnapshotWriter writer(db, makeNewSnapshot());
        const std::vector<std::uint32_t> targets { 0, 0 }, labels { 0 };
        EXPECT_NE(errorOf([&] { writer.addObject(0, 16, 0, 16, 1, 0, 0, targets, labels); }).find("label count"),
            std::string::npos);
    }
    expectNoSnapshotRows(file);
}

TEST(StorageSnapshots, GivenTwoSnapshotsWithoutASession_WhenRead_ThenEachHasOnlyItsOwnStringsAndObjects)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    const Graph first = makeGraph(300, 2, 1);
    Graph second = makeGraph(50, 5, 2);
    second.strings.resize(3);
    second.strings[2] = "only in the second";
    for (GraphObject& o : second.objects) {
        o.type = 2;
        o.label = 0;
        for (StoredReference& r : o.refs)
            r.label &= wire::kEdgeIndexBit | 1; // index labels, or string 1
    }
    NewSnapshot bare;
    bare.takenNs = 5;
    const std::int64_t a = writeSnapshot(db, first, bare);
    const std::int64_t b = writeSnapshot(db, second, bare);

    Reader reader(db);
    const auto snapshots = reader.snapshots();
    ASSERT_EQ(snapshots.size(), 2u);
    EXPECT_EQ(snapshots[0].id, a);
    EXPECT_EQ(snapshots[1].id, b);
    EXPECT_FALSE(snapshots[0].sessionId);
    EXPECT_FALSE(snapshots[0].label);
    EXPECT_EQ(snapshots[1].objects, 50u);
    EXPECT_EQ(readSnapshot(db, a).objects, first.objects);
    EXPECT_EQ(readSnapshot(db, b).objects, second.objects);
    EXPECT_EQ(asVector(reader.readSnapshotStrings(b)), second.strings);
    EXPECT_FALSE(reader.snapshot(b + 1));
}

TEST(StorageSnapshots, GivenAMissingSnapshotId_WhenRead_ThenTheErrorNamesFileAndId)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeSmallSnapshot(file);
    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(errorOf([&] { reader.readSnapshotStrings(7); }), file.string() + ": no snapshot 7");
    EXPECT_EQ(errorOf([&] { reader.forEachSnapshotObject(7, [](const StoredObject&) {}); }),
        file.string() + ": no snapshot 7");
}

TEST(StorageSnapshots, GivenValuesPastWhatARecordHolds_ThenRefcountsAreClampedAndAddressesRefused)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    Graph graph = makeGraph(10);
    graph.objects[1].refcount = -5;
    graph.objects[2].refcount = std::int64_t { 1 } << 40;
    {
        auto db = Database::openForWriting(file);
        const std::int64_t id = writeSnapshot(db, graph);
        const Graph back = readSnapshot(db, id);
        EXPECT_EQ(back.objects[1].refcount, 0);
        EXPECT_EQ(back.objects[2].refcount, std::int64_t { std::numeric_limits<std::uint32_t>::max() });
    }
    for (auto [address, size] : { std::pair { kChunkMaxAddress + 1, std::uint64_t { 8 } },
             std::pair { std::uint64_t { 16 }, kChunkMaxSize + 1 } }) {
        auto db = Database::openForWriting(file);
        graph.objects[4].address = address;
        graph.objects[4].size = size;
        EXPECT_EQ(errorOf([&] { writeSnapshot(db, graph); }),
            file.string() + ": snapshot object 4 has an address or a size too large to store");
    }
    EXPECT_EQ(count(file, "snapshots"), 1) << "nothing of the refused snapshots is kept";
    EXPECT_EQ(count(file, "snapshot_object_list"), 10);
}

namespace {
// The graph's strings, then its objects, given to a writer that is not committed here.
void addGraph(SnapshotWriter& writer, const Graph& graph)
{
    for (std::uint32_t id = 1; id < graph.strings.size(); ++id)
        writer.addString(id, graph.strings[id]);
    for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
        const GraphObject& o = graph.objects[id];
        writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, o.label, o.refs);
    }
}
} // namespace

TEST(StorageSnapshots, GivenAWriterDestroyedWithoutCommit_ThenNoRowOfItRemains)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(5000);
    {
        auto db = Database::openForWriting(file);
        {
            SnapshotWriter writer(db, makeNewSnapshot());
            addGraph(writer, graph);
        }
        EXPECT_TRUE(Reader(db).snapshots().empty());
        // The connection is free again: the next snapshot gets stored.
        writeSnapshot(db, makeGraph(10));
    }
    EXPECT_EQ(count(file, "snapshots"), 1);
    EXPECT_EQ(count(file, "snapshot_object_list"), 10);
}

TEST(StorageSnapshots, GivenAWriterProcessKilledMidSnapshot_WhenTheFileIsRead_ThenNoHalfSnapshotIsThere)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(20'000);
    ASSERT_NO_FATAL_FAILURE(killWriterMidSnapshot(file, graph, SnapshotWriter::Journal::Shared));

    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(reader.sessions().size(), 1u) << "committed before the snapshot started";
    EXPECT_TRUE(reader.snapshots().empty());
    EXPECT_EQ(count(file, "snapshot_objects"), 0);
    EXPECT_EQ(count(file, "snapshot_chunks"), 0);
}

// `gcscope snapshot` stores alone, with a rollback journal (each byte written once, not into the log
// and again into the file). Killed in the middle, the file is half written and the journal holds its
// pages from before: the next open, even a read-only one, puts them back first.
TEST(StorageSnapshots, GivenAWriterAloneKilledMidSnapshot_WhenTheFileIsRead_ThenItIsRolledBackAndNoHalfSnapshotIsThere)
{
    TempDir dir;
    const auto file = dir.file("alone.db");
    const Graph graph = makeGraph(300'000); // far more than SQLite's page cache: pages reach the file
    ASSERT_NO_FATAL_FAILURE(killWriterMidSnapshot(file, graph, SnapshotWriter::Journal::Alone));
    const std::filesystem::path journal = file.string() + "-journal";
    ASSERT_TRUE(std::filesystem::exists(journal)) << "the writer did not use a rollback journal";
    EXPECT_FALSE(std::filesystem::exists(file.string() + "-wal"));

    {
        auto db = Database::openForReading(file);
        Reader reader(db);
        EXPECT_EQ(reader.sessions().size(), 1u) << "committed before the snapshot started";
        EXPECT_TRUE(reader.snapshots().empty());
    }
    EXPECT_FALSE(std::filesystem::exists(journal) && std::filesystem::file_size(journal) > 0);
    expectNoSnapshotRows(file);
    // And the file takes the next snapshot as if nothing had happened.
    auto db = Database::openForWriting(file);
    const auto id = writeSnapshot(db, makeGraph(1000), makeNewSnapshot(), SnapshotWriter::Journal::Alone);
    db.close();
    auto read = Database::openForReading(file);
    EXPECT_TRUE(sameGraph(readSnapshot(read, id), makeGraph(1000)));
}

// Stored alone, a snapshot reads back the same, and the file is back in WAL mode for a Recorder
// that goes on; with another connection reading, the writer shares the log as before, and that
// reader is not held up.
TEST(StorageSnapshots, GivenAWriterAlone_WhenAnotherConnectionReadsOrNot_ThenItUsesTheJournalItMayAndStoresTheSame)
{
    TempDir dir;
    const auto file = dir.file("alone.db");
    const Graph graph = makeExtremeGraph();
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    const auto session = recorder.beginSession(makeSession());
    const auto alone = writeSnapshot(db, graph, makeNewSnapshot(session), SnapshotWriter::Journal::Alone);
    EXPECT_EQ(rawQuery(file, "PRAGMA journal_mode"), "wal");
    recorder.addSample(session, makeSample(1));
    recorder.flush();
    EXPECT_EQ(count(file, "samples"), 1);

    std::int64_t shared = 0;
    {
        auto reader = Database::openForReading(file);
        Reader r(reader);
        ASSERT_EQ(r.snapshots().size(), 1u);
        SnapshotWriter writer(db, makeNewSnapshot(session), SnapshotWriter::Journal::Alone);
        for (std::uint32_t id = 1; id < graph.strings.size(); ++id)
            writer.addString(id, graph.strings[id]);
        for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
            const GraphObject& o = graph.objects[id];
            writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, o.label, o.refs);
        }
        EXPECT_TRUE(std::filesystem::exists(file.string() + "-wal"));
        EXPECT_FALSE(std::filesystem::exists(file.string() + "-journal"));
        EXPECT_EQ(Reader(reader).snapshots().size(), 1u) << "the reader reads on while the snapshot is written";
        shared = writer.commit(graph.tracked);
    }
    db.close();
    auto read = Database::openForReading(file);
    EXPECT_TRUE(sameGraph(readSnapshot(read, alone), graph));
    EXPECT_TRUE(sameGraph(readSnapshot(read, shared), graph));
}

TEST(StorageSnapshots, GivenARecorderOnTheSameDatabase_WhenASnapshotIsBeingWritten_ThenItWaitsForTheCommit)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    const auto session = recorder.beginSession(makeSession());
    recorder.addSample(session, makeSample(0)); // an open batch

    {
        SnapshotWriter writer(db, makeNewSnapshot(session));
        EXPECT_EQ(count(file, "samples"), 1) << "the open batch was committed when the snapshot started";
        EXPECT_EQ(errorOf([&] { recorder.addSample(session, makeSample(1)); }),
            file.string() + ": a snapshot is being written; record after it is committed");
        EXPECT_EQ(errorOf([&] { SnapshotWriter second(db, makeNewSnapshot()); }),
            file.string() + ": another snapshot is being written");
        writer.addObject(0, 1, 0, 16, 1, 0, 0, {});
        writer.commit(0);
        recorder.addSample(session, makeSample(1));
    }
    {
        SnapshotWriter abandoned(db, makeNewSnapshot(session));
    }
    recorder.addSample(session, makeSample(2));
    recorder.endSession(session, 99, true, "detach");

    Reader reader(db);
    EXPECT_EQ(reader.sampleCount(session), 3);
    EXPECT_EQ(reader.snapshots().size(), 1u);
}

TEST(StorageSnapshots, GivenADatabaseClosedMidSnapshot_ThenTheSnapshotIsRolledBackAndTheWriterThrows)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    SnapshotWriter writer(db, makeNewSnapshot());
    writer.addObject(0, 1, 0, 16, 1, 0, 0, {});
    db.close();
    EXPECT_EQ(errorOf([&] { writer.addObject(1, 2, 0, 16, 1, 0, 0, {}); }),
        file.string() + ": closed while a snapshot was being written");
    expectNoSnapshotRows(file);
}

// The writer hands its chunks to a thread that inserts them while it encodes the next: closing the
// database meanwhile stops that thread first (nothing runs on a closed connection), and the
// snapshot is rolled back as before.
TEST(StorageSnapshots, GivenADatabaseClosedWhileChunksWaitToBeInserted_ThenNothingOfTheSnapshotRemains)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(60000);
    auto db = Database::openForWriting(file);
    SnapshotWriter writer(db, makeNewSnapshot(), SnapshotWriter::Journal::Alone);
    addGraph(writer, graph);
    db.close();
    EXPECT_EQ(errorOf([&] { writer.commit(0); }), file.string() + ": closed while a snapshot was being written");
    expectNoSnapshotRows(file);
}

// An insert that fails on the inserting thread (here: the file may not grow) is the writer's error
// at its next call, and the snapshot is not stored; the connection serves the next one.
TEST(StorageSnapshots, GivenAnInsertThatFailsOnTheInsertingThread_WhenWritten_ThenTheWriterThrowsItAndStoresNothing)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(60000);
    auto db = Database::openForWriting(file);
    std::int64_t pages = 0;
    {
        Statement count(db, "PRAGMA page_count");
        ASSERT_TRUE(count.step());
        pages = count.integer(0);
    }
    db.exec("PRAGMA max_page_count = " + std::to_string(pages + 8));
    std::string error;
    try {
        SnapshotWriter writer(db, makeNewSnapshot());
        addGraph(writer, graph);
        writer.commit(0);
    } catch (const StorageError& e) {
        error = e.what();
    }
    EXPECT_NE(error.find("full"), std::string::npos) << error;
    EXPECT_TRUE(Reader(db).snapshots().empty());
    db.exec("PRAGMA max_page_count = 1073741823");
    writeSnapshot(db, makeGraph(10));
    EXPECT_EQ(Reader(db).snapshots().size(), 1u);
}

TEST(StorageSnapshots, GivenInconsistentInput_WhenWritten_ThenTheWriterRefusesAndStoresNothing)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    const std::string prefix = file.string() + ": ";
    const StoredReference toObject5[] = { { 5, 0 } };
    const StoredReference namedByString3[] = { { 0, 3 } };

    SnapshotWriter outOfOrder(db, makeNewSnapshot());
    outOfOrder.addObject(0, 1, 0, 16, 1, 0, 0, {});
    EXPECT_EQ(errorOf([&] { outOfOrder.addObject(2, 1, 0, 16, 1, 0, 0, {}); }),
        prefix + "snapshot object 2 added out of order (expected 1)");
    EXPECT_EQ(errorOf([&] { outOfOrder.addString(0, "x"); }), prefix + "snapshot string 0 must be empty");
    outOfOrder.addString(1, "a");
    EXPECT_EQ(errorOf([&] { outOfOrder.addString(1, "b"); }),
        prefix
            + "INSERT INTO snapshot_strings: UNIQUE constraint failed: snapshot_strings.snapshot_id, "
              "snapshot_strings.id");
    outOfOrder.addObject(1, 1, 0, 16, 1, 0, 0, toObject5);
    EXPECT_EQ(errorOf([&] { outOfOrder.commit(0); }),
        prefix + "snapshot not stored: a reference to object 5, but only 2 objects");
    EXPECT_EQ(errorOf([&] { outOfOrder.addObject(2, 1, 0, 16, 1, 0, 0, {}); }),
        prefix + "snapshot already committed or abandoned");

    {
        SnapshotWriter gap(db, makeNewSnapshot());
        gap.addString(1, "a");
        gap.addString(3, "c");
        gap.addObject(0, 1, 1, 16, 1, 0, 0, {});
        EXPECT_EQ(errorOf([&] { gap.commit(0); }),
            prefix + "snapshot not stored: string ids up to 3 but 2 strings (ids must be 1..n)");
    }
    {
        SnapshotWriter unknownString(db, makeNewSnapshot());
        unknownString.addString(1, "a");
        unknownString.addObject(0, 1, 1, 16, 1, 0, 0, namedByString3);
        EXPECT_EQ(
            errorOf([&] { unknownString.commit(0); }), prefix + "snapshot not stored: string 3 used but not added");
    }
    {
        SnapshotWriter tooManyTracked(db, makeNewSnapshot());
        tooManyTracked.addObject(0, 1, 0, 16, 1, 0, 0, {});
        EXPECT_EQ(errorOf([&] { tooManyTracked.commit(2); }),
            prefix + "snapshot not stored: 2 tracked objects, but only 1 objects");
    }
    EXPECT_EQ(errorOf([&] { SnapshotWriter noSuchSession(db, makeNewSnapshot(42)); }),
        prefix + "INSERT INTO snapshots: FOREIGN KEY constraint failed");
    db.close();
    expectNoSnapshotRows(file);

    auto reading = Database::openForReading(file);
    EXPECT_EQ(errorOf([&] { SnapshotWriter refused(reading, makeNewSnapshot()); }),
        prefix + "opened for reading, cannot write a snapshot");
}

TEST(StorageSnapshots, GivenAnEmptySnapshot_WhenStored_ThenItReadsBackEmpty)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    const std::int64_t id = SnapshotWriter(db, makeNewSnapshot()).commit(0);
    Reader reader(db);
    EXPECT_EQ(reader.snapshot(id)->objects, 0u);
    EXPECT_EQ(asVector(reader.readSnapshotStrings(id)), std::vector<std::string> { "" });
    int visits = 0;
    reader.forEachSnapshotObject(id, [&](const StoredObject&) { ++visits; });
    EXPECT_EQ(visits, 0);
}

// A stored chunk as its parts, so that a test can damage one field and lay it out again.
struct RawChunk {
    struct Object {
        std::uint64_t address = 0, size = 0;
        std::int64_t refcount = 0;
        std::uint64_t type = 0, label = 0, flags = 0;
        std::vector<unsigned char> refs; // encoded, as stored
    };
    std::vector<Object> objects;

    static RawChunk read(std::span<const unsigned char> blob, std::uint32_t n, ChunkLayout layout)
    {
        ChunkView view;
        EXPECT_TRUE(view.open(blob, n, layout));
        RawChunk chunk;
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto refs = view.refs(i);
            chunk.objects.push_back({ view.address(i), view.size(i), view.refcount(i), view.type(i), view.label(i),
                view.flags(i), { refs.begin(), refs.end() } });
        }
        return chunk;
    }

    // Laid out in `layout` as docs/schema.md describes it, written apart from ChunkBuilder.
    std::vector<unsigned char> bytes(ChunkLayout layout) const
    {
        std::vector<unsigned char> blob;
        const auto put = [&](std::uint64_t value, std::size_t bytes) {
            for (std::size_t k = 0; k < bytes; ++k)
                blob.push_back(static_cast<unsigned char>(value >> (8 * k)));
        };
        std::vector<std::array<std::uint64_t, 7>> records;
        std::uint64_t end = 0;
        for (const auto& o : objects)
            records.push_back({ o.address, o.size, static_cast<std::uint64_t>(o.refcount), o.type, o.label, o.flags,
                end += o.refs.size() });
        if (layout == ChunkLayout::Records) {
            constexpr std::size_t kWidths[7] = { 7, 5, 4, 4, 4, 1, 4 };
            for (const auto& r : records)
                for (int f = 0; f < 7; ++f)
                    put(r[f], kWidths[f]);
        } else {
            // The least of each field (the label's least above 0; refs_end's 0) and the bytes the
            // largest difference needs; the address by 16 when every difference allows it.
            const auto widthOf = [](std::uint64_t v) {
                std::size_t w = 0;
                for (; v != 0; v >>= 8)
                    ++w;
                return w;
            };
            std::array<std::uint64_t, 7> base {};
            std::array<std::size_t, 7> width {};
            unsigned shift = 4;
            for (int f = 0; f < 7; ++f) {
                std::uint64_t least = UINT64_MAX;
                for (const auto& r : records)
                    if (f != 4 || r[f] != 0)
                        least = std::min(least, r[f]);
                base[f] = least == UINT64_MAX || f == 6 ? 0 : least;
            }
            for (const auto& r : records)
                if ((r[0] - base[0]) % 16 != 0)
                    shift = 0;
            for (auto& r : records) {
                r[0] = (r[0] - base[0]) >> shift;
                for (int f = 1; f < 7; ++f)
                    r[f] = f == 4 ? (r[f] == 0 ? 0 : r[f] - base[f] + 1) : r[f] - base[f];
                for (int f = 0; f < 7; ++f)
                    width[f] = std::max(width[f], widthOf(r[f]));
            }
            blob.push_back(static_cast<unsigned char>(shift));
            for (int f = 0; f < 7; ++f)
                blob.push_back(static_cast<unsigned char>(width[f] | widthOf(base[f]) << 4));
            for (int f = 0; f < 7; ++f)
                put(base[f], widthOf(base[f]));
            for (const auto& r : records)
                for (int f = 0; f < 7; ++f)
                    put(r[f], width[f]);
        }
        for (const auto& o : objects)
            blob.insert(blob.end(), o.refs.begin(), o.refs.end());
        return blob;
    }

    std::string hex(ChunkLayout layout) const
    {
        std::string text;
        for (unsigned char b : bytes(layout)) {
            constexpr char kDigits[] = "0123456789abcdef";
            text += kDigits[b >> 4];
            text += kDigits[b & 15];
        }
        return text;
    }
};

// Replaces the only chunk of snapshot 1 by `edit`'s version of it, in the chunk's own layout.
void editChunk(const std::filesystem::path& file, void (*edit)(RawChunk&))
{
    const std::string hex = rawQuery(file, "SELECT hex(data) FROM snapshot_chunks WHERE snapshot_id = 1");
    const auto n = static_cast<std::uint32_t>(std::stoul(rawQuery(file, "SELECT objects FROM snapshot_chunks")));
    const auto layout = static_cast<ChunkLayout>(std::stoi(rawQuery(file, "SELECT layout FROM snapshot_chunks")));
    std::vector<unsigned char> blob;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        blob.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    RawChunk chunk = RawChunk::read(blob, n, layout);
    edit(chunk);
    rawExec(file, "UPDATE snapshot_chunks SET data = x'" + chunk.hex(layout) + "' WHERE snapshot_id = 1");
}

// Snapshots damaged after they were written, with plain SQL or in their chunk: each read gives one
// exact line.
struct DamagedSnapshot {
    const char* name;
    const char* sql; // ?1-free SQL run on the closed file; the snapshot has id 1 and 10 objects
    void (*edit)(RawChunk&); // or this change to its one chunk
    const char* problem;
};

// ctest lists the damage by name rather than as bytes.
void PrintTo(const DamagedSnapshot& damage, std::ostream* out)
{
    *out << damage.name;
}

class StorageDamagedSnapshot : public testing::TestWithParam<DamagedSnapshot> { };

TEST_P(StorageDamagedSnapshot, GivenTheDamage_WhenTheSnapshotIsRead_ThenACorruptErrorInsteadOfACrash)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    ASSERT_EQ(writeSmallSnapshot(file), 1);
    ASSERT_EQ(count(file, "snapshot_chunks"), 1) << "10 objects are one chunk";
    if (GetParam().sql)
        rawExec(file, GetParam().sql);
    else
        editChunk(file, GetParam().edit);
    auto db = Database::openForReading(file);
    Reader reader(db);
    const std::string error = errorOf([&] {
        reader.readSnapshotStrings(1);
        reader.forEachSnapshotObject(1, [](const StoredObject&) {});
    });
    EXPECT_EQ(error, file.string() + ": corrupt (" + GetParam().problem + ")");
}

const DamagedSnapshot kDamagedSnapshots[] = {
    { "VarintCutShort", nullptr,
        [](RawChunk& c) {
            c.objects[2].refs = { 0x02, 0x00, 0xff };
        },
        "snapshot 1, object 2: bad references blob" },
    { "VarintTooLong", nullptr,
        [](RawChunk& c) {
            c.objects[2].refs = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 };
        },
        "snapshot 1, object 2: bad references blob" },
    { "ReferenceBeforeObject0", nullptr,
        [](RawChunk& c) {
            c.objects[4].refs = { 0x09, 0x00 };
        },
        "snapshot 1, object 4: bad references blob" },
    { "ReferencePastTheLastObject", nullptr,
        [](RawChunk& c) {
            c.objects[9].refs = { 0x0a, 0x00 };
        },
        "snapshot 1, object 9: reference out of range" },
    { "UnknownEdgeName", nullptr,
        [](RawChunk& c) {
            c.objects[2].refs = { 0x02, 0xf0, 0x0f };
        },
        "snapshot 1, object 2: reference out of range" },
    { "UnknownType", nullptr, [](RawChunk& c) { c.objects[3].type = 100000; },
        "snapshot 1, object 3: unknown string id" },
    { "UnknownLabel", nullptr, [](RawChunk& c) { c.objects[3].label = 100000; },
        "snapshot 1, object 3: unknown string id" },
    { "TypePast32Bits", nullptr, [](RawChunk& c) { c.objects[3].type = (std::uint64_t { 1 } << 32) + 5; },
        "snapshot 1, object 3: unknown string id" },
    { "LabelPast63Bits", nullptr, [](RawChunk& c) { c.objects[3].label = UINT64_MAX - 3; },
        "snapshot 1, object 3: unknown string id" },
    { "FlagsPast8Bits", nullptr, [](RawChunk& c) { c.objects[5].flags = 0x101; }, "snapshot 1, object 5: bad flags" },
    { "UnknownLayout", "UPDATE snapshot_chunks SET layout = 2", nullptr, "snapshot 1, object 0: unknown chunk layout" },
    { "PackedReadAsRecords", "UPDATE snapshot_chunks SET layout = 0", nullptr, "snapshot 1, object 0: bad chunk" },
    { "FieldWiderThan8Bytes", "UPDATE snapshot_chunks SET data = substr(data, 1, 3) || x'09' || substr(data, 5)",
        nullptr, "snapshot 1, object 0: bad chunk" },
    { "ShiftPast15", "UPDATE snapshot_chunks SET data = x'10' || substr(data, 2)", nullptr,
        "snapshot 1, object 0: bad chunk" },
    { "HeaderCutShort", "UPDATE snapshot_chunks SET data = substr(data, 1, 6)", nullptr,
        "snapshot 1, object 0: bad chunk" },
    { "ChunkCutShort", "UPDATE snapshot_chunks SET data = substr(data, 1, 100)", nullptr,
        "snapshot 1, object 0: bad chunk" },
    { "ReferencesPastTheChunk", "UPDATE snapshot_chunks SET data = substr(data, 1, length(data) - 1)", nullptr,
        "snapshot 1, object 0: bad chunk" },
    { "ChunkCountsTooFew", "UPDATE snapshot_chunks SET objects = 9", nullptr, "snapshot 1, object 0: bad chunk" },
    { "ChunkOutOfPlace", "UPDATE snapshot_chunks SET first_id = 1", nullptr,
        "snapshot 1, object 0: ids are not 0..n-1" },
    { "MissingChunk", "DELETE FROM snapshot_chunks", nullptr, "snapshot 1 has 0 objects, its header says 10" },
    { "ExtraObject", "UPDATE snapshots SET objects = 9", nullptr, "snapshot 1, object 0: ids are not 0..n-1" },
    { "MissingString", "DELETE FROM snapshot_strings WHERE id = 3", nullptr,
        "snapshot 1 has 205 strings with ids up to 206" },
};

INSTANTIATE_TEST_SUITE_P(Damage, StorageDamagedSnapshot, testing::ValuesIn(kDamagedSnapshots),
    [](const auto& info) { return std::string(info.param.name); });

namespace {
// What the snapshot holds per type, counted from its objects.
std::vector<StoredTypeTotal> countedTypeTotals(const Graph& graph)
{
    std::map<std::uint32_t, StoredTypeTotal> byType;
    for (const auto& o : graph.objects) {
        auto& t = byType[o.type];
        t.type = graph.strings[o.type];
        ++t.objects;
        t.size += o.size;
    }
    std::vector<StoredTypeTotal> totals;
    for (auto& [id, t] : byType)
        totals.push_back(t);
    return totals;
}
} // namespace

// Schema 6 stores a snapshot's totals per type with it: what `gcscope diff` reads instead of every object.
TEST(SnapshotTypeTotals, GivenAStoredSnapshot_WhenItsTypeTotalsAreRead_ThenTheyAreItsObjectsCountedByType)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    const Graph graph = makeGraph(5'000);
    const auto id = writeSnapshot(db, graph);
    const auto totals = Reader(db).snapshotTypeTotals(id);
    ASSERT_TRUE(totals.has_value());
    EXPECT_EQ(*totals, countedTypeTotals(graph));
    EXPECT_GE(totals->size(), 3u);

    // An empty snapshot has none, and says so rather than "not stored".
    const auto empty = writeSnapshot(db, Graph { { "" }, {}, 0 });
    const auto none = Reader(db).snapshotTypeTotals(empty);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

// Type names come among the labels in a snapshot's string table, so their ids run as high as the
// table: hundreds of types, ids spread over tens of thousands of strings, each counted apart.
TEST(SnapshotTypeTotals, GivenHundredsOfTypesWithIdsSpreadAmongTheLabels_WhenStored_ThenEachTypesTotalsAreItsOwn)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    Graph graph = makeGraph(20'000, 1);
    std::vector<std::uint32_t> types;
    for (int i = 0; i < 30'000; ++i) {
        if (i % 53 == 7) {
            types.push_back(static_cast<std::uint32_t>(graph.strings.size()));
            graph.strings.push_back("__main__.Type" + std::to_string(i));
        } else {
            graph.strings.push_back("label " + std::to_string(i));
        }
    }
    ASSERT_GT(types.size(), 500u);
    std::mt19937 random(7);
    for (auto& o : graph.objects)
        o.type = types[random() % types.size()];
    const auto id = writeSnapshot(db, graph);
    const auto totals = Reader(db).snapshotTypeTotals(id);
    ASSERT_TRUE(totals.has_value());
    EXPECT_EQ(totals->size(), types.size());
    EXPECT_EQ(*totals, countedTypeTotals(graph));
}

TEST(SnapshotTypeTotals, GivenASnapshotStoredBeforeSchema6_WhenMigrated_ThenItHasNoTotalsAndANewOneHas)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(1'000);
    {
        auto db = Database::openForWriting(file, schemaMigrations().first(5));
        writeSnapshot(db, graph);
        EXPECT_FALSE(Reader(db).snapshotTypeTotals(1).has_value()) << "schema 5 has no such table";
    }
    auto db = Database::openForWriting(file);
    EXPECT_FALSE(Reader(db).snapshotTypeTotals(1).has_value());
    const auto id = writeSnapshot(db, graph);
    EXPECT_EQ(Reader(db).snapshotTypeTotals(id), countedTypeTotals(graph));
}

TEST(SnapshotTypeTotals, GivenTotalsThatDoNotAddUpToTheObjects_WhenRead_ThenTheFileIsCalledCorrupt)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    {
        auto db = Database::openForWriting(file);
        writeSnapshot(db, makeGraph(1'000));
    }
    rawExec(
        file, "UPDATE snapshot_types SET objects = objects + 1 WHERE type = (SELECT min(type) FROM snapshot_types)");
    auto db = Database::openForReading(file);
    try {
        Reader(db).snapshotTypeTotals(1);
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
    }
}

namespace {
// Strings 1..n: every third a name (a row), the others labels (chunks), with texts that try the
// chunk format: commas and digits, empty, multi-byte UTF-8, long.
std::vector<std::string> labelTestStrings(std::uint32_t n)
{
    std::vector<std::string> strings { "" };
    for (std::uint32_t i = 1; i <= n; ++i) {
        switch (i % 7) {
        case 0:
            strings.push_back("12,34,");
            break;
        case 1:
            strings.push_back("");
            break;
        case 2:
            strings.push_back("caf\xc3\xa9 \xe2\x82\xac " + std::to_string(i));
            break;
        case 3:
            strings.push_back(std::string(700 + i % 300, 'x'));
            break;
        default:
            strings.push_back("label-" + std::to_string(i));
            break;
        }
    }
    return strings;
}

std::int64_t writeWithLabels(Database& db, const std::vector<std::string>& strings)
{
    SnapshotWriter writer(db, makeNewSnapshot());
    for (std::uint32_t i = 1; i < strings.size(); ++i) {
        if (i % 3 == 0)
            writer.addString(i, strings[i]);
        else
            writer.addLabel(i, strings[i]);
    }
    // One object per string, labelled with it, the type a name.
    for (std::uint32_t i = 1; i < strings.size(); ++i)
        writer.addObject(i - 1, 0x1000 + 16 * i, 3, 16, 1, wire::kObjectTracked, i, {});
    return writer.commit(strings.size() - 1);
}

// rec.db in `dir`, holding one snapshot written by writeWithLabels (its id 1).
std::filesystem::path fileWithLabels(const TempDir& dir, const std::vector<std::string>& strings)
{
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    EXPECT_EQ(writeWithLabels(db, strings), 1);
    return file;
}
} // namespace

// Schema 6 stores label-only strings by chunks: they read back with the rows, id for id, through the
// Reader and through plain SQL.
TEST(SnapshotLabels, GivenLabelsByChunksAndNamesByRows_WhenRead_ThenEveryStringComesBackAtItsId)
{
    TempDir dir;
    const auto strings = labelTestStrings(3000);
    const auto file = fileWithLabels(dir, strings);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_strings"), "1000");
    EXPECT_GT(std::stoi(rawQuery(file, "SELECT count(*) FROM snapshot_label_chunks")), 8) << "cut by bytes and count";
    EXPECT_EQ(
        rawQuery(file, "SELECT max(strings) <= 256 AND max(length(data)) < 9 * 1024 FROM snapshot_label_chunks"), "1");
    auto db = Database::openForReading(file);
    EXPECT_EQ(asVector(Reader(db).readSnapshotStrings(1)), strings);
    // The view: the same strings, each once.
    EXPECT_EQ(rawQuery(file,
                  "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || min(id) || ' ' || max(id)"
                  " FROM snapshot_string_list"),
        "3000 3000 1 3000");
    const auto differing = rawQuery(file,
        "SELECT count(*) FROM snapshot_string_list l WHERE l.text IS NOT CAST(CASE l.id % 7"
        " WHEN 0 THEN '12,34,' WHEN 1 THEN '' WHEN 2 THEN 'café € ' || l.id"
        " WHEN 3 THEN printf('%.*c', 700 + l.id % 300, 'x') ELSE 'label-' || l.id END AS TEXT)");
    EXPECT_EQ(differing, "0");
}

// A caller that may stop (gcscope-gui's Cancel) is called between chunks of labels, and its
// exception ends the read; the file reads whole again afterwards.
TEST(SnapshotLabels, GivenManyChunksOfLabels_WhenReadWithACallBetween_ThenItIsCalledAndMayStopTheRead)
{
    TempDir dir;
    const auto strings = labelTestStrings(40000);
    const auto file = fileWithLabels(dir, strings);
    const auto chunks = std::stoull(rawQuery(file, "SELECT count(*) FROM snapshot_label_chunks"));
    ASSERT_GE(chunks, 2 * Reader::kStringChunksBetweenCalls) << "enough chunks for two calls";
    auto db = Database::openForReading(file);
    std::uint64_t calls = 0;
    EXPECT_EQ(asVector(Reader(db).readSnapshotStrings(1, [&] { ++calls; })), strings);
    EXPECT_EQ(calls, (chunks - 1) / Reader::kStringChunksBetweenCalls);
    struct Stop { };
    calls = 0;
    EXPECT_THROW(Reader(db).readSnapshotStrings(1,
                     [&] {
                         if (++calls == 1)
                             throw Stop {};
                     }),
        Stop);
    EXPECT_EQ(calls, 1u);
    EXPECT_EQ(asVector(Reader(db).readSnapshotStrings(1)), strings);
}

TEST(SnapshotLabels, GivenLabelIdsThatDoNotIncrease_WhenAdded_ThenTheWriterRefusesAndKeepsNothing)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    {
        SnapshotWriter writer(db, makeNewSnapshot());
        writer.addLabel(2, "b");
        EXPECT_THROW(writer.addLabel(1, "a"), StorageError);
    }
    EXPECT_TRUE(Reader(db).snapshots().empty());
}

// A damaged label chunk is a corrupt file, never a crash nor a wrong string.
TEST(SnapshotLabels, GivenADamagedLabelChunk_WhenRead_ThenTheFileIsCalledCorrupt)
{
    const std::vector<std::pair<const char*, std::string>> damages {
        { "a length past the end",
            "UPDATE snapshot_label_chunks SET data = CAST('0,999999,x' AS BLOB) WHERE rowid = 1" },
        { "not a number", "UPDATE snapshot_label_chunks SET data = CAST('0,a,' AS BLOB) WHERE rowid = 1" },
        { "bytes left over", "UPDATE snapshot_label_chunks SET data = data || x'00' WHERE rowid = 1" },
        { "an id a row has", "UPDATE snapshot_label_chunks SET first_id = 3 WHERE rowid = 1" },
        { "a chunk gone", "DELETE FROM snapshot_label_chunks WHERE rowid = 2" },
        { "a count too big", "UPDATE snapshot_label_chunks SET strings = strings + 1 WHERE rowid = 1" },
        { "no strings", "UPDATE snapshot_label_chunks SET strings = 0 WHERE rowid = 1" },
    };
    const auto strings = labelTestStrings(600);
    for (const auto& [what, sql] : damages) {
        SCOPED_TRACE(what);
        TempDir dir;
        const auto file = dir.file("rec.db");
        {
            auto db = Database::openForWriting(file);
            writeWithLabels(db, strings);
        }
        rawExec(file, sql);
        auto db = Database::openForReading(file);
        const auto error = errorOf([&] { Reader(db).readSnapshotStrings(1); });
        EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
        const auto objects = errorOf([&] { Reader(db).forEachSnapshotObject(1, [](const StoredObject&) {}); });
        EXPECT_TRUE(objects == "<no error>" || objects.find("corrupt") != std::string::npos) << objects;
    }
}

// Type names' string ids run as high as the string table: the writer, the receiver and the loader
// map the few that name types through a small table, which must give each id its own value, made once.
TEST(TypeIds, GivenHundredsOfIdsSpreadUpToTenMillion_WhenAskedRepeatedly_ThenEachIsInternedOnceAndKeepsItsIndex)
{
    TypeIds ids;
    std::vector<std::uint32_t> asked;
    std::uint32_t made = 0;
    auto intern = [&](std::uint32_t id) {
        asked.push_back(id);
        return 1000 + made++;
    };
    std::vector<std::uint32_t> spread;
    for (std::uint32_t id = 0; id < 10'000'000; id += 9'973)
        spread.push_back(id);
    spread.push_back(0xFFFFFFFFu); // the largest id too
    for (int round = 0; round < 3; ++round)
        for (std::size_t i = 0; i < spread.size(); ++i)
            ASSERT_EQ(ids.of(spread[i], intern), 1000 + i) << spread[i] << " in round " << round;
    EXPECT_EQ(asked, spread);
}

// The records without references (an earlier snapshot a report compares object by object): the
// objects' own fields and their number of references, as the full read gives them, from chunks and
// from the rows of a snapshot stored before schema 5; a damaged references blob is refused the same.
TEST(SnapshotRecords, GivenAStoredSnapshot_WhenReadWithoutReferences_ThenEachRecordMatchesTheFullRead)
{
    TempDir dir;
    for (const int version : { kSchemaVersion, 4 }) {
        const auto file = dir.file("records" + std::to_string(version) + ".db");
        std::int64_t id = 0;
        {
            auto db = Database::openForWriting(file, schemaMigrations().first(static_cast<std::size_t>(version)));
            id = writeSnapshot(db, makeGraph(3'000, 4));
            db.close();
        }
        const auto db = Database::openForReading(file);
        const Reader reader(db);
        std::vector<StoredObject> full;
        reader.forEachSnapshotObject(id, [&](const StoredObject& o) { full.push_back(o); });
        std::size_t n = 0;
        reader.forEachSnapshotRecord(id, [&](const StoredRecord& r) {
            ASSERT_LT(n, full.size());
            const auto& o = full[n++];
            EXPECT_EQ(r.id, o.id);
            EXPECT_EQ(r.address, o.address);
            EXPECT_EQ(r.type, o.type);
            EXPECT_EQ(r.size, o.size);
            EXPECT_EQ(r.flags, o.flags);
            EXPECT_EQ(r.references, o.refs.size()) << "object " << o.id;
        });
        EXPECT_EQ(n, full.size()) << "schema " << version;
        EXPECT_EQ(reader.snapshotString(id, full[0].type), asVector(reader.readSnapshotStrings(id))[full[0].type]);
    }
    const auto file = dir.file("damaged.db");
    ASSERT_EQ(writeSmallSnapshot(file), 1);
    editChunk(file, [](RawChunk& c) { c.objects[2].refs = { 0x02, 0x00, 0xff }; });
    const auto db = Database::openForReading(file);
    EXPECT_EQ(errorOf([&] { Reader(db).forEachSnapshotRecord(1, [](const StoredRecord&) {}); }),
        file.string() + ": corrupt (snapshot 1, object 2: bad references blob)");
}
