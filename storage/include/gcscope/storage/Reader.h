// Queries over a gcscope database, shared by the CLI and the GUI. Works on every schema version
// up to kSchemaVersion, and on a file that is being written (it sees committed batches).
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/wire.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace gcscope::storage {

class Database;

class Reader {
public:
    // db must outlive the reader.
    explicit Reader(const Database& db);

    int schemaVersion() const;

    std::vector<SessionInfo> sessions() const; // by id
    std::optional<SessionInfo> session(std::int64_t id) const;

    // Row counts in the whole file, or in one session.
    std::int64_t sampleCount(std::optional<std::int64_t> sessionId = {}) const;
    std::int64_t gcEventCount(std::optional<std::int64_t> sessionId = {}) const;
    std::int64_t censusCount(std::optional<std::int64_t> sessionId = {}) const;
    std::int64_t processSampleCount(std::optional<std::int64_t> sessionId = {}) const;

    // One session's series in time order.
    std::vector<wire::SampleRecord> samples(std::int64_t sessionId, TimeRange range = {}) const;
    std::vector<wire::GcEventRecord> gcEvents(std::int64_t sessionId, TimeRange range = {}) const;
    std::vector<ProcessSample> processSamples(std::int64_t sessionId, TimeRange range = {}) const;
    std::vector<Census> censuses(std::int64_t sessionId, TimeRange range = {}) const;

    // Every type seen in the session's censuses, by name, each with one point per census.
    std::vector<TypeSeries> typeGrowth(std::int64_t sessionId) const;

    // Empty for schema 1.
    std::vector<SnapshotInfo> snapshots() const;

private:
    std::int64_t countRows(const char* table, std::optional<std::int64_t> sessionId) const;

    const Database& db_;
};

} // namespace gcscope::storage
