// Shared by the storage tests: a private temporary directory, raw file access, raw SQLite access
// (to build files gcscope would never write) and records with every field set.
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/wire.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::storage::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path file(std::string_view name) const { return path_ / name; }
    // Names in the directory, sorted.
    std::vector<std::string> listing() const;

private:
    std::filesystem::path path_;
};

std::string readBytes(const std::filesystem::path& file);
void writeBytes(const std::filesystem::path& file, std::string_view bytes);

// Runs SQL on a plain SQLite connection, creating the file if needed.
void rawExec(const std::filesystem::path& file, const std::string& sql);
// The first column of the first row of a query on a plain read-only connection.
std::string rawQuery(const std::filesystem::path& file, const std::string& sql);

NewSession makeSession(std::int64_t pid = 4242);
// Every field distinct and derived from i, so mixed-up columns show.
wire::SampleRecord makeSample(std::int64_t i);
wire::GcEventRecord makeGcEvent(std::int64_t i);

// Writes a cleanly closed recording with one complete session holding `samples` samples.
void writeRecording(const std::filesystem::path& file, int samples = 10);
// The same, made with the schema version 1 steps only: a file recorded before snapshots existed.
void writeVersion1Recording(const std::filesystem::path& file, int samples = 10);
// The same with a few gc events, at schema version 2 (before agent forms and 3.15 event figures).
void writeVersion2Recording(const std::filesystem::path& file, int samples = 10);

} // namespace gcscope::storage::test
