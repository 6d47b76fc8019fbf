#include <gcscope/storage/SnapshotWriter.h>

#include "BlobInserter.h"
#include "Keeping.h"
#include "LabelChunk.h"
#include "ReferenceBlob.h"
#include "SnapshotChunk.h"
#include "Statement.h"
#include "Writeback.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/StorageError.h>
#include <gcscope/wire.h>

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <string>

namespace gcscope::storage {

namespace {
// After some errors (disk full, I/O) SQLite rolls the transaction back itself; writing on would
// commit every row on its own. Only while the connection is the caller's.
void requireTransaction(const Database& db)
{
    if (sqlite3_get_autocommit(db.handle()))
        throw StorageError(db.path(), "the snapshot's transaction was rolled back after an error");
}
} // namespace

// Schema 9's chunk insert names the packed layout by its number.
static_assert(static_cast<int>(ChunkLayout::Packed) == 1, "the insert below writes layout 1");

struct SnapshotWriter::Statements {
    explicit Statements(const Database& db)
        : insertSnapshot(db,
            db.schemaVersion() >= 4
                ? "INSERT INTO snapshots (session_id, taken_ns, pause_ns, pid, python_version, objects, "
                  "tracked_objects,"
                  " edges, flags, ingest_ns, label, method, method_note, extra_memory)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0, ?6, 0, ?7, ?8, ?9, ?10)"
                : "INSERT INTO snapshots (session_id, taken_ns, pause_ns, pid, python_version, objects, "
                  "tracked_objects,"
                  " edges, flags, ingest_ns, label) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0, ?6, 0, ?7)")
        , insertString(db, "INSERT INTO snapshot_strings (snapshot_id, id, text) VALUES (?1, ?2, ?3)")
        , insertObject(db,
              "INSERT INTO snapshot_objects (snapshot_id, id, address, type, size, refcount, flags, label, refs)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        , insertChunk(db.schemaVersion() >= 5
                  ? std::optional<Statement>(std::in_place, db,
                      db.schemaVersion() >= 9 ? "INSERT INTO snapshot_chunks (snapshot_id, first_id, objects, data, "
                                                "layout) VALUES (?1, ?2, ?3, ?4, 1)"
                                              : "INSERT INTO snapshot_chunks (snapshot_id, first_id, objects, data)"
                                                " VALUES (?1, ?2, ?3, ?4)")
                  : std::nullopt)
        , insertTypeTotal(db.schemaVersion() >= 6 ? std::optional<Statement>(std::in_place, db,
                              "INSERT INTO snapshot_types (snapshot_id, type, objects, size) VALUES (?1, ?2, ?3, ?4)")
                                                  : std::nullopt)
        , insertLabels(
              db.schemaVersion() >= 6 ? std::optional<Statement>(std::in_place, db,
                  "INSERT INTO snapshot_label_chunks (snapshot_id, first_id, strings, data) VALUES (?1, ?2, ?3, ?4)")
                                      : std::nullopt)
        , finish(
              db, "UPDATE snapshots SET objects = ?2, tracked_objects = ?3, edges = ?4, ingest_ns = ?5 WHERE id = ?1")
        , chunk(db.schemaVersion() >= 9 ? ChunkLayout::Packed : ChunkLayout::Records)
        , writeback(db.path())
        , inserter([this, &db](std::size_t bytes) {
            requireTransaction(db);
            writeback.wrote(bytes);
        })
    {
    }

