// Schema migrations: the real step 1 -> 2 (heap snapshots) on a file recorded with version 1, and a
// fake next version added to the built-in list for the migrator's general behaviour.
#include "SnapshotTestSupport.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

#include <stdexcept>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

constexpr int kNextVersion = kSchemaVersion + 1;

std::vector<MigrationStep> withStep(std::string_view sql)
{
    std::vector<MigrationStep> steps(schemaMigrations().begin(), schemaMigrations().end());
    steps.push_back({ kNextVersion, sql });
    return steps;
}

constexpr std::string_view kFakeNextVersion
    = "CREATE TABLE annotations (id INTEGER PRIMARY KEY, t_ns INTEGER NOT NULL);"
      "ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';";

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const StorageError& e) {
        return e.what();
    }
    return "<no error>";
}

} // namespace

TEST(StorageMigration, GivenTheBuiltInList_ThenItEndsAtTheCurrentVersion)
{
    EXPECT_EQ(kSchemaVersion, 9);
    EXPECT_EQ(schemaMigrations().size(), static_cast<std::size_t>(kSchemaVersion));
    EXPECT_EQ(schemaMigrations().back().toVersion, kSchemaVersion);
}

TEST(StorageMigration, GivenAVersion1Recording_WhenOpenedForWriting_ThenItBecomesCurrentKeepingItsSessions)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion1Recording(file, 25);
    ASSERT_EQ(rawQuery(file, "PRAGMA user_version"), "1");
    ASSERT_EQ(rawQuery(file, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'snapshot%'"), "0");

    const Graph graph = makeGraph(100);
    std::int64_t snapshotId = 0;
    {
        auto db = Database::openForWriting(file);
        EXPECT_EQ(db.schemaVersion(), kSchemaVersion);
        Reader reader(db);
        const auto sessions = reader.sessions();
        ASSERT_EQ(sessions.size(), 1u);
        EXPECT_EQ(sessions[0].argv, makeSession().argv);
        EXPECT_TRUE(sessions[0].complete);
        EXPECT_EQ(reader.sampleCount(sessions[0].id), 25);
        EXPECT_TRUE(reader.snapshots().empty());
        snapshotId = writeSnapshot(db, graph, makeNewSnapshot(sessions[0].id));
    }
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), std::to_string(kSchemaVersion));
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'created_by'"), "gcscope " GCSCOPE_TEST_VERSION);

    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(reader.schemaVersion(), kSchemaVersion);
    EXPECT_EQ(reader.sessions().size(), 1u);
    EXPECT_EQ(reader.sampleCount(), 25);
    ASSERT_EQ(reader.snapshots().size(), 1u);
    EXPECT_EQ(reader.snapshots()[0].sessionId, reader.sessions()[0].id);
    EXPECT_EQ(readSnapshot(db, snapshotId).objects, graph.objects);
}

TEST(StorageMigration, GivenAVersion1Recording_WhenOpenedForReading_ThenItReadsAsVersion1WithoutSnapshotsUntouched)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion1Recording(file, 25);
    const std::string before = readBytes(file);
    {
        auto db = Database::openForReading(file);
        Reader reader(db);
        EXPECT_EQ(reader.schemaVersion(), 1);
        EXPECT_EQ(reader.sessions().size(), 1u);
        EXPECT_EQ(reader.sampleCount(), 25);
        EXPECT_TRUE(reader.snapshots().empty());
        EXPECT_FALSE(reader.snapshot(1));
        EXPECT_EQ(errorOf([&] { reader.readSnapshotStrings(1); }), file.string() + ": no snapshot 1");
        EXPECT_EQ(errorOf([&] { reader.forEachSnapshotObject(1, [](const StoredObject&) {}); }),
            file.string() + ": no snapshot 1");
    }
    EXPECT_EQ(readBytes(file), before);
    EXPECT_EQ(dir.listing(), std::vector<std::string> { "rec.db" });
}

