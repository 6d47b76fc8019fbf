// Files that are not (good) gcscope recordings: each gives one exact one-line message, and neither
// reading nor writing changes a byte of the file or adds anything next to it.
#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/StorageError.h>

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <random>

using namespace gcscope;
using namespace gcscope::storage;
using namespace gcscope::storage::test;

namespace {

struct BadFile {
    const char* name;
    // Makes the file in dir and returns the problem expected after "<path>: ".
    std::function<std::string(const TempDir& dir, const std::filesystem::path& file)> make;
    bool writerRefuses = true; // a missing or empty file is fine to start a recording in
};

// Opening succeeds for some damage that only shows on the pages themselves, so read everything.
void openAndReadEverything(const std::filesystem::path& file)
{
    auto db = Database::openForReading(file);
    Reader reader(db);
    for (const auto& s : reader.sessions()) {
        reader.samples(s.id);
        reader.censuses(s.id);
    }
    for (const auto& s : reader.snapshots()) {
        reader.readSnapshotStrings(s.id);
        reader.forEachSnapshotObject(s.id, [](const StoredObject&) {});
    }
}

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const StorageError& e) {
        return e.what();
    }
    return "<no error>";
}

const BadFile kBadFiles[] = {
    { "Missing", [](const TempDir&, const auto&) { return std::string("no such file"); }, false },
    { "Empty",
        [](const TempDir&, const auto& file) {
            writeBytes(file, "");
            return std::string("empty file");
        },
        false },
    { "Directory",
        [](const TempDir&, const auto& file) {
            std::filesystem::create_directory(file);
            return std::string("not a regular file");
        } },
    { "TextFile",
        [](const TempDir&, const auto& file) {
            writeBytes(file, "session,t_ns,count0\n1,2,3\n");
            return std::string("not a SQLite database");
        } },
    { "HeaderCutShort",
        [](const TempDir&, const auto& file) {
            writeBytes(file, std::string("SQLite format 3\0", 16) + std::string(34, '\0'));
            return std::string("truncated (file has 50 bytes, a SQLite header needs 100)");
        } },
    { "ForeignSqliteDatabase",
        [](const TempDir&, const auto& file) {
            rawExec(file, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');");
            return std::string("not a gcscope database (SQLite file of another application)");
        } },
    { "TruncatedRecording",
        [](const TempDir&, const auto& file) {
            writeRecording(file, 2000);
            const std::string bytes = readBytes(file);
            const std::size_t pageSize = 4096;
            EXPECT_GT(bytes.size(), 5 * pageSize);
            writeBytes(file, bytes.substr(0, 3 * pageSize));
            return "truncated (header says " + std::to_string(bytes.size()) + " bytes, file has "
                + std::to_string(3 * pageSize) + ")";
        } },
    { "GarbageOverThePages",
        [](const TempDir&, const auto& file) {
            writeRecording(file, 2000);
            std::string bytes = readBytes(file);
            std::mt19937 random(42);
            for (std::size_t i = 100; i < bytes.size(); ++i) // keep the 100-byte header
                bytes[i] = static_cast<char>(random());
            writeBytes(file, bytes);
            return std::string("corrupt (database disk image is malformed)");
        } },
    { "NewerSchemaVersion",
        [](const TempDir&, const auto& file) {
            writeRecording(file);
            rawExec(file, "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
            return "written by a newer gcscope (schema version " + std::to_string(kSchemaVersion + 1)
                + "; this one reads up to " + std::to_string(kSchemaVersion) + ")";
        } },
    { "Version2WithoutSnapshotTables",
        [](const TempDir&, const auto& file) {
            writeVersion1Recording(file);
            rawExec(file, "PRAGMA user_version = 2");
            return std::string("corrupt (table snapshots is missing)");
        } },
    { "GcscopeIdentityWithoutTables",
        [](const TempDir&, const auto& file) {
            rawExec(file, "PRAGMA application_id = 1195594563; PRAGMA user_version = 1; CREATE TABLE meta (k, v);");
            return std::string("corrupt (table sessions is missing)");
        } },
};

// ctest lists the files by name rather than as bytes.
void PrintTo(const BadFile& file, std::ostream* out)
{
    *out << file.name;
}

std::vector<BadFile> refusedByWriter()
{
    std::vector<BadFile> files;
    for (const BadFile& f : kBadFiles)
        if (f.writerRefuses)
            files.push_back(f);
    return files;
}

class StorageBadFileReading : public testing::TestWithParam<BadFile> { };
class StorageBadFileWriting : public testing::TestWithParam<BadFile> { };

} // namespace

TEST_P(StorageBadFileReading, GivenTheFile_WhenOpenedForReading_ThenTheExactMessageAndNothingChanged)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const std::string problem = GetParam().make(dir, file);
    const auto listing = dir.listing();
    const std::string bytes = std::filesystem::is_regular_file(file) ? readBytes(file) : "";

    EXPECT_EQ(errorOf([&] { openAndReadEverything(file); }), file.string() + ": " + problem);
    EXPECT_EQ(dir.listing(), listing);
    if (std::filesystem::is_regular_file(file)) {
        EXPECT_EQ(readBytes(file), bytes);
    }
}