    Statement insertSnapshot;
    Statement insertString;
    Statement insertObject;
    std::optional<Statement> insertChunk; // schema 5+: objects go in chunks, not one row each (9+: packed)
    std::optional<Statement> insertTypeTotal; // schema 6+: objects and bytes per type
    std::optional<Statement> insertLabels; // schema 6+: labels by chunks
    Statement finish;
    ChunkBuilder chunk;
    LabelChunkBuilder labels;
    std::uint32_t chunkFirst = 0;
    Writeback writeback;
    BlobInserter inserter; // last: stopped before the statements it runs are finalized
};

namespace {
// SQLite integers are signed 64-bit: addresses and sizes are stored as their two's complement.
std::int64_t asInteger(std::uint64_t v)
{
    return static_cast<std::int64_t>(v);
}

std::uint32_t stringIdOf(std::uint32_t edgeLabel)
{
    return (edgeLabel & wire::kEdgeIndexBit) ? 0 : edgeLabel;
}
} // namespace

SnapshotWriter::SnapshotWriter(Database& db, const NewSnapshot& s, Journal journal)
    : db_(db)
    , started_(std::chrono::steady_clock::now())
{
    if (!db.writable())
        throw StorageError(db.path(), "opened for reading, cannot write a snapshot");
    if (!db.handle())
        throw StorageError(db.path(), "closed, cannot write a snapshot");
    if (db.snapshotInProgress())
        throw StorageError(db.path(), "another snapshot is being written");
    statements_ = std::make_unique<Statements>(db);

    // A Recorder's open batch is complete rows: keep them, and start the snapshot's own transaction.
    if (!sqlite3_get_autocommit(db.handle()))
        db.exec("COMMIT");
    if (journal == Journal::Alone) {
        // SQLite leaves WAL only when no other connection has the file open: at once, or not at all.
        sqlite3_busy_timeout(db.handle(), 0);
        try {
            Statement mode(db, "PRAGMA journal_mode = DELETE");
            restoreWal_ = mode.step() && mode.text(0) == "delete";
            mode.reset();
        } catch (const StorageError&) {
            restoreWal_ = false; // busy: another connection reads it, so the log is shared
        }
        sqlite3_busy_timeout(db.handle(), Database::kBusyTimeoutMs);
    }
    db.exec("BEGIN IMMEDIATE");
    open_ = true;
    db_.snapshotInProgress_ = true;
    db_.stopSnapshotInserts_ = [inserter = &statements_->inserter] { inserter->cancel(); };
    try {
        Statement& insert = statements_->insertSnapshot;
        if (s.sessionId)
            insert.bind(1, *s.sessionId);
        insert.bind(2, s.takenNs).bind(3, s.pauseNs).bind(4, s.pid).bind(5, s.pythonVersion);
        insert.bind(6, std::int64_t { s.flags });
        if (s.label)
            insert.bind(7, *s.label);
        if (db.schemaVersion() >= 4) {
            insert.bind(8, s.byChild ? "child" : "in-process");
            if (!s.methodNote.empty())
                insert.bind(9, s.methodNote);
            if (s.byChild)
                insert.bind(10, static_cast<std::int64_t>(s.extraMemoryBytes));
        }
        insert.run();
        snapshotId_ = sqlite3_last_insert_rowid(db.handle());
    } catch (...) {
        rollback();
        throw;
    }
}

SnapshotWriter::~SnapshotWriter()
{
    rollback();
}

void SnapshotWriter::addString(std::uint32_t id, std::string_view text)
{
    requireOpen();
    takeConnection();
    if (id == 0) {
        if (!text.empty())
            throw StorageError(db_.path(), "snapshot string 0 must be empty");
        return;
    }
    statements_->insertString.bind(1, snapshotId_).bind(2, std::int64_t { id }).bind(3, text).run();
    ++strings_;
    maxStringId_ = std::max(maxStringId_, id);
}

void SnapshotWriter::addLabel(std::uint32_t id, std::string_view text)
{
    requireOpen();
    if (!statements_->insertLabels || id == 0) {
        addString(id, text);
        return;
    }
    if (id <= lastLabel_)
        throw StorageError(db_.path(),
            "snapshot label " + std::to_string(id) + " added after label " + std::to_string(lastLabel_)
                + " (label ids must increase)");
    lastLabel_ = id;
    statements_->labels.add(id, text);
    ++strings_;
    maxStringId_ = std::max(maxStringId_, id);
    if (statements_->labels.full())
        flushLabels();
}

void SnapshotWriter::flushLabels()
{
    auto& labels = statements_->labels;
    if (!statements_->insertLabels || labels.strings() == 0)
        return;
    const std::int64_t first = labels.firstId(), count = labels.strings();
    const auto& blob = labels.finish();
    statements_->inserter.push(*statements_->insertLabels, snapshotId_, first, count, blob);
}

void SnapshotWriter::noteObject(std::uint32_t id, std::uint32_t type, std::uint64_t size, std::uint32_t label)
{
    requireOpen();
    if (id != objects_)
        throw StorageError(db_.path(),
            "snapshot object " + std::to_string(id) + " added out of order (expected " + std::to_string(objects_)
                + ")");
    noteString(type);
    noteString(label);
    TypeTotal& totals = typeTotals_[typePositions_.of(type, [this](std::uint32_t t) {
        typeTotals_.push_back({ t, 0, 0 });
        return static_cast<std::uint32_t>(typeTotals_.size() - 1);
    })];
    ++totals.objects;
    totals.size += size;
}

void SnapshotWriter::addObject(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const StoredReference> refs)
{
    splitTargets_.clear();
    splitLabels_.clear();
    for (const StoredReference& r : refs) {
        splitTargets_.push_back(r.target);
        splitLabels_.push_back(r.label);
    }
    addObject(id, address, type, size, refcount, flags, label, splitTargets_, splitLabels_);
}

void SnapshotWriter::addObject(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
    std::span<const std::uint32_t> labels)
{
    if (labels.size() != targets.size())
        throw StorageError(
            db_.path(), "snapshot object " + std::to_string(id) + " has a label count unlike its references'");
    noteObject(id, type, size, label);
    std::uint32_t most = 0, mostString = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        most = std::max(most, targets[i]);
        mostString = std::max(mostString, stringIdOf(labels[i]));
    }
    if (!targets.empty())
        maxTarget_ = std::max<std::uint64_t>(maxTarget_, std::uint64_t { most } + 1);
    noteString(mostString);
    if (statements_->insertChunk) {
        if (!ChunkBuilder::fits(address, size))
            throw StorageError(
                db_.path(), "snapshot object " + std::to_string(id) + " has an address or a size too large to store");
        auto& chunk = statements_->chunk;
        if (chunk.objects() == 0)
            statements_->chunkFirst = id;
        chunk.add(id, address, type, size, refcount, flags, label, targets, labels);
        if (chunk.objects() == kChunkObjects)
            flushChunk();
    } else {
        insertObjectRow(id, address, type, size, refcount, flags, label, targets, labels);
    }
    ++objects_;
    references_ += targets.size();
}

