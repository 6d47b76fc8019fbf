// Queries over a gcscope database, shared by the CLI and the GUI. Works on every schema version
// up to kSchemaVersion, and on a file that is being written (it sees committed batches).
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/storage/StringTable.h>
#include <gcscope/wire.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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

    // Heap snapshots (schema 2; a schema 1 file has none), by id.
    std::vector<SnapshotInfo> snapshots() const;
    std::optional<SnapshotInfo> snapshot(std::int64_t id) const;
    // The snapshot's string table indexed by string id; [0] is "". Throws "FILE: no snapshot N".
    // `between`, when set, is called every kStringChunksBetweenCalls chunks of labels (a second's
    // reading at 30M objects holds some 40,000): it may throw to stop the read, and its exception
    // passes through.
    StringTable readSnapshotStrings(std::int64_t snapshotId, const std::function<void()>& between = {}) const;
    static constexpr std::uint64_t kStringChunksBetweenCalls = 64;
    // Calls visit for every object of the snapshot in id order (0..objects-1) with its references
    // decoded. Every id in an object (targets, type, label, edge names) is checked to be in range,
    // so callers can index arrays with them; a damaged row throws "FILE: corrupt (...)".
    void forEachSnapshotObject(std::int64_t snapshotId, const std::function<void(const StoredObject&)>& visit) const;
    // The same without the references, only their number: for questions about every object that need
    // no graph (which objects an earlier snapshot held). Type ids and flags are checked as above.
    void forEachSnapshotRecord(std::int64_t snapshotId, const std::function<void(const StoredRecord&)>& visit) const;
    // One string of the snapshot's table that is a row of snapshot_strings (a type name, a reference's
    // name); "" for id 0. Throws "FILE: corrupt (...)" when the snapshot has no such row.
    std::string snapshotString(std::int64_t snapshotId, std::uint32_t id) const;

    // The snapshot's objects and bytes per type, as stored with it (schema 6), by type name; nullopt
    // for a snapshot stored without them (older files), whose objects must be read instead.
    std::optional<std::vector<StoredTypeTotal>> snapshotTypeTotals(std::int64_t snapshotId) const;

private:
    std::int64_t countRows(const char* table, std::optional<std::int64_t> sessionId) const;
    SnapshotInfo requireSnapshot(std::int64_t id) const;

    const Database& db_;
};

} // namespace gcscope::storage