TEST_P(StorageBadFileWriting, GivenTheFile_WhenOpenedForWriting_ThenItIsRefusedAndUntouched)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    const std::string problem = GetParam().make(dir, file);
    const auto listing = dir.listing();
    const std::string bytes = std::filesystem::is_regular_file(file) ? readBytes(file) : "";

    EXPECT_EQ(errorOf([&] { Database::openForWriting(file); }), file.string() + ": " + problem);
    EXPECT_EQ(dir.listing(), listing);
    if (std::filesystem::is_regular_file(file)) {
        EXPECT_EQ(readBytes(file), bytes);
    }
}

const auto kParamName = [](const auto& info) { return std::string(info.param.name); };
INSTANTIATE_TEST_SUITE_P(Files, StorageBadFileReading, testing::ValuesIn(kBadFiles), kParamName);
// A missing or empty file is where a new recording starts, so the writer does not refuse those two.
INSTANTIATE_TEST_SUITE_P(Files, StorageBadFileWriting, testing::ValuesIn(refusedByWriter()), kParamName);

TEST(StorageBadFiles, GivenAnEmptyFile_WhenOpenedForWriting_ThenItBecomesARecording)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeBytes(file, "");
    Database::openForWriting(file).close();
    auto db = Database::openForReading(file);
    EXPECT_EQ(Reader(db).schemaVersion(), kSchemaVersion);
}

TEST(StorageBadFiles, GivenAMissingDirectory_WhenOpenedForWriting_ThenTheErrorSaysWhy)
{
    TempDir dir;
    const auto file = dir.file("no-such-dir/rec.db");
    EXPECT_EQ(errorOf([&] { Database::openForWriting(file); }),
        file.string() + ": cannot create (No such file or directory)");
}

TEST(StorageBadFiles, GivenAFileNameWithALineBreak_WhenAnErrorNamesIt_ThenTheMessageIsStillOneLine)
{
    TempDir dir;
    const auto file = dir.file("rec\n.db");
    const std::string message = errorOf([&] { Database::openForReading(file); });
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// Damage on a page that opening never reads: a reader meets it when it reads that page, a writer
// must find it before appending (it would otherwise write around it, and the file gets worse).
TEST(StorageBadFiles, GivenOneDamagedPageDeepInside_WhenOpenedForWriting_ThenRefusedAsCorruptAndUntouched)
{
    TempDir dir;
    const auto file = dir.file("rec.db");
    writeRecording(file, 20000);
    std::string bytes = readBytes(file);
    // The header's page size: big-endian at offset 16, 1 meaning 65536 (gcscope makes 64 KiB pages).
    const std::size_t stored = static_cast<unsigned char>(bytes.at(16)) << 8 | static_cast<unsigned char>(bytes.at(17));
    const std::size_t pageSize = stored == 1 ? 65536 : stored;
    EXPECT_EQ(pageSize, 65536u);
    ASSERT_GT(bytes.size(), 6 * pageSize);
    std::mt19937 random(7);
    for (std::size_t i = 4 * pageSize; i < 5 * pageSize; ++i)
        bytes[i] = static_cast<char>(random());
    writeBytes(file, bytes);
    const auto listing = dir.listing();

    EXPECT_NO_THROW(Database::openForReading(file)) << "opening alone does not read that page";
    const std::string message = errorOf([&] { Database::openForWriting(file); });
    EXPECT_EQ(message.rfind(file.string() + ": corrupt (", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(readBytes(file), bytes);
    EXPECT_EQ(dir.listing(), listing);
}
