// What a recording looks like on disk: one file after a clean close, readable while it is being
// written and after its writer was killed, and never modified by reading.
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kOneFile { "rec.db" };
const std::vector<std::string> kWithWal { "rec.db", "rec.db-shm", "rec.db-wal" };

// Touches every table through the Reader.
void readEverything(const Database& db)
{
    Reader reader(db);
    for (const auto& s : reader.sessions()) {
        reader.samples(s.id);
        reader.gcEvents(s.id);
        reader.processSamples(s.id);
        reader.censuses(s.id);
        reader.typeGrowth(s.id);
    }
}

// Runs body in a forked child that ends with _exit(0), never returning into the test runner.
template <typename Body> pid_t inChild(Body body)
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            body();
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    return pid;
}

int waitForExit(pid_t pid)
{
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

} // namespace

TEST(StorageFiles, GivenAWriter_WhenClosedCleanly_ThenTheRecordingIsOneFileInRollbackMode)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto db = Database::openForWriting(file);
    {
        Recorder recorder(db);
        recorder.endSession(recorder.beginSession(makeSession()), 1, true, "detach");
    }
    EXPECT_EQ(dir.listing(), kWithWal) << "WAL while writing";
    db.close();
    EXPECT_EQ(dir.listing(), kOneFile);
    const std::string bytes = readBytes(file);
    EXPECT_EQ(bytes[18], 1) << "file format write version: rollback journal";
    EXPECT_EQ(bytes[19], 1) << "file format read version: rollback journal";
}

// A snapshot can hold string previews of the target's data: no other user may read a new file,
// nor the WAL files next to it while it is written.
TEST(StorageFiles, GivenANewFile_WhenWritten_ThenOnlyItsOwnerCanReadItOrItsWal)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const mode_t previous = ::umask(0);
    auto db = Database::openForWriting(file);
    ::umask(previous);
    {
        Recorder recorder(db);
        recorder.beginSession(makeSession());
    }
    for (const auto& name : dir.listing())
        EXPECT_EQ(std::filesystem::status(dir.file(name)).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
            << name;
    db.close();
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(StorageFiles, GivenAFinishedRecording_WhenReadTwiceAtOnce_ThenNothingIsCreatedOrChanged)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 100);
    const std::string before = readBytes(file);
    {
        auto first = Database::openForReading(file);
        auto second = Database::openForReading(file);
        readEverything(first);
        readEverything(second);
        EXPECT_EQ(dir.listing(), kOneFile);
    }
    EXPECT_EQ(dir.listing(), kOneFile);
    EXPECT_EQ(readBytes(file), before);
}

TEST(StorageFiles, GivenAWalModeFileWithoutItsWal_WhenRead_ThenNoWalOrShmFilesAppear)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 100);
    rawExec(file, "PRAGMA journal_mode = WAL"); // what a copy of a live recording looks like
    ASSERT_EQ(dir.listing(), kOneFile);
    const std::string before = readBytes(file);
    ASSERT_EQ(before[18], 2);
    {
        auto db = Database::openForReading(file);
        EXPECT_EQ(Reader(db).sampleCount(), 100);
        readEverything(db);
    }
    EXPECT_EQ(dir.listing(), kOneFile);
    EXPECT_EQ(readBytes(file), before);
}

TEST(StorageFiles, GivenAnOpenWriter_WhenAReaderFollowsIt_ThenTheReaderSeesEachCommitAndTheWriterClosesSafely)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    auto writer = Database::openForWriting(file);
    auto recorder = std::make_unique<Recorder>(writer);
    const auto id = recorder->beginSession(makeSession());
    for (int i = 0; i < 10; ++i)
        recorder->addSample(id, makeSample(i));
    recorder->flush();
    {
        auto readerDb = Database::openForReading(file);
        Reader reader(readerDb);
        EXPECT_EQ(reader.sampleCount(id), 10);
        for (int i = 10; i < 20; ++i)
            recorder->addSample(id, makeSample(i));
        recorder->endSession(id, 1, true, "detach");
        EXPECT_EQ(reader.sampleCount(id), 20);
        EXPECT_TRUE(reader.session(id)->complete);

        // The writer cannot leave WAL mode under an open reader; closing must still succeed.
        recorder.reset();
        EXPECT_NO_THROW(writer.close());
        EXPECT_EQ(reader.samples(id).size(), 20u);
    }
    {
        auto db = Database::openForReading(file);
        EXPECT_EQ(Reader(db).sampleCount(id), 20);
    }
    // The next writer's clean close folds the WAL in.
    Database::openForWriting(file).close();
    EXPECT_EQ(dir.listing(), kOneFile);
    auto db = Database::openForReading(file);
    EXPECT_EQ(Reader(db).sampleCount(id), 20);
}

