#include "StorageTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Recorder.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <stdlib.h>

namespace gcscope::storage::test {

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "gcscope-storage-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::listing() const
{
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string readBytes(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void writeBytes(const std::filesystem::path& file, std::string_view bytes)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void rawExec(const std::filesystem::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string rawQuery(const std::filesystem::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    std::string value = "<error>";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        value = text ? text : "<null>";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

NewSession makeSession(std::int64_t pid)
{
    NewSession s;
    s.pid = pid;
    s.pythonVersion = "3.11.2";
    s.pythonExecutable = "/usr/bin/python3.11";
    s.argv = { "python3", "-c", "print(\"hi\")", "", "naïve ünïcode", "back\\slash" };
    s.mode = SessionMode::Run;
    s.startedNs = 1'700'000'000'000'000'000;
    s.intervalMs = 100;
    s.censusEveryMs = 5000;
    s.hostname = "build-host";
    s.gcscopeVersion = "0.1.0";
    s.agentForm = "py311";
    return s;
}

wire::SampleRecord makeSample(std::int64_t i)
{
    wire::SampleRecord s;
    s.timeNs = 1'700'000'000'000'000'000 + i * 100'000'000;
    s.count = { 100 + i, 200 + i, 300 + i };
    s.threshold = { 700, 10 + i, 20 + i };
    s.enabled = i % 2 == 0;
    s.freezeCount = 7 + i;
    for (int g = 0; g < wire::kGenerations; ++g)
        s.stats[g] = { 1000 * (g + 1) + i, 2000 * (g + 1) + i, 3000 * (g + 1) + i };
    s.gcGarbage = 50 + i;
    return s;
}

wire::GcEventRecord makeGcEvent(std::int64_t i)
{
    // Odd events carry 3.15's own figures, even ones do not (earlier interpreters).
    return { 1'700'000'000'000'000'000 + i * 1'000'000, 2000 + i, static_cast<std::int32_t>(i % 3), 10 + i, i % 5,
        i % 2 ? 500 + i : -1, i % 2 ? 1900 + i : -1 };
}

namespace {
void writeRecordingWith(const std::filesystem::path& file, int samples, std::span<const MigrationStep> steps)
{
    auto db = Database::openForWriting(file, steps);
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());
    for (int i = 0; i < samples; ++i)
        recorder.addSample(id, makeSample(i));
    recorder.endSession(id, 1'700'000'100'000'000'000, true, "detach");
}
} // namespace

void writeRecording(const std::filesystem::path& file, int samples)
{
    writeRecordingWith(file, samples, schemaMigrations());
}

void writeVersion1Recording(const std::filesystem::path& file, int samples)
{
    writeRecordingWith(file, samples, schemaMigrations().first(1));
}

void writeVersion2Recording(const std::filesystem::path& file, int samples)
{
    auto db = Database::openForWriting(file, schemaMigrations().first(2));
    Recorder recorder(db);
    const auto id = recorder.beginSession(makeSession());
    for (int i = 0; i < samples; ++i)
        recorder.addSample(id, makeSample(i));
    recorder.addGcEvents(id, std::vector { makeGcEvent(0), makeGcEvent(1), makeGcEvent(2) }, 0);
    recorder.endSession(id, 1'700'000'100'000'000'000, true, "detach");
}

} // namespace gcscope::storage::test