// A file of schema 4 or older: a row per object, inserted here.
void SnapshotWriter::insertObjectRow(std::uint32_t id, std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label, std::span<const std::uint32_t> targets,
    std::span<const std::uint32_t> labels)
{
    takeConnection();
    Statement& insert = statements_->insertObject;
    insert.bind(1, snapshotId_)
        .bind(2, std::int64_t { id })
        .bind(3, asInteger(address))
        .bind(4, std::int64_t { type })
        .bind(5, asInteger(size))
        .bind(6, refcount)
        .bind(7, std::int64_t { flags })
        .bind(8, std::int64_t { label });
    if (!targets.empty()) {
        blob_.resize(targets.size() * kMostReferenceBytes);
        blob_.resize(static_cast<std::size_t>(encodeReferences(id, targets, labels, blob_.data()) - blob_.data()));
        insert.bindBlobNoCopy(9, blob_);
    }
    insert.run();
}

std::int64_t SnapshotWriter::commit(std::uint64_t trackedObjects)
{
    requireOpen();
    std::string problem;
    if (maxTarget_ > objects_)
        problem = "a reference to object " + std::to_string(maxTarget_ - 1) + ", but only " + std::to_string(objects_)
            + " objects";
    else if (strings_ != maxStringId_)
        problem = "string ids up to " + std::to_string(maxStringId_) + " but " + std::to_string(strings_)
            + " strings (ids must be 1..n)";
    else if (maxStringUsed_ > maxStringId_)
        problem = "string " + std::to_string(maxStringUsed_) + " used but not added";
    else if (trackedObjects > objects_)
        problem
            = std::to_string(trackedObjects) + " tracked objects, but only " + std::to_string(objects_) + " objects";
    if (!problem.empty()) {
        rollback();
        throw StorageError(db_.path(), "snapshot not stored: " + problem);
    }

    try {
        flushChunk();
        flushLabels();
        takeConnection();
        if (statements_->insertTypeTotal)
            for (const TypeTotal& t : typeTotals_)
                statements_->insertTypeTotal->bind(1, snapshotId_)
                    .bind(2, static_cast<std::int64_t>(t.type))
                    .bind(3, asInteger(t.objects))
                    .bind(4, asInteger(t.size))
                    .run();
        if (garbage_ && db_.schemaVersion() >= 8)
            putGarbageSummary(db_, snapshotId_, garbage_->first, garbage_->second);
        const auto ingest
            = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started_);
        statements_->finish.bind(1, snapshotId_)
            .bind(2, asInteger(objects_))
            .bind(3, asInteger(trackedObjects))
            .bind(4, asInteger(references_))
            .bind(5, std::int64_t { ingest.count() })
            .run();
        db_.exec("COMMIT");
    } catch (...) {
        rollback();
        throw;
    }
    open_ = false;
    db_.snapshotInProgress_ = false;
    db_.stopSnapshotInserts_ = nullptr;
    restoreJournal();
    return snapshotId_;
}

void SnapshotWriter::keepGarbage(std::uint32_t rule, std::string_view summary)
{
    requireOpen();
    garbage_.emplace(rule, std::string(summary));
}

void SnapshotWriter::flushChunk()
{
    auto& chunk = statements_->chunk;
    if (!statements_->insertChunk || chunk.objects() == 0)
        return;
    const std::int64_t objects = chunk.objects();
    const auto blob = chunk.finish();
    statements_->inserter.push(*statements_->insertChunk, snapshotId_, statements_->chunkFirst, objects, blob);
}

void SnapshotWriter::requireOpen() const
{
    if (!open_)
        throw StorageError(db_.path(), "snapshot already committed or abandoned");
    // The Database should outlive us; if it was closed first (which rolled us back), fail cleanly.
    if (!db_.handle())
        throw StorageError(db_.path(), "closed while a snapshot was being written");
}

// Waits until the inserting thread has run everything it was given: the connection is ours again.
void SnapshotWriter::takeConnection()
{
    statements_->inserter.drain();
    requireTransaction(db_);
}

void SnapshotWriter::noteString(std::uint32_t id)
{
    maxStringUsed_ = std::max(maxStringUsed_, id);
}

void SnapshotWriter::rollback() noexcept
{
    if (!open_)
        return;
    open_ = false;
    if (statements_)
        statements_->inserter.cancel(); // the connection is ours again
    db_.stopSnapshotInserts_ = nullptr;
    if (db_.handle() && db_.snapshotInProgress_)
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    db_.snapshotInProgress_ = false;
    restoreJournal();
}

void SnapshotWriter::restoreJournal() noexcept
{
    if (restoreWal_ && db_.handle())
        sqlite3_exec(db_.handle(), "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    restoreWal_ = false;
}

} // namespace gcscope::storage
