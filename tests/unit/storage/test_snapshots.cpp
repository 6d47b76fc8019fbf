// Heap snapshots: what the SnapshotWriter stores comes back from the Reader unchanged, a snapshot is
// all or nothing, and a damaged snapshot gives a one-line error instead of a crash.
#include "SnapshotTestSupport.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/storage/StorageError.h>
#include <gcscope/wire.h>

#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <limits>
#include <ostream>
#include <sys/wait.h>
#include <unistd.h>

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
    constexpr std::int64_t kMinInt = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();
    constexpr std::uint64_t kMaxUnsigned = std::numeric_limits<std::uint64_t>::max();
    const std::uint32_t last = static_cast<std::uint32_t>(g.objects.size() - 1);
    g.objects[0] = { 0, 0, 0, 0, 0, 0, {} };
    g.objects[1] = { kMaxUnsigned, lastString, kMaxUnsigned, kMinInt, 0xff, lastString - 1,
        { { last, wire::kEdgeIndexBit | 0x7fff'ffffu }, { 0, lastString }, { 1, 0 }, { last, 0 } } };
    g.objects[2] = { 1, 1, 1, kMaxInt, wire::kObjectTracked | wire::kObjectExplicitRoot, 0, { { 2, 0 } } };
    g.objects[3].refcount = -1;
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
    EXPECT_EQ(std::to_string(withoutRefs), rawQuery(file, "SELECT count(*) FROM snapshot_objects WHERE refs IS NULL"));

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
    EXPECT_EQ(reader.readSnapshotStrings(b), second.strings);
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

TEST(StorageSnapshots, GivenAWriterDestroyedWithoutCommit_ThenNoRowOfItRemains)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(5000);
    {
        auto db = Database::openForWriting(file);
        {
            SnapshotWriter writer(db, makeNewSnapshot());
            for (std::uint32_t id = 1; id < graph.strings.size(); ++id)
                writer.addString(id, graph.strings[id]);
            for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
                const GraphObject& o = graph.objects[id];
                writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, o.label, o.refs);
            }
        }
        EXPECT_TRUE(Reader(db).snapshots().empty());
        // The connection is free again: the next snapshot gets stored.
        writeSnapshot(db, makeGraph(10));
    }
    EXPECT_EQ(count(file, "snapshots"), 1);
    EXPECT_EQ(count(file, "snapshot_objects"), 10);
}

TEST(StorageSnapshots, GivenAWriterProcessKilledMidSnapshot_WhenTheFileIsRead_ThenNoHalfSnapshotIsThere)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(20'000);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Only this process's own connection, then killed without any destructor or rollback.
        auto db = Database::openForWriting(file);
        Recorder recorder(db);
        recorder.beginSession(makeSession());
        SnapshotWriter writer(db, makeNewSnapshot());
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

    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(reader.sessions().size(), 1u) << "committed before the snapshot started";
    EXPECT_TRUE(reader.snapshots().empty());
    EXPECT_EQ(count(file, "snapshot_objects"), 0);
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
    EXPECT_EQ(reader.readSnapshotStrings(id), std::vector<std::string> { "" });
    int visits = 0;
    reader.forEachSnapshotObject(id, [&](const StoredObject&) { ++visits; });
    EXPECT_EQ(visits, 0);
}

// Snapshots damaged with plain SQL after they were written: each read gives one exact line.
struct DamagedSnapshot {
    const char* name;
    const char* sql; // ?1-free SQL run on the closed file; the snapshot has id 1 and 10 objects
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
    rawExec(file, GetParam().sql);
    auto db = Database::openForReading(file);
    Reader reader(db);
    const std::string error = errorOf([&] {
        reader.readSnapshotStrings(1);
        reader.forEachSnapshotObject(1, [](const StoredObject&) {});
    });
    EXPECT_EQ(error, file.string() + ": corrupt (" + GetParam().problem + ")");
}

const DamagedSnapshot kDamagedSnapshots[] = {
    { "VarintCutShort", "UPDATE snapshot_objects SET refs = x'0200ff' WHERE id = 2",
        "snapshot 1, object 2: bad references blob" },
    { "VarintTooLong", "UPDATE snapshot_objects SET refs = x'ffffffffff0100' WHERE id = 2",
        "snapshot 1, object 2: bad references blob" },
    { "ReferenceBeforeObject0", "UPDATE snapshot_objects SET refs = x'0900' WHERE id = 4",
        "snapshot 1, object 4: bad references blob" },
    { "ReferencePastTheLastObject", "UPDATE snapshot_objects SET refs = x'0a00' WHERE id = 9",
        "snapshot 1, object 9: reference out of range" },
    { "UnknownEdgeName", "UPDATE snapshot_objects SET refs = x'02f00f' WHERE id = 2",
        "snapshot 1, object 2: reference out of range" },
    { "UnknownType", "UPDATE snapshot_objects SET type = 100000 WHERE id = 3",
        "snapshot 1, object 3: unknown string id" },
    { "BadFlags", "UPDATE snapshot_objects SET flags = 256 WHERE id = 3", "snapshot 1, object 3: bad flags" },
    { "MissingObject", "DELETE FROM snapshot_objects WHERE id = 5", "snapshot 1, object 5: ids are not 0..n-1" },
    { "MissingLastObject", "DELETE FROM snapshot_objects WHERE id = 9",
        "snapshot 1 has 9 objects, its header says 10" },
    { "ExtraObject", "UPDATE snapshots SET objects = 9", "snapshot 1, object 9: ids are not 0..n-1" },
    { "MissingString", "DELETE FROM snapshot_strings WHERE id = 3", "snapshot 1 has 205 strings with ids up to 206" },
};

INSTANTIATE_TEST_SUITE_P(Damage, StorageDamagedSnapshot, testing::ValuesIn(kDamagedSnapshots),
    [](const auto& info) { return std::string(info.param.name); });
