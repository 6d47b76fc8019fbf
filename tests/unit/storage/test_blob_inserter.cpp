// BlobInserter: a snapshot's chunk inserts on a thread of their own, woken for a batch of chunks
// rather than for each one. Whatever the batch, every chunk pushed is inserted once drained, in
// order; a failed insert stops the rest and is thrown; cancel() drops what waits.
#include "BlobInserter.h"
#include "Statement.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gcscope::storage {
namespace {

class BlobInserting : public ::testing::Test {
protected:
    BlobInserting()
        : db(withChunksTable(dir.file("inserts.db")))
        , insert(db, "INSERT INTO chunks(snapshot, first, count, data) VALUES (?1, ?2, ?3, ?4)")
    {
        db.exec("BEGIN");
    }

    static Database withChunksTable(const std::filesystem::path& file)
    {
        auto made = Database::openForWriting(file);
        made.exec("CREATE TABLE chunks(snapshot INTEGER, first INTEGER UNIQUE, count INTEGER, data BLOB)");
        return made;
    }

    // Pushes chunks first .. first + count - 1, chunk i holding i's low byte i % 7 + 1 times.
    void pushChunks(BlobInserter& inserter, std::int64_t first, std::int64_t count)
    {
        for (std::int64_t i = first; i < first + count; ++i) {
            const std::vector<unsigned char> blob(static_cast<std::size_t>(i % 7 + 1), static_cast<unsigned char>(i));
            inserter.push(insert, 1, i, i % 7 + 1, blob);
        }
    }

    std::int64_t rows()
    {
        Statement count(db, "SELECT count(*) FROM chunks");
        count.step();
        const auto n = count.integer(0);
        count.reset();
        return n;
    }

    // True when rows 0 .. n - 1 are there, each with its own blob, and nothing else.
    bool holdsChunksUpTo(std::int64_t n)
    {
        Statement read(db, "SELECT first, count, data FROM chunks ORDER BY rowid");
        std::int64_t expected = 0;
        while (read.step()) {
            const auto blob = read.blob(2);
            if (read.integer(0) != expected || read.integer(1) != expected % 7 + 1
                || blob.size() != static_cast<std::size_t>(expected % 7 + 1))
                return false;
            for (const auto byte : blob)
                if (byte != static_cast<unsigned char>(expected))
                    return false;
            ++expected;
        }
        return expected == n;
    }

    test::TempDir dir;
    Database db;
    Statement insert; // after db: finalized first (each test's inserter, which runs it, goes before)
};

TEST_F(BlobInserting, GivenFewerChunksThanABatchWhenDrainedThenEachIsInsertedInOrder)
{
    BlobInserter inserter({});
    pushChunks(inserter, 0, 3);
    inserter.drain();
    EXPECT_EQ(rows(), 3);
    EXPECT_TRUE(holdsChunksUpTo(3));
}

TEST_F(BlobInserting, GivenManyBatchesAndARemainderWhenDrainedThenEachIsInsertedInOrderOnce)
{
    std::size_t insertedBytes = 0;
    BlobInserter inserter([&](std::size_t bytes) { insertedBytes += bytes; });
    pushChunks(inserter, 0, 2000); // more than the queue holds: pushes wait for room
    inserter.drain();
    pushChunks(inserter, 2000, 5); // and again after a drain
    inserter.drain();
    EXPECT_EQ(rows(), 2005);
    EXPECT_TRUE(holdsChunksUpTo(2005));
    std::size_t pushedBytes = 0;
    for (std::int64_t i = 0; i < 2005; ++i)
        pushedBytes += static_cast<std::size_t>(i % 7 + 1);
    EXPECT_EQ(insertedBytes, pushedBytes);
}

TEST_F(BlobInserting, GivenAnInsertThatFailsThenDrainThrowsItAndNoLaterChunkIsInserted)
{
    BlobInserter inserter({});
    pushChunks(inserter, 0, 10);
    pushChunks(inserter, 5, 1); // `first` is UNIQUE: fails
    bool thrown = false;
    try {
        pushChunks(inserter, 10, 100);
        inserter.drain();
    } catch (const StorageError&) {
        thrown = true;
    }
    EXPECT_TRUE(thrown);
    EXPECT_EQ(rows(), 10) << "chunks after the failed one were inserted";
    EXPECT_THROW(inserter.drain(), StorageError) << "the error is kept";
}

TEST_F(BlobInserting, GivenChunksWaitingWhenCancelledThenTheConnectionIsFreeAndTheInserterStops)
{
    {
        BlobInserter inserter({});
        pushChunks(inserter, 0, 100);
        inserter.cancel();
        const auto inserted = rows(); // the connection is ours: no insert runs beside this
        EXPECT_LE(inserted, 100);
        EXPECT_TRUE(holdsChunksUpTo(inserted)) << "a chunk was inserted out of order";
        pushChunks(inserter, inserted, 3); // usable again
        inserter.drain();
        EXPECT_TRUE(holdsChunksUpTo(inserted + 3));
    } // destroyed with nothing waiting: its thread stops
}

} // namespace
} // namespace gcscope::storage
