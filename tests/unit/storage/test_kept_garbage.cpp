// Garbage summaries kept in the file (schema 8), and what keeping any analysis must never do to the
// programs reading the file meanwhile: a reader holding the file for long (gcscope-gui's leak report
// reads in one transaction) makes keeping give up, and no other reader ever fails because of it.
#include "SnapshotTestSupport.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptDominators.h>
#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <vector>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

struct KeptGarbageTest : ::testing::Test {
    TempDir dir;
    std::filesystem::path file = dir.file("rec.db");
    std::uint64_t objects = 0;
    std::int64_t first = 0, second = 0;

    void SetUp() override
    {
        const Graph g = makeGraph(5'000);
        objects = g.objects.size();
        auto db = Database::openForWriting(file);
        first = writeSnapshot(db, g);
        second = writeSnapshot(db, g);
        db.close();
    }

    std::optional<std::string> read(std::int64_t id, std::uint32_t rule = 1) const
    {
        const auto db = Database::openForReading(file);
        return readKeptGarbage(db, id, rule);
    }
    std::string keep(std::vector<GarbageToKeep> summaries, std::uint32_t rule = 1) const
    {
        return keepGarbage(file, rule, summaries);
    }
};

} // namespace

TEST_F(KeptGarbageTest, GivenSummariesKeptInOneGoThenEachReadsBackByItsRuleOnly)
{
    EXPECT_FALSE(read(first)) << "the storage layer keeps what it is given, nothing of its own";
    EXPECT_EQ(keep({ { first, objects, R"({"a":1})" }, { second, objects, R"({"b":2})" } }), "");
    EXPECT_EQ(read(first), R"({"a":1})");
    EXPECT_EQ(read(second), R"({"b":2})");
    EXPECT_FALSE(read(first, 2)) << "another rule's summary is not taken";
    {
        const auto db = Database::openForReading(file);
        EXPECT_EQ(Reader(db).snapshot(first)->garbageRule, 1u);
    }
    EXPECT_EQ(rawQuery(file, "PRAGMA journal_mode"), "delete");
    EXPECT_FALSE(std::filesystem::exists(dir.file("rec.db-journal")));

    // The same again writes nothing; a new rule replaces it; a snapshot the file does not hold (or
    // of another size) is left out and said so, the others are kept.
    const auto bytes = readBytes(file);
    EXPECT_EQ(keep({ { first, objects, R"({"a":1})" } }), "");
    EXPECT_EQ(readBytes(file), bytes);
    EXPECT_EQ(keep({ { first, objects, R"({"a":3})" } }, 2), "");
    EXPECT_EQ(read(first, 2), R"({"a":3})");
    EXPECT_FALSE(read(first, 1));
    EXPECT_EQ(keep({ { 99, objects, "{}" }, { second, objects + 1, "{}" }, { second, objects, R"({"c":4})" } }, 2),
        "the file holds no snapshot " + std::to_string(second));
    EXPECT_EQ(read(second, 2), R"({"c":4})");
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_garbage"), "2");
}

TEST_F(KeptGarbageTest, GivenAnOlderSchemaOrAWalFileWithoutItsWalThenNothingIsKeptAndTheFileIsUntouched)
{
    const auto older = dir.file("v7.db");
    std::int64_t id = 0;
    {
        auto db = Database::openForWriting(older, schemaMigrations().first(7));
        id = writeSnapshot(db, makeGraph(5'000));
        db.close();
    }
    const auto bytes = readBytes(older);
    const std::vector<GarbageToKeep> summary { { id, objects, "{}" } };
    EXPECT_EQ(keepGarbage(older, 1, summary), "schema version 7 (only a file opened for writing is migrated)");
    EXPECT_EQ(readBytes(older), bytes);
    {
        const auto db = Database::openForReading(older);
        EXPECT_FALSE(readKeptGarbage(db, id, 1)) << "a file from before schema 8 keeps none";
        EXPECT_EQ(Reader(db).snapshot(id)->garbageRule, std::nullopt);
    }
    Database::openForWriting(older).close(); // migrated by a writer: it keeps them from then on
    EXPECT_EQ(keepGarbage(older, 1, summary), "");

    rawExec(file, "PRAGMA journal_mode = WAL");
    const auto walBytes = readBytes(file);
    EXPECT_EQ(
        keep({ { first, objects, "{}" } }), "in WAL mode without its -wal file (other readers read it as immutable)");
    EXPECT_EQ(readBytes(file), walBytes);
}

// The bug this guards against: a program keeping an analysis while gcscope-gui built a leak report
// (one read transaction over seconds) held back the report's next connection until it failed with
// "database is locked". Keeping now takes the file exclusively before it writes, waits at most its
// busy timeout, and a reader that opens the file meanwhile waits for it and goes on.
TEST_F(KeptGarbageTest, GivenAReaderHoldingTheFileThenKeepingGivesUpAndEveryOtherReaderGoesOn)
{
    auto holder = Database::openForReading(file);
    holder.exec("BEGIN");
    EXPECT_EQ(Reader(holder).snapshots().size(), 2u); // the read transaction holds the file now
    const KeptDominators tree { 0, std::vector<std::uint32_t>(objects, kKeptNoDominator),
        std::vector<std::uint64_t>(objects, 0) };
    auto keeping = std::async(std::launch::async, [&] {
        return keepDominators(file, first, 1, tree.reachable, tree.idom, tree.retained)
            + keep({ { first, objects, "{}" } });
    });
    // New readers, while the keeper tries: each opens the file, checks it and reads a snapshot.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(4500);
    int reads = 0;
    while (keeping.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready
        && std::chrono::steady_clock::now() < until) {
        EXPECT_NO_THROW({
            const auto db = Database::openForReading(file);
            EXPECT_EQ(Reader(db).snapshots().size(), 2u);
        });
        ++reads;
    }
    EXPECT_GT(reads, 0);
    const auto why = keeping.get();
    EXPECT_NE(why, "") << "it gave up while the file was held";
    EXPECT_EQ(Reader(holder).snapshots().size(), 2u) << "the holder read on";
    holder.exec("COMMIT");
    holder.close();
    EXPECT_FALSE(read(first));
    // Once the holder is done, keeping goes through.
    EXPECT_EQ(keep({ { first, objects, "{}" } }), "");
    EXPECT_EQ(read(first), "{}");
}
