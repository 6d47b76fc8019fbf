// The snapshot layout's budget: at most 40 bytes per object on disk, references included (the
// graph below took 32.4 with packed chunks, schema 9; its 29-byte records alone took 29 before).
#include "SnapshotTestSupport.h"
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {
double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
} // namespace

TEST(StorageSnapshotSize, GivenA200kObjectGraphWith3RandomReferencesEach_WhenStored_ThenItTakesAtMost40BytesPerObject)
{
    constexpr std::uint32_t kObjects = 200'000;
    const Graph graph = makeGraph(kObjects, 3);
    ASSERT_NEAR(static_cast<double>(graph.references()) / kObjects, 3.0, 0.05);

    TempDir dir;
    const auto file = dir.file("rec.db");
    std::int64_t id = 0;
    const auto writeStart = std::chrono::steady_clock::now();
    {
        auto db = Database::openForWriting(file);
        id = writeSnapshot(db, graph);
    } // a clean close checkpoints the WAL: the file is all there is
    const double writeSeconds = secondsSince(writeStart);

    // A fresh file holding only this snapshot, so every page counts; its size is page count x page size.
    const double pages = std::stod(rawQuery(file, "PRAGMA page_count"));
    const double pageSize = std::stod(rawQuery(file, "PRAGMA page_size"));
    const double bytesPerObject = pages * pageSize / kObjects;
    EXPECT_EQ(pages * pageSize, static_cast<double>(std::filesystem::file_size(file)));
    EXPECT_LE(bytesPerObject, 40.0);

    auto db = Database::openForReading(file);
    const auto readStart = std::chrono::steady_clock::now();
    std::uint64_t objects = 0;
    std::uint64_t references = 0;
    Reader(db).forEachSnapshotObject(id, [&](const StoredObject& o) {
        ++objects;
        references += o.refs.size();
    });
    const double readSeconds = secondsSince(readStart);
    EXPECT_EQ(objects, kObjects);
    EXPECT_EQ(references, graph.references());

    RecordProperty("bytes_per_object", std::to_string(bytesPerObject));
    std::printf("snapshot of %u objects, %llu references: %.1f bytes/object; written in %.2f s, read in %.2f s\n",
        kObjects, static_cast<unsigned long long>(references), bytesPerObject, writeSeconds, readSeconds);
}
