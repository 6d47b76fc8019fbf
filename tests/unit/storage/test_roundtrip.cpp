// Every record kind written by the Recorder comes back from the Reader unchanged.
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

void expectSameSample(const wire::SampleRecord& a, const wire::SampleRecord& b)
{
    EXPECT_EQ(a.timeNs, b.timeNs);
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.threshold, b.threshold);
    EXPECT_EQ(a.enabled, b.enabled);
    EXPECT_EQ(a.freezeCount, b.freezeCount);
    for (int g = 0; g < wire::kGenerations; ++g) {
        EXPECT_EQ(a.stats[g].collections, b.stats[g].collections);
        EXPECT_EQ(a.stats[g].collected, b.stats[g].collected);
        EXPECT_EQ(a.stats[g].uncollectable, b.stats[g].uncollectable);
    }
    EXPECT_EQ(a.gcGarbage, b.gcGarbage);
}

wire::CensusRecord makeCensus(std::int64_t timeNs, std::vector<wire::CensusEntry> entries)
{
    wire::CensusRecord c;
    c.timeNs = timeNs;
    c.pauseNs = 1234;
    c.objects = 0;
    for (const auto& e : entries)
        c.objects += e.count;
    c.entries = std::move(entries);
    return c;
}

} // namespace

TEST(StorageRoundTrip, GivenEveryRecordKind_WhenWrittenAndReadBack_ThenEveryFieldSurvives)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    NewSession session = makeSession();
    session.agentForm = "portable";
    session.gcModel = "incremental";
    std::int64_t id = 0;
    {
        auto db = Database::openForWriting(file);
        Recorder recorder(db);
        id = recorder.beginSession(session);
        for (int i = 0; i < 3; ++i)
            recorder.addSample(id, makeSample(i));
        recorder.addGcEvents(id, { makeGcEvent(0), makeGcEvent(1) }, 3);
        recorder.addGcEvents(id, { makeGcEvent(2) }, 4);
        recorder.addCensus(id, makeCensus(10, { { "dict", 30, 9000 }, { "__main__.Node", 5, 280 } }));
        recorder.addCensus(id, makeCensus(20, { { "__main__.Node", 50, 2800 }, { "list", 1, 56 } }));
        recorder.addProcessSample(id, 15, 123'456'789'012, 4, 17);
        recorder.addProcessSample(id, 25, 223'456'789'012, 5, 18);
        recorder.endSession(id, 30, true, "detach");
    }

    auto db = Database::openForReading(file);
    Reader reader(db);
    EXPECT_EQ(reader.schemaVersion(), kSchemaVersion);

    const auto sessions = reader.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    const SessionInfo& s = sessions[0];
    EXPECT_EQ(s.id, id);
    EXPECT_EQ(s.pid, session.pid);
    EXPECT_EQ(s.pythonVersion, session.pythonVersion);
    EXPECT_EQ(s.pythonExecutable, session.pythonExecutable);
    EXPECT_EQ(s.argv, session.argv);
    EXPECT_EQ(s.mode, SessionMode::Run);
    EXPECT_EQ(s.startedNs, session.startedNs);
    EXPECT_EQ(s.intervalMs, session.intervalMs);
    EXPECT_EQ(s.censusEveryMs, session.censusEveryMs);
    EXPECT_EQ(s.hostname, session.hostname);
    EXPECT_EQ(s.gcscopeVersion, session.gcscopeVersion);
    EXPECT_EQ(s.endedNs, 30);
    EXPECT_TRUE(s.complete);
    EXPECT_EQ(s.endReason, "detach");
    EXPECT_EQ(s.gcEventsDropped, 7u);
    EXPECT_EQ(s.agentForm, "portable");
    EXPECT_EQ(s.gcModel, "incremental");
    ASSERT_TRUE(reader.session(id));
    EXPECT_EQ(reader.session(id)->argv, session.argv);
    EXPECT_FALSE(reader.session(id + 1));

    const auto samples = reader.samples(id);
    ASSERT_EQ(samples.size(), 3u);
    for (int i = 0; i < 3; ++i)
        expectSameSample(samples[i], makeSample(i));

    const auto events = reader.gcEvents(id);
    ASSERT_EQ(events.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        const auto expected = makeGcEvent(i);
        EXPECT_EQ(events[i].startNs, expected.startNs);
        EXPECT_EQ(events[i].durationNs, expected.durationNs);
        EXPECT_EQ(events[i].generation, expected.generation);
        EXPECT_EQ(events[i].collected, expected.collected);
        EXPECT_EQ(events[i].uncollectable, expected.uncollectable);
        EXPECT_EQ(events[i].candidates, expected.candidates);
        EXPECT_EQ(events[i].pythonDurationNs, expected.pythonDurationNs);
    }

    const auto process = reader.processSamples(id);
    ASSERT_EQ(process.size(), 2u);
    EXPECT_EQ(process[0].timeNs, 15);
    EXPECT_EQ(process[0].rssBytes, 123'456'789'012u);
    EXPECT_EQ(process[0].threads, 4u);
    EXPECT_EQ(process[0].fds, 17u);
    EXPECT_EQ(process[1].rssBytes, 223'456'789'012u);

    const auto censuses = reader.censuses(id);
    ASSERT_EQ(censuses.size(), 2u);
    EXPECT_EQ(censuses[0].timeNs, 10);
    EXPECT_EQ(censuses[0].pauseNs, 1234);
    EXPECT_EQ(censuses[0].objects, 35u);
    ASSERT_EQ(censuses[0].entries.size(), 2u);
    EXPECT_EQ(censuses[0].entries[0].type, "dict"); // largest size first
    EXPECT_EQ(censuses[0].entries[0].count, 30u);
    EXPECT_EQ(censuses[0].entries[0].size, 9000u);
    EXPECT_EQ(censuses[0].entries[1].type, "__main__.Node");
    ASSERT_EQ(censuses[1].entries.size(), 2u);
    EXPECT_EQ(censuses[1].entries[0].type, "__main__.Node");
    EXPECT_EQ(censuses[1].entries[0].size, 2800u);

    EXPECT_EQ(reader.sampleCount(), 3);
    EXPECT_EQ(reader.sampleCount(id), 3);
    EXPECT_EQ(reader.gcEventCount(id), 3);
    EXPECT_EQ(reader.censusCount(id), 2);
    EXPECT_EQ(reader.processSampleCount(id), 2);
    EXPECT_TRUE(reader.snapshots().empty());
}

TEST(StorageRoundTrip, GivenCensusesWhereTypesComeAndGo_WhenTypeGrowthIsRead_ThenEachTypeHasOnePointPerCensus)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());
    recorder.addCensus(id, makeCensus(10, { { "dict", 30, 9000 }, { "__main__.Node", 5, 280 } }));
    recorder.addCensus(id, makeCensus(20, { { "__main__.Node", 50, 2800 } }));
    recorder.addCensus(id, makeCensus(30, { { "__main__.Node", 500, 28000 }, { "list", 1, 56 } }));
    recorder.flush();

    Reader reader(db);
    const auto growth = reader.typeGrowth(id);
    ASSERT_EQ(growth.size(), 3u);
    EXPECT_EQ(growth[0].type, "__main__.Node"); // by name
    EXPECT_EQ(growth[1].type, "dict");
    EXPECT_EQ(growth[2].type, "list");
    for (const auto& series : growth) {
        ASSERT_EQ(series.points.size(), 3u) << series.type;
        EXPECT_EQ(series.points[0].timeNs, 10);
        EXPECT_EQ(series.points[2].timeNs, 30);
    }
    EXPECT_EQ(growth[0].points[0].count, 5u);
    EXPECT_EQ(growth[0].points[1].count, 50u);
    EXPECT_EQ(growth[0].points[2].count, 500u);
    EXPECT_EQ(growth[0].points[2].size, 28000u);
    EXPECT_EQ(growth[1].points[1].count, 0u); // dict gone after the first census
    EXPECT_EQ(growth[2].points[0].count, 0u); // list only in the last
    EXPECT_EQ(growth[2].points[2].count, 1u);
}

TEST(StorageRoundTrip, GivenACensusWithTwoClassesOfTheSameName_WhenRecorded_ThenTheyAreSummed)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());
    recorder.addCensus(
        id, makeCensus(10, { { "f.<locals>.C", 2, 100 }, { "dict", 1, 64 }, { "f.<locals>.C", 3, 150 } }));
    recorder.flush();

    const auto censuses = Reader(db).censuses(id);
    ASSERT_EQ(censuses.size(), 1u);
    ASSERT_EQ(censuses[0].entries.size(), 2u);
    EXPECT_EQ(censuses[0].entries[0].type, "f.<locals>.C");
    EXPECT_EQ(censuses[0].entries[0].count, 5u);
    EXPECT_EQ(censuses[0].entries[0].size, 250u);
}