TEST(StorageMigration, GivenAVersion2Recording_WhenReadAsIs_ThenItNamesNoAgentFormAndTheGenerationalCollector)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion2Recording(file, 5);
    const std::string before = readBytes(file);
    {
        auto db = Database::openForReading(file);
        Reader reader(db);
        EXPECT_EQ(reader.schemaVersion(), 2);
        ASSERT_EQ(reader.sessions().size(), 1u);
        EXPECT_EQ(reader.sessions()[0].agentForm, "");
        EXPECT_EQ(reader.sessions()[0].gcModel, "generational");
        const auto events = reader.gcEvents(reader.sessions()[0].id);
        ASSERT_EQ(events.size(), 3u);
        EXPECT_EQ(events[1].collected, makeGcEvent(1).collected);
        EXPECT_EQ(events[1].candidates, -1);
        EXPECT_EQ(events[1].pythonDurationNs, -1);
    }
    EXPECT_EQ(readBytes(file), before);
}

TEST(StorageMigration, GivenAVersion2Recording_WhenOpenedForWriting_ThenItGainsVersion3ColumnsKeepingItsEvents)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion2Recording(file, 5);
    {
        auto db = Database::openForWriting(file);
        EXPECT_EQ(db.schemaVersion(), kSchemaVersion);
        Recorder recorder(db);
        NewSession session = makeSession();
        session.agentForm = "py315";
        const auto id = recorder.beginSession(session);
        wire::GcEventRecord event = makeGcEvent(7);
        event.candidates = 1234;
        event.pythonDurationNs = 5678;
        recorder.addGcEvents(id, std::vector { event }, 0);
        recorder.endSession(id, 1, true, "detach");
    }
    auto db = Database::openForReading(file);
    Reader reader(db);
    const auto sessions = reader.sessions();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_EQ(sessions[0].agentForm, "");
    EXPECT_EQ(sessions[0].gcModel, "generational");
    EXPECT_EQ(reader.gcEvents(sessions[0].id).size(), 3u);
    EXPECT_EQ(reader.gcEvents(sessions[0].id)[0].candidates, -1);
    EXPECT_EQ(sessions[1].agentForm, "py315");
    const auto events = reader.gcEvents(sessions[1].id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].candidates, 1234);
    EXPECT_EQ(events[0].pythonDurationNs, 5678);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM sessions WHERE gc_model = 'generational'"), "2");
}

TEST(StorageMigration, GivenAVersion3Snapshot_WhenReadAndThenMigrated_ThenItWasWalkedInTheTargetAndNewOnesSayHow)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(20);
    {
        auto db = Database::openForWriting(file, schemaMigrations().first(3));
        writeSnapshot(db, graph, makeNewSnapshot(std::nullopt));
    }
    {
        auto db = Database::openForReading(file);
        Reader reader(db);
        EXPECT_EQ(reader.schemaVersion(), 3);
        ASSERT_EQ(reader.snapshots().size(), 1u);
        EXPECT_FALSE(reader.snapshots()[0].byChild);
        EXPECT_EQ(reader.snapshots()[0].methodNote, "");
    }
    {
        auto db = Database::openForWriting(file);
        EXPECT_EQ(db.schemaVersion(), kSchemaVersion);
        NewSnapshot child = makeNewSnapshot(std::nullopt);
        child.byChild = true;
        child.extraMemoryBytes = 12u << 20;
        writeSnapshot(db, graph, child);
        NewSnapshot walked = makeNewSnapshot(std::nullopt);
        walked.methodNote = "a copy-on-write child may need up to 900 MiB and the system has 300 MiB available";
        writeSnapshot(db, graph, walked);
    }
    auto db = Database::openForReading(file);
    const auto snapshots = Reader(db).snapshots();
    ASSERT_EQ(snapshots.size(), 3u);
    EXPECT_FALSE(snapshots[0].byChild);
    EXPECT_TRUE(snapshots[1].byChild);
    EXPECT_EQ(snapshots[1].extraMemoryBytes, 12u << 20);
    EXPECT_FALSE(snapshots[2].byChild);
    EXPECT_EQ(
        snapshots[2].methodNote, "a copy-on-write child may need up to 900 MiB and the system has 300 MiB available");
    EXPECT_EQ(snapshots[2].extraMemoryBytes, 0u);
    EXPECT_EQ(rawQuery(file, "SELECT group_concat(method, ',') FROM snapshots"), "in-process,child,in-process");
}

