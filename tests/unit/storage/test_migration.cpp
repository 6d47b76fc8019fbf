// Schema migrations, with a fake next version (v1 -> v2) added to the built-in list.
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

std::vector<MigrationStep> withStep(std::string_view sql)
{
    std::vector<MigrationStep> steps(schemaMigrations().begin(), schemaMigrations().end());
    steps.push_back({ 2, sql });
    return steps;
}

constexpr std::string_view kFakeVersion2 = "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, taken_ns INTEGER NOT NULL);"
                                           "ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';";

} // namespace

TEST(StorageMigration, GivenTheBuiltInList_ThenItEndsAtTheCurrentVersion)
{
    EXPECT_EQ(schemaMigrations().size(), static_cast<std::size_t>(kSchemaVersion));
    EXPECT_EQ(schemaMigrations().back().toVersion, kSchemaVersion);
}

TEST(StorageMigration, GivenAVersion1Recording_WhenOpenedWithANextStep_ThenItIsMigratedKeepingItsData)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 25);
    const auto steps = withStep(kFakeVersion2);
    {
        auto db = Database::openForWriting(file, steps);
        EXPECT_EQ(db.schemaVersion(), 2);
        Reader reader(db);
        ASSERT_EQ(reader.sessions().size(), 1u);
        EXPECT_EQ(reader.sampleCount(), 25);
        Recorder recorder(db); // and it still records
        recorder.endSession(recorder.beginSession(makeSession()), 1, true, "detach");
    }
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), "2");
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshots"), "0");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM sessions WHERE note = ''"), "2");

    // Opening again with the same list migrates nothing.
    EXPECT_EQ(Database::openForWriting(file, steps).schemaVersion(), 2);
    // This build reads up to version 1.
    try {
        Database::openForReading(file);
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()),
            file.string() + ": written by a newer gcscope (schema version 2; this one reads up to 1)");
    }
}

TEST(StorageMigration, GivenANewFile_WhenCreatedWithANextStep_ThenEveryStepRunsAtOnce)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    EXPECT_EQ(Database::openForWriting(file, withStep(kFakeVersion2)).schemaVersion(), 2);
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), "2");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshots"), "0");
}

TEST(StorageMigration, GivenAStepThatFails_WhenMigrating_ThenTheFileIsLeftExactlyAsItWas)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 25);
    const std::string before = readBytes(file);
    try {
        Database::openForWriting(file, withStep("CREATE TABLE snapshots (id INTEGER); THIS IS NOT SQL;"));
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(
            std::string(e.what()), file.string() + ": cannot migrate to schema version 2: near \"THIS\": syntax error");
    }
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
    std::vector<MigrationStep> steps = withStep(kFakeVersion2);
    steps.back().toVersion = 3;
    EXPECT_THROW(Database::openForWriting(file, steps), std::invalid_argument);
    EXPECT_TRUE(dir.listing().empty());
}