TEST(StorageRoundTrip, GivenTwoSessions_WhenReadBySessionAndTimeRange_ThenEachGetsOnlyItsOwnRows)
{
    TempDir dir;
    auto db = Database::openForWriting(dir.file("rec.db"));
    Recorder recorder(db);
    const auto first = recorder.beginSession(makeSession(1));
    const auto second = recorder.beginSession(makeSession(2));
    for (int i = 0; i < 10; ++i) {
        recorder.addSample(first, makeSample(i));
        recorder.addProcessSample(second, makeSample(i).timeNs, 1, 1, 1);
    }
    recorder.addSample(second, makeSample(100));
    recorder.flush();

    Reader reader(db);
    EXPECT_EQ(reader.sampleCount(first), 10);
    EXPECT_EQ(reader.sampleCount(second), 1);
    EXPECT_EQ(reader.sampleCount(), 11);
    EXPECT_EQ(reader.processSampleCount(first), 0);
    EXPECT_EQ(reader.processSampleCount(second), 10);
    EXPECT_EQ(reader.samples(second).at(0).timeNs, makeSample(100).timeNs);

    const TimeRange middle { makeSample(3).timeNs, makeSample(6).timeNs }; // inclusive
    const auto some = reader.samples(first, middle);
    ASSERT_EQ(some.size(), 4u);
    EXPECT_EQ(some.front().timeNs, makeSample(3).timeNs);
    EXPECT_EQ(some.back().timeNs, makeSample(6).timeNs);
    EXPECT_EQ(reader.processSamples(second, middle).size(), 4u);
    EXPECT_TRUE(reader.gcEvents(first, middle).empty());
}

