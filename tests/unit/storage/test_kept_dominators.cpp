// Dominator trees kept in the file (schema 7): what is kept reads back unchanged, a damaged or
// foreign tree is never taken, and keeping never touches a file it should not (an older schema, a
// WAL-mode file without its -wal, a file another program holds locked).
#include "DominatorChunk.h"
#include "SnapshotTestSupport.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptDominators.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <sqlite3.h>
#include <string>
#include <vector>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

// A made-up tree over n objects: every kind of dominator (none, the virtual root, near and far
// ids both ways, the last id) and retained sizes up to 2^64 - 1.
KeptDominators makeTree(std::uint32_t n, std::uint32_t seed = 7)
{
    std::mt19937 random(seed);
    KeptDominators t;
    t.idom.resize(n);
    t.retained.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        switch (random() % 5) {
        case 0:
            t.idom[i] = kKeptNoDominator;
            break;
        case 1:
            t.idom[i] = kKeptVirtualRoot;
            break;
        case 2:
            t.idom[i] = i == 0 ? 1 : i - 1;
            break;
        default:
            t.idom[i] = static_cast<std::uint32_t>(random() % n);
        }
        t.retained[i] = random() % 3 == 0 ? random() : random() % 200;
    }
    t.idom[n - 1] = 0;
    t.idom[0] = n - 1;
    t.retained[1] = ~std::uint64_t { 0 };
    for (auto d : t.idom)
        t.reachable += d != kKeptNoDominator;
    return t;
}

struct KeptDominatorsTest : ::testing::Test {
    TempDir dir;
    std::filesystem::path file = dir.file("rec.db");
    std::uint32_t objects = 0;
    std::int64_t id = 0;

    void SetUp() override
    {
        const Graph g = makeGraph(10'000);
        objects = static_cast<std::uint32_t>(g.objects.size());
        auto db = Database::openForWriting(file);
        id = writeSnapshot(db, g);
        db.close();
    }

    std::optional<KeptDominators> read(std::uint32_t rule = 1, std::uint64_t n = 0)
    {
        const auto db = Database::openForReading(file);
        return readKeptDominators(db, id, rule, n ? n : objects);
    }
};

} // namespace

TEST(DominatorChunk, GivenEveryKindOfRecordThenItDecodesToWhatWasEncodedAndNothingMalformedDecodes)
{
    const auto tree = makeTree(5000);
    std::vector<unsigned char> data;
    encodeDominatorChunk(
        100, std::span(tree.idom).subspan(100, 4000), std::span(tree.retained).subspan(100, 4000), data);
    std::vector<std::uint32_t> idom(4000);
    std::vector<std::uint64_t> retained(4000);
    ASSERT_TRUE(decodeDominatorChunk(100, 5000, data, idom, retained));
    EXPECT_TRUE(std::equal(idom.begin(), idom.end(), tree.idom.begin() + 100));
    EXPECT_TRUE(std::equal(retained.begin(), retained.end(), tree.retained.begin() + 100));

    auto shorter = data;
    shorter.pop_back();
    EXPECT_FALSE(decodeDominatorChunk(100, 5000, shorter, idom, retained)) << "cut short";
    auto longer = data;
    longer.push_back(0);
    EXPECT_FALSE(decodeDominatorChunk(100, 5000, longer, idom, retained)) << "bytes left over";
    EXPECT_FALSE(decodeDominatorChunk(100, 4500, data, idom, retained)) << "a dominator beyond the snapshot";
    const std::vector<unsigned char> endless(12, 0xff);
    EXPECT_FALSE(decodeDominatorChunk(0, 5000, endless, std::span(idom).first(1), std::span(retained).first(1)));
    // 2 + zigzag(-1) from object 0: a dominator below id 0.
    const std::vector<unsigned char> belowZero { 3, 0 };
    EXPECT_FALSE(decodeDominatorChunk(0, 5000, belowZero, std::span(idom).first(1), std::span(retained).first(1)));
}

