// The Recorder commits in batches: by row count, by age, and on flush; many rows end up in one file.
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;
using namespace std::chrono_literals;

namespace {

// What another connection sees: only committed rows.
std::int64_t committedSamples(const std::filesystem::path& file)
{
    auto db = Database::openForReading(file);
    return Reader(db).sampleCount();
}

} // namespace

TEST(StorageBatching, GivenManyRowsOfEveryKind_WhenRecordedWithTheDefaultPolicy_ThenOneFileHoldsThemAll)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    constexpr int kSamples = 20'000;
    {
        auto db = Database::openForWriting(file);
        Recorder recorder(db);
        const auto id = recorder.beginSession(makeSession());
        std::vector<wire::GcEventRecord> events;
        for (int i = 0; i < kSamples; ++i) {
            recorder.addSample(id, makeSample(i));
            recorder.addProcessSample(id, makeSample(i).timeNs, 1000 + i, 2, 3);
            events.push_back(makeGcEvent(i));
            if (events.size() == 16) {
                recorder.addGcEvents(id, events);
                events.clear();
            }
            if (i % 1000 == 0) {
                wire::CensusRecord census;
                census.timeNs = makeSample(i).timeNs;
                for (int t = 0; t < 300; ++t)
                    census.entries.push_back({ "mod.Type" + std::to_string(t), std::uint64_t(t + i), 64 });
                recorder.addCensus(id, census);
            }
        }
        recorder.endSession(id, makeSample(kSamples).timeNs, true, "detach");
    }
    EXPECT_EQ(dir.listing(), std::vector<std::string> { "rec.db" });

    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(reader.sampleCount(), kSamples);
    EXPECT_EQ(reader.processSampleCount(), kSamples);
    EXPECT_EQ(reader.gcEventCount(), kSamples);
    EXPECT_EQ(reader.censusCount(), kSamples / 1000);
    const auto censuses = reader.censuses(reader.sessions().at(0).id);
    ASSERT_EQ(censuses.size(), 20u);
    EXPECT_EQ(censuses.back().entries.size(), 300u);
    EXPECT_EQ(rawQuery(file, "SELECT count(*) FROM types"), "300") << "type names are interned once";
}

TEST(StorageBatching, GivenARowLimit_WhenRowsArrive_ThenOtherConnectionsSeeThemInWholeBatches)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db, { 1h, 100 });
    const auto id = recorder.beginSession(makeSession());
    for (int i = 0; i < 250; ++i)
        recorder.addSample(id, makeSample(i));
    EXPECT_EQ(committedSamples(file), 200);
    EXPECT_EQ(Reader(db).sampleCount(), 250) << "the writer's own connection sees its open batch";
    recorder.flush();
    EXPECT_EQ(committedSamples(file), 250);
}

TEST(StorageBatching, GivenAQuietTarget_WhenTheBatchGetsOld_ThenCommitIfDueCommitsIt)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db, { 300ms, 1'000'000 });
    const auto id = recorder.beginSession(makeSession());
    recorder.addSample(id, makeSample(0));
    recorder.commitIfDue();
    EXPECT_EQ(committedSamples(file), 0) << "a fresh batch waits";
    std::this_thread::sleep_for(350ms);
    recorder.commitIfDue();
    EXPECT_EQ(committedSamples(file), 1);
}

TEST(StorageBatching, GivenAnOpenBatch_WhenTheRecorderIsDestroyed_ThenItIsCommitted)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    {
        Recorder recorder(db, { 1h, 1'000'000 });
        const auto id = recorder.beginSession(makeSession());
        for (int i = 0; i < 10; ++i)
            recorder.addSample(id, makeSample(i));
    }
    EXPECT_EQ(committedSamples(file), 10);
}

TEST(StorageBatching, GivenAnOpenBatch_WhenTheDatabaseIsClosedBeforeTheRecorder_ThenTheRowsAreKept)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db, { 1h, 1'000'000 });
    const auto id = recorder.beginSession(makeSession());
    for (int i = 0; i < 10; ++i)
        recorder.addSample(id, makeSample(i));
    db.close();
    EXPECT_EQ(dir.listing(), std::vector<std::string> { "rec.db" });
    EXPECT_EQ(committedSamples(file), 10);
}