TEST(StorageRoundTrip, GivenANewFile_WhenInspectedWithPlainSqlite_ThenItCarriesTheGcscopeIdentity)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file);
    EXPECT_EQ(rawQuery(file, "PRAGMA application_id"), std::to_string(0x47435343));
    EXPECT_EQ(rawQuery(file, "PRAGMA user_version"), std::to_string(kSchemaVersion));
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'format'"), "gcscope");
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    EXPECT_EQ(rawQuery(file, "SELECT value FROM meta WHERE key = 'created_by'"), "gcscope " GCSCOPE_TEST_VERSION);
    EXPECT_EQ(rawQuery(file, "SELECT json_array_length(argv) FROM sessions"), "6");
    EXPECT_EQ(rawQuery(file, "PRAGMA journal_mode"), "delete");
}

TEST(StorageSessions, GivenABegunSession_WhenNotYetEnded_ThenItIsIncompleteWithoutAnEnd)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());

    // A second connection sees the session at once: beginSession commits.
    {
        auto other = Database::openForReading(file);
        const auto s = Reader(other).session(id);
        ASSERT_TRUE(s);
        EXPECT_FALSE(s->complete);
        EXPECT_FALSE(s->endedNs);
        EXPECT_EQ(s->endReason, "");
    }

    recorder.endSession(id, 99, false, "target exited");
    auto s = Reader(db).session(id);
    EXPECT_FALSE(s->complete) << "an unclean end stays incomplete";
    EXPECT_EQ(s->endedNs, 99);
    EXPECT_EQ(s->endReason, "target exited");

    recorder.endSession(id, 100, true, "detach");
    s = Reader(db).session(id);
    EXPECT_TRUE(s->complete);
    EXPECT_EQ(s->endReason, "detach");
}

TEST(StorageSessions, GivenAnUnknownSession_WhenRowsAreAddedOrItIsEnded_ThenOneLineErrorsNameTheFile)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    try {
        recorder.addSample(42, makeSample(0));
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()), file.string() + ": INSERT INTO samples: FOREIGN KEY constraint failed");
    }
    try {
        recorder.endSession(42, 1, true, "detach");
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()), file.string() + ": cannot end session 42: no such session");
    }
}

TEST(StorageSessions, GivenADatabaseOpenedForReading_WhenARecorderIsMade_ThenItRefuses)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file);
    auto db = Database::openForReading(file);
    try {
        Recorder recorder(db);
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()), file.string() + ": opened for reading, cannot record");
    }
}

TEST(StorageSessions, GivenADatabaseClosedBeforeItsRecorder_WhenTheRecorderIsUsed_ThenItThrowsInsteadOfCrashing)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());
    db.close();
    try {
        recorder.addSample(id, makeSample(0));
        FAIL() << "no error";
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()), file.string() + ": closed while a recorder still uses it");
    }
}