namespace {
// Snapshots 1 and 2 of `file` (the same graph stored two ways) read back as `graph`, and plain
// SQL sees the same objects in both, field by field and reference blob by blob.
void expectSnapshotsReadAsTheGraph(const std::filesystem::path& file, const Graph& graph)
{
    auto db = Database::openForReading(file);
    for (std::int64_t id : { 1, 2 }) {
        const Graph back = readSnapshot(db, id);
        ASSERT_EQ(back.objects.size(), graph.objects.size());
        for (std::size_t i = 0; i < graph.objects.size(); ++i)
            ASSERT_EQ(back.objects[i], graph.objects[i]) << "snapshot " << id << ", object " << i;
    }
    const std::string differing = rawQuery(file,
        "SELECT count(*) FROM (SELECT id, address, type, size, refcount, flags, label, refs FROM snapshot_object_list"
        " WHERE snapshot_id = 1 EXCEPT SELECT id, address, type, size, refcount, flags, label, refs"
        " FROM snapshot_object_list WHERE snapshot_id = 2)");
    EXPECT_EQ(differing, "0");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_object_list WHERE snapshot_id = 2"),
        std::to_string(graph.objects.size()));
}
} // namespace

// Schema 5 stores snapshots by chunks of objects; one stored a row per object before reads the
// same after the migration, next to new ones, and the snapshot_object_list view lists both alike.
TEST(StorageMigration, GivenAVersion4Snapshot_WhenMigrated_ThenItReadsTheSameNextToAChunkedOne)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(9'000); // 71 chunks when stored by chunks
    {
        auto db = Database::openForWriting(file, schemaMigrations().first(4));
        writeSnapshot(db, graph, makeNewSnapshot(std::nullopt));
    }
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_objects"), "9000");
    {
        auto db = Database::openForWriting(file);
        EXPECT_EQ(db.schemaVersion(), kSchemaVersion);
        writeSnapshot(db, graph, makeNewSnapshot(std::nullopt));
    }
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_objects"), "9000") << "the new one is not by rows";
    EXPECT_EQ(
        rawQuery(file, "SELECT count(*) || ' ' || sum(objects) FROM snapshot_chunks WHERE snapshot_id = 2"), "71 9000");
    expectSnapshotsReadAsTheGraph(file, graph);
    EXPECT_EQ(rawQuery(file, "SELECT max(address) FROM snapshot_object_list WHERE snapshot_id = 2"),
        std::to_string(static_cast<std::int64_t>(graph.objects.back().address)));
}

// Schema 9 packs the chunks' records; chunks of 29-byte records stored before read the same after
// the migration, next to packed ones, in gcscope and in the snapshot_object_list view.
TEST(StorageMigration, GivenAVersion8Snapshot_WhenMigrated_ThenItsRecordsReadTheSameNextToAPackedOne)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const Graph graph = makeGraph(9'000);
    {
        auto db = Database::openForWriting(file, schemaMigrations().first(8));
        writeSnapshot(db, graph, makeNewSnapshot(std::nullopt));
    }
    const double recordsBytes = std::stod(rawQuery(file, "SELECT sum(length(data)) FROM snapshot_chunks"));
    {
        auto db = Database::openForWriting(file);
        EXPECT_EQ(db.schemaVersion(), kSchemaVersion);
        writeSnapshot(db, graph, makeNewSnapshot(std::nullopt));
    }
    EXPECT_EQ(
        rawQuery(file, "SELECT group_concat(DISTINCT snapshot_id || ':' || layout) FROM snapshot_chunks"), "1:0,2:1");
    const double packedBytes
        = std::stod(rawQuery(file, "SELECT sum(length(data)) FROM snapshot_chunks WHERE snapshot_id = 2"));
    EXPECT_LT(packedBytes, 0.75 * recordsBytes) << "the same objects, packed";
    expectSnapshotsReadAsTheGraph(file, graph);
    EXPECT_EQ(
        rawQuery(file, "SELECT count(DISTINCT label) > 100 FROM snapshot_object_list WHERE snapshot_id = 2"), "1");
}