TEST_F(KeptDominatorsTest, GivenATreeKeptThenEveryLaterReaderGetsItBackUnchanged)
{
    EXPECT_FALSE(read()) << "nothing kept yet";
    const auto ruleSaid = [&] { return Reader(Database::openForReading(file)).snapshot(id)->dominatorRule; };
    EXPECT_EQ(ruleSaid(), std::nullopt);
    const auto tree = makeTree(objects);
    EXPECT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained), "");
    EXPECT_EQ(ruleSaid(), std::optional<std::uint32_t>(1)) << "the snapshot says its tree is kept, and by which rule";
    const auto kept = read();
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->idom, tree.idom);
    EXPECT_EQ(kept->retained, tree.retained);
    EXPECT_EQ(kept->reachable, tree.reachable);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_dominator_chunks"),
        std::to_string((objects + kDominatorChunkObjects - 1) / kDominatorChunkObjects));
    EXPECT_EQ(rawQuery(file, "SELECT rule || ' ' || objects || ' ' || created_by FROM snapshot_dominators"),
        "1 " + std::to_string(objects) + " gcscope " GCSCOPE_TEST_VERSION);
    EXPECT_EQ(rawQuery(file, "PRAGMA journal_mode"), "delete") << "the file's journal mode is left as it was";
    EXPECT_EQ(dir.listing(), std::vector<std::string> { "rec.db" }) << "no journal or WAL left behind";

    // Kept already: a second program keeping the same tree writes nothing.
    const auto when = rawQuery(file, "SELECT computed_ns FROM snapshot_dominators");
    EXPECT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained), "");
    EXPECT_EQ(rawQuery(file, "SELECT computed_ns FROM snapshot_dominators"), when);
}

TEST_F(KeptDominatorsTest, GivenATreeOfAnotherRuleOrSizeThenItIsNotTakenAndANewRuleReplacesIt)
{
    const auto old = makeTree(objects, 1);
    ASSERT_EQ(keepDominators(file, id, 1, old.reachable, old.idom, old.retained), "");
    EXPECT_FALSE(read(2)) << "a tree by another rule";
    EXPECT_FALSE(read(1, objects + 1)) << "a tree of another number of objects";

    const auto fresh = makeTree(objects, 2);
    ASSERT_EQ(keepDominators(file, id, 2, fresh.reachable, fresh.idom, fresh.retained), "");
    EXPECT_FALSE(read(1));
    const auto kept = read(2);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->idom, fresh.idom);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_dominators"), "1");

    EXPECT_EQ(keepDominators(file, id + 1, 2, fresh.reachable, fresh.idom, fresh.retained),
        "the file holds no such snapshot");
    EXPECT_EQ(keepDominators(
                  file, id, 2, fresh.reachable, std::span(fresh.idom).first(10), std::span(fresh.retained).first(10)),
        "the file holds no such snapshot")
        << "a tree of another size than the snapshot";
}

TEST_F(KeptDominatorsTest, GivenADamagedKeptTreeThenItIsNotTaken)
{
    const auto tree = makeTree(objects);
    const auto keep = [&] {
        rawExec(file, "DELETE FROM snapshot_dominator_chunks; DELETE FROM snapshot_dominators");
        ASSERT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained), "");
        ASSERT_TRUE(read());
    };
    keep();
    rawExec(
        file, "UPDATE snapshot_dominator_chunks SET data = substr(data, 1, length(data) - 1) WHERE first_id = 4096");
    EXPECT_FALSE(read()) << "a chunk cut short";
    keep();
    rawExec(file, "DELETE FROM snapshot_dominator_chunks WHERE first_id = 4096");
    EXPECT_FALSE(read()) << "a chunk missing";
    keep();
    rawExec(file, "UPDATE snapshot_dominator_chunks SET objects = 4095 WHERE first_id = 0");
    EXPECT_FALSE(read()) << "a chunk that says fewer objects than it holds";
    keep();
    rawExec(file, "UPDATE snapshot_dominators SET reachable = reachable + 1");
    EXPECT_FALSE(read()) << "a count of reachable objects the tree does not have";

    // Kept again (the analysis that found it unusable computed it), a damaged tree is replaced.
    rawExec(file, "UPDATE snapshot_dominator_chunks SET data = substr(data, 1, length(data) - 1) WHERE first_id = 0");
    EXPECT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained), "");
    const auto repaired = read();
    ASSERT_TRUE(repaired);
    EXPECT_EQ(repaired->idom, tree.idom);
    EXPECT_EQ(repaired->retained, tree.retained);
}

