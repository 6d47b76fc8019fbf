// Writes one heap snapshot in one transaction: either all of it is in the file after commit(), or
// none of it (destroyed without commit, an error, or the process killed). Meanwhile it owns the
// connection's transaction: a Recorder on the same Database throws until the snapshot is committed
// or dropped, and an open Recorder batch is committed when the writer starts.
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/storage/TypeIds.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gcscope::storage {

class Database;

class SnapshotWriter {
public:
    // How the snapshot's transaction is journaled. Shared: in the file's write-ahead log, so that
    // readers (a GUI following a recording) go on reading meanwhile; the log is copied into the file
    // afterwards, so every byte is written twice. Alone: with a rollback journal, every byte written
    // once (a 10M-object snapshot stores in half the time), while readers wait until the commit;
    // used when nobody else has the file open (checked: it falls back to Shared otherwise). A writer
    // killed meanwhile leaves "<file>-journal", which the next open rolls back (Database).
    enum class Journal { Shared, Alone };

    // db must be opened for writing and outlive the writer. Throws StorageError, e.g. for a
    // session id that does not exist.
    SnapshotWriter(Database& db, const NewSnapshot& snapshot, Journal journal = Journal::Shared);
    ~SnapshotWriter(); // without commit(): rolls back, nothing of the snapshot remains
    SnapshotWriter(const SnapshotWriter&) = delete;
    SnapshotWriter& operator=(const SnapshotWriter&) = delete;

    // Strings get ids 1..m, in any order, each once; id 0 is "" and is skipped if given.
    void addString(std::uint32_t id, std::string_view text);
    // A string only objects use as their label (not a type name, not a reference's name): stored by
    // chunks (schema 6, snapshot_label_chunks), which is many times faster for the million labels of
    // a big heap. Label ids must increase from one call to the next; they share the ids of addString.
    void addLabel(std::uint32_t id, std::string_view text);
    // Objects must come in id order 0, 1, 2, ...; references may point forward. type, label and
    // string edge labels are string ids.
    void addObject(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
        std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const StoredReference> refs);
    // The same with the references as two parallel spans, as a graph holds them: targets[i] with
    // labels[i] (labels as long as targets). The way a big snapshot is stored: nothing is copied.
    void addObject(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
        std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
        std::span<const std::uint32_t> labels);

    // The snapshot's garbage summary by `rule` (KeptGarbage.h), stored with it at commit() (schema 8;
    // an older file keeps none). Any time before commit().
    void keepGarbage(std::uint32_t rule, std::string_view summary);
    // Checks that every reference and string id used exists, stores the counts and commits.
    // Returns the snapshot id. Throws StorageError (and keeps nothing) if the snapshot is inconsistent.
    std::int64_t commit(std::uint64_t trackedObjects);

private:
    struct Statements;

    void requireOpen() const;
    void takeConnection();
    void flushChunk();
    void flushLabels();
    void noteString(std::uint32_t id);
    // What both forms of addObject check and count before the object is stored.
    void noteObject(std::uint32_t id, std::uint32_t type, std::uint64_t size, std::uint32_t label);
    void insertObjectRow(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
        std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
        std::span<const std::uint32_t> labels);
    void rollback() noexcept;
    void restoreJournal() noexcept;

    Database& db_;
    std::unique_ptr<Statements> statements_;
    std::chrono::steady_clock::time_point started_;
    std::int64_t snapshotId_ = 0;
    bool open_ = false;
    bool restoreWal_ = false; // Journal::Alone took effect: back to WAL once done
    std::uint64_t objects_ = 0;
    std::uint64_t references_ = 0;
    std::vector<std::uint32_t> splitTargets_, splitLabels_; // the joined form, split
    std::uint64_t strings_ = 0;
    std::uint32_t maxStringId_ = 0; // highest string id added
    std::uint32_t maxStringUsed_ = 0; // highest string id objects and references use
    std::uint64_t maxTarget_ = 0; // highest reference target + 1; 0 when there is none
    std::vector<unsigned char> blob_; // reused for every object
    struct TypeTotal {
        std::uint32_t type = 0; // its name's string id
        std::uint64_t objects = 0;
        std::uint64_t size = 0;
    };
    // Per type, in the order first seen (a snapshot has a few hundred), found by type id through
    // typePositions_. A vector indexed by type id was as long as the string table (type names come
    // among the labels: 10M entries, 160 MB of fresh memory at 10M objects).
    std::vector<TypeTotal> typeTotals_;
    TypeIds typePositions_;
    std::uint32_t lastLabel_ = 0;
    std::optional<std::pair<std::uint32_t, std::string>> garbage_; // keepGarbage()'s rule and summary
};

} // namespace gcscope::storage