TEST(StorageMigration, GivenARecording_WhenOpenedWithANextStep_ThenItIsMigratedKeepingItsData)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 25);
    const auto steps = withStep(kFakeNextVersion);
    {
        auto db = Database::openForWriting(file, steps);
        EXPECT_EQ(db.schemaVersion(), kNextVersion);
        Reader reader(db);
        ASSERT_EQ(reader.sessions().size(), 1u);
        EXPECT_EQ(reader.sampleCount(), 25);
        Recorder recorder(db); // and it still records
        recorder.endSession(recorder.beginSession(makeSession()), 1, true, "detach");
    }
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), std::to_string(kNextVersion));
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kNextVersion));
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM annotations"), "0");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM sessions WHERE note = ''"), "2");

    // Opening again with the same list migrates nothing.
    EXPECT_EQ(Database::openForWriting(file, steps).schemaVersion(), kNextVersion);
    // This build reads up to its own version.
    EXPECT_EQ(errorOf([&] { Database::openForReading(file); }),
        file.string() + ": written by a newer gcscope (schema version " + std::to_string(kNextVersion)
            + "; this one reads up to " + std::to_string(kSchemaVersion) + ")");
}

TEST(StorageMigration, GivenAVersion1Recording_WhenOpenedWithANextStep_ThenBothStepsRunInOneGo)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion1Recording(file, 5);
    EXPECT_EQ(Database::openForWriting(file, withStep(kFakeNextVersion)).schemaVersion(), kNextVersion);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_objects"), "0");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM annotations"), "0");
}

TEST(StorageMigration, GivenANewFile_WhenCreatedWithANextStep_ThenEveryStepRunsAtOnce)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    EXPECT_EQ(Database::openForWriting(file, withStep(kFakeNextVersion)).schemaVersion(), kNextVersion);
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), std::to_string(kNextVersion));
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshots"), "0");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM annotations"), "0");
}

TEST(StorageMigration, GivenAStepThatFails_WhenMigrating_ThenTheFileIsLeftExactlyAsItWas)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeVersion1Recording(file, 25);
    const std::string before = readBytes(file);
    // The real steps 2 to 4 succeed inside the same transaction before the failing one, and are undone too.
    EXPECT_EQ(
        errorOf([&] { Database::openForWriting(file, withStep("CREATE TABLE x (id INTEGER); THIS IS NOT SQL;")); }),
        file.string() + ": cannot migrate to schema version " + std::to_string(kNextVersion)
            + ": near \"THIS\": syntax error");
    EXPECT_EQ(readBytes(file), before);
    EXPECT_EQ(dir.listing(), std::vector<std::string> { "rec.db" });
    auto db = Database::openForReading(file);
    EXPECT_EQ(db.schemaVersion(), 1);
}

TEST(StorageMigration, GivenANewFileWhoseCreationFails_ThenNoFileIsLeftBehind)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    EXPECT_THROW(Database::openForWriting(file, withStep("NOT SQL")), StorageError);
    EXPECT_TRUE(dir.listing().empty());
}

TEST(StorageMigration, GivenStepsOutOfOrder_WhenUsed_ThenTheyAreRejectedBeforeAnyFileIsTouched)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    std::vector<MigrationStep> steps = withStep(kFakeNextVersion);
    steps.back().toVersion = kNextVersion + 1;
    EXPECT_THROW(Database::openForWriting(file, steps), std::invalid_argument);
    EXPECT_TRUE(dir.listing().empty());
}