TEST_F(KeptDominatorsTest, GivenAnOlderSchemaThenNothingIsKeptAndTheFileIsUntouched)
{
    const auto older = dir.file("v6.db");
    {
        auto db = Database::openForWriting(older, schemaMigrations().first(6));
        writeSnapshot(db, makeGraph(10'000));
        db.close();
    }
    const auto bytes = readBytes(older);
    const auto tree = makeTree(objects);
    EXPECT_EQ(keepDominators(older, id, 1, tree.reachable, tree.idom, tree.retained),
        "schema version 6 (only a file opened for writing is migrated)");
    EXPECT_EQ(readBytes(older), bytes);
    {
        const auto db = Database::openForReading(older);
        EXPECT_FALSE(readKeptDominators(db, id, 1, objects)) << "a file from before schema 7 keeps none";
        EXPECT_EQ(Reader(db).snapshot(id)->dominatorRule, std::nullopt);
    }
    // Opened for writing (a recording appended to it), it is migrated and keeps trees from then on.
    Database::openForWriting(older).close();
    EXPECT_EQ(rawQuery(older, "PRAGMA user_version"), std::to_string(kSchemaVersion));
    EXPECT_EQ(keepDominators(older, id, 1, tree.reachable, tree.idom, tree.retained), "");
    const auto db = Database::openForReading(older);
    const auto kept = readKeptDominators(db, id, 1, objects);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->idom, tree.idom);
}

TEST_F(KeptDominatorsTest, GivenAWalFileWithoutItsWalThenNothingIsKept)
{
    rawExec(file, "PRAGMA journal_mode = WAL");
    ASSERT_FALSE(std::filesystem::exists(dir.file("rec.db-wal")));
    const auto bytes = readBytes(file);
    const auto tree = makeTree(objects);
    EXPECT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained),
        "in WAL mode without its -wal file (other readers read it as immutable)");
    EXPECT_EQ(readBytes(file), bytes);
}

TEST_F(KeptDominatorsTest, GivenAFileAnotherProgramHoldsLockedThenKeepingGivesUpAndChangesNothing)
{
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &other), SQLITE_OK);
    // A writer's lock (a recorder's transaction under way): readers go on, a second writer waits.
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    const auto tree = makeTree(objects);
    const auto start = std::chrono::steady_clock::now();
    const auto why = keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained);
    const auto waited = std::chrono::steady_clock::now() - start;
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    EXPECT_NE(why, "");
    EXPECT_LT(waited, std::chrono::seconds(30)) << "it gives up rather than wait for ever";
    EXPECT_FALSE(read());
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM snapshot_dominator_chunks"), "0");
}

TEST_F(KeptDominatorsTest, GivenAWalFileARecorderHoldsOpenThenTheTreeIsKeptBesideItsCommits)
{
    auto recorder = Database::openForWriting(file); // WAL mode while it is open, as a recording is
    recorder.exec("UPDATE meta SET value = value WHERE key = 'format'"); // a batch committed
    ASSERT_TRUE(std::filesystem::exists(dir.file("rec.db-wal")));
    const auto tree = makeTree(objects);
    EXPECT_EQ(keepDominators(file, id, 1, tree.reachable, tree.idom, tree.retained), "");
    EXPECT_TRUE(read());
    recorder.close();
    EXPECT_TRUE(read());
    EXPECT_EQ(rawQuery(file, "PRAGMA journal_mode"), "delete") << "the recorder's clean close still ends the WAL";
}