TEST(StorageFiles, GivenAWriterThatExitsWithoutClosing_WhenRead_ThenCommittedRowsAreThereAndNothingChanges)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const pid_t child = inChild([&] {
        auto db = Database::openForWriting(file);
        Recorder recorder(db, { 1h, 1'000'000 });
        const auto id = recorder.beginSession(makeSession());
        for (int i = 0; i < 500; ++i)
            recorder.addSample(id, makeSample(i));
        recorder.flush();
        for (int i = 500; i < 510; ++i) // never committed
            recorder.addSample(id, makeSample(i));
        ::_exit(0); // no destructors: like a crash
    });
    const int status = waitForExit(child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    ASSERT_EQ(dir.listing(), kWithWal);
    const std::string dbBefore = readBytes(file);
    const std::string walBefore = readBytes(dir.file("rec.db-wal"));

    {
        auto db = Database::openForReading(file);
        Reader reader(db);
        const auto sessions = reader.sessions();
        ASSERT_EQ(sessions.size(), 1u);
        EXPECT_FALSE(sessions[0].complete);
        EXPECT_FALSE(sessions[0].endedNs);
        EXPECT_EQ(reader.sampleCount(), 500);
        EXPECT_EQ(reader.samples(sessions[0].id).back().timeNs, makeSample(499).timeNs);
        readEverything(db);
    }
    EXPECT_EQ(dir.listing(), kWithWal);
    EXPECT_EQ(readBytes(file), dbBefore);
    EXPECT_EQ(readBytes(dir.file("rec.db-wal")), walBefore);

    // The next writer recovers the file, appends, and leaves one file behind.
    writeRecording(file, 5);
    EXPECT_EQ(dir.listing(), kOneFile);
    auto db = Database::openForReading(file);
    Reader reader(db);
    const auto sessions = reader.sessions();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_FALSE(sessions[0].complete);
    EXPECT_TRUE(sessions[1].complete);
    EXPECT_EQ(reader.sampleCount(sessions[0].id), 500);
    EXPECT_EQ(reader.sampleCount(sessions[1].id), 5);
}

TEST(StorageFiles, GivenAWriterKilledWhileRecording_WhenRead_ThenEveryCommittedRowIsIntact)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const pid_t child = inChild([&] {
        auto db = Database::openForWriting(file);
        Recorder recorder(db, { 5ms, 64 });
        const auto id = recorder.beginSession(makeSession());
        for (std::int64_t i = 0;; ++i) {
            recorder.addSample(id, makeSample(i));
            recorder.addGcEvents(id, { makeGcEvent(i) });
        }
    });

    // Read while the child writes, until enough has been committed.
    std::int64_t seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seen < 3000 && std::chrono::steady_clock::now() < deadline) {
        try {
            auto db = Database::openForReading(file);
            seen = Reader(db).sampleCount();
        } catch (const StorageError&) {
            // The child may still be creating the file.
        }
        std::this_thread::sleep_for(5ms);
    }
    ::kill(child, SIGKILL);
    const int status = waitForExit(child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer died before it was killed: status " << status;
    ASSERT_GE(seen, 3000) << "the writer was too slow";

    auto db = Database::openForReading(file);
    Reader reader(db);
    const auto sessions = reader.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_FALSE(sessions[0].complete);
    const auto samples = reader.samples(sessions[0].id);
    ASSERT_GE(samples.size(), static_cast<std::size_t>(seen));
    for (std::size_t i = 0; i < samples.size(); ++i)
        ASSERT_EQ(samples[i].gcGarbage, makeSample(static_cast<std::int64_t>(i)).gcGarbage) << "row " << i;
    // A commit may fall between a sample and its event, never elsewhere.
    const auto events = reader.gcEventCount();
    EXPECT_TRUE(events == std::int64_t(samples.size()) || events + 1 == std::int64_t(samples.size())) << events;
}
