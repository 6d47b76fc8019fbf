#include <gcscope/storage/Recorder.h>

#include "ArgvJson.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/StorageError.h>

#include <sqlite3.h>

#include <map>

namespace gcscope::storage {

struct Recorder::Statements {
    // A database opened with fewer migration steps (tests of older files) lacks schema 3's columns.
    explicit Statements(const Database& db)
        : version3(db.schemaVersion() >= 3)
        , insertSession(db,
              std::string("INSERT INTO sessions (pid, python_version, python_executable, argv, mode, started_ns,"
                          " interval_ms, census_every_ms, hostname, gcscope_version")
                  + (version3 ? ", agent_form, gc_model) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                              : ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))
        , endSession(db, "UPDATE sessions SET ended_ns = ?2, status = ?3, end_reason = ?4 WHERE id = ?1")
        , addDropped(db, "UPDATE sessions SET gc_events_dropped = gc_events_dropped + ?2 WHERE id = ?1")
        , insertSample(db,
              "INSERT INTO samples (session_id, t_ns, count0, count1, count2, threshold0, threshold1, threshold2,"
              " enabled, freeze_count, collections0, collections1, collections2, collected0, collected1, collected2,"
              " uncollectable0, uncollectable1, uncollectable2, gc_garbage)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)")
        , insertGcEvent(db,
              std::string(
                  "INSERT INTO gc_events (session_id, start_ns, duration_ns, generation, collected, uncollectable")
                  + (version3 ? ", candidates, python_duration_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                              : ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))
        , insertCensus(db, "INSERT INTO census (session_id, t_ns, pause_ns, objects) VALUES (?1, ?2, ?3, ?4)")
        , insertCensusEntry(db, "INSERT INTO census_entries (census_id, type_id, count, size) VALUES (?1, ?2, ?3, ?4)")
        , findType(db, "SELECT id FROM types WHERE name = ?1")
        , insertType(db, "INSERT INTO types (name) VALUES (?1)")
        , insertProcessSample(
              db, "INSERT INTO process_samples (session_id, t_ns, rss_bytes, threads, fds) VALUES (?1, ?2, ?3, ?4, ?5)")
    {
    }

    bool version3;
    Statement insertSession;
    Statement endSession;
    Statement addDropped;
    Statement insertSample;
    Statement insertGcEvent;
    Statement insertCensus;
    Statement insertCensusEntry;
    Statement findType;
    Statement insertType;
    Statement insertProcessSample;
};

namespace {
// SQLite integers are signed 64-bit; counts and sizes never come near 2^63.
std::int64_t asInteger(std::uint64_t v)
{
    return static_cast<std::int64_t>(v);
}
} // namespace

Recorder::Recorder(Database& db, BatchPolicy policy)
    : db_(db)
    , policy_(policy)
{
    if (!db.writable())
        throw StorageError(db.path(), "opened for reading, cannot record");
    statements_ = std::make_unique<Statements>(db);
}

Recorder::~Recorder()
{
    try {
        flush();
    } catch (...) {
    }
}

std::int64_t Recorder::beginSession(const NewSession& s)
{
    flush();
    statements_->insertSession.bind(1, s.pid)
        .bind(2, s.pythonVersion)
        .bind(3, s.pythonExecutable)
        .bind(4, argvToJson(db_, s.argv))
        .bind(5, toString(s.mode))
        .bind(6, s.startedNs)
        .bind(7, std::int64_t { s.intervalMs })
        .bind(8, std::int64_t { s.censusEveryMs })
        .bind(9, s.hostname)
        .bind(10, s.gcscopeVersion);
    if (statements_->version3) {
        statements_->insertSession.bind(
            12, s.gcModel == "incremental" ? std::string_view("incremental") : std::string_view("generational"));
        if (s.agentForm.empty())
            statements_->insertSession.bindNull(11);
        else
            statements_->insertSession.bind(11, s.agentForm);
    }
    statements_->insertSession.run();
    return sqlite3_last_insert_rowid(db_.handle());
}

void Recorder::addSample(std::int64_t sessionId, const wire::SampleRecord& s)
{
    beginBatch();
    Statement& insert = statements_->insertSample;
    insert.bind(1, sessionId).bind(2, s.timeNs);
    for (int g = 0; g < wire::kGenerations; ++g) {
        insert.bind(3 + g, s.count[g]);
        insert.bind(6 + g, s.threshold[g]);
        insert.bind(11 + g, s.stats[g].collections);
        insert.bind(14 + g, s.stats[g].collected);
        insert.bind(17 + g, s.stats[g].uncollectable);
    }
    insert.bind(9, std::int64_t { s.enabled }).bind(10, s.freezeCount).bind(20, s.gcGarbage).run();
    rowsAdded(1);
}

void Recorder::addGcEvents(
    std::int64_t sessionId, const std::vector<wire::GcEventRecord>& events, std::uint64_t dropped)
{
    if (events.empty() && dropped == 0)
        return;
    beginBatch();
    for (const wire::GcEventRecord& e : events) {
        Statement& insert = statements_->insertGcEvent;
        insert.bind(1, sessionId)
            .bind(2, e.startNs)
            .bind(3, e.durationNs)
            .bind(4, std::int64_t { e.generation })
            .bind(5, e.collected)
            .bind(6, e.uncollectable);
        if (statements_->version3) {
            e.candidates < 0 ? insert.bindNull(7) : insert.bind(7, e.candidates);
            e.pythonDurationNs < 0 ? insert.bindNull(8) : insert.bind(8, e.pythonDurationNs);
        }
        insert.run();
    }
    if (dropped != 0)
        statements_->addDropped.bind(1, sessionId).bind(2, asInteger(dropped)).run();
    rowsAdded(events.size());
}

void Recorder::addCensus(std::int64_t sessionId, const wire::CensusRecord& census)
{
    std::map<std::string_view, wire::CensusEntry> byType;
    for (const wire::CensusEntry& e : census.entries) {
        wire::CensusEntry& total = byType[e.type];
        total.count += e.count;
        total.size += e.size;
    }

    beginBatch();
    statements_->insertCensus.bind(1, sessionId)
        .bind(2, census.timeNs)
        .bind(3, census.pauseNs)
        .bind(4, asInteger(census.objects))
        .run();
    const std::int64_t censusId = sqlite3_last_insert_rowid(db_.handle());
    for (const auto& [type, total] : byType)
        statements_->insertCensusEntry.bind(1, censusId)
            .bind(2, typeId(std::string(type)))
            .bind(3, asInteger(total.count))
            .bind(4, asInteger(total.size))
            .run();
    rowsAdded(1 + byType.size());
}

void Recorder::addProcessSample(
    std::int64_t sessionId, std::int64_t timeNs, std::uint64_t rssBytes, std::uint32_t threads, std::uint32_t fds)
{
    beginBatch();
    statements_->insertProcessSample.bind(1, sessionId)
        .bind(2, timeNs)
        .bind(3, asInteger(rssBytes))
        .bind(4, std::int64_t { threads })
        .bind(5, std::int64_t { fds })
        .run();
    rowsAdded(1);
}

void Recorder::endSession(std::int64_t sessionId, std::int64_t endedNs, bool complete, std::string_view reason)
{
    flush();
    statements_->endSession.bind(1, sessionId)
        .bind(2, endedNs)
        .bind(3, complete ? "complete" : "incomplete")
        .bind(4, reason)
        .run();
    if (sqlite3_changes(db_.handle()) == 0)
        throw StorageError(db_.path(), "cannot end session " + std::to_string(sessionId) + ": no such session");
}

void Recorder::commitIfDue()
{
    if (inTransaction() && std::chrono::steady_clock::now() - batchStarted_ >= policy_.maxDelay)
        flush();
}

void Recorder::flush()
{
    if (!inTransaction())
        return;
    try {
        db_.exec("COMMIT");
    } catch (const StorageError&) {
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    typesAddedInBatch_.clear();
    batchRows_ = 0;
}

void Recorder::beginBatch()
{
    if (inTransaction())
        return;
    // Type ids interned by a batch that was never committed do not exist in the file.
    for (const std::string& name : typesAddedInBatch_)
        typeIds_.erase(name);
    typesAddedInBatch_.clear();
    db_.exec("BEGIN IMMEDIATE");
    batchStarted_ = std::chrono::steady_clock::now();
    batchRows_ = 0;
}

void Recorder::rowsAdded(std::size_t rows)
{
    batchRows_ += rows;
    if (batchRows_ >= policy_.maxRows)
        flush();
    else
        commitIfDue();
}

bool Recorder::inTransaction() const
{
    // The Database should outlive us; if it was closed first, fail cleanly instead of crashing.
    if (!db_.handle())
        throw StorageError(db_.path(), "closed while a recorder still uses it");
    // Its transaction is the snapshot's: committing it would store half a snapshot.
    if (db_.snapshotInProgress())
        throw StorageError(db_.path(), "a snapshot is being written; record after it is committed");
    return sqlite3_get_autocommit(db_.handle()) == 0;
}

std::int64_t Recorder::typeId(const std::string& name)
{
    if (auto it = typeIds_.find(name); it != typeIds_.end())
        return it->second;
    std::int64_t id = 0;
    if (statements_->findType.bind(1, name).step()) {
        id = statements_->findType.integer(0);
        statements_->findType.reset();
    } else {
        statements_->insertType.bind(1, name).run();
        id = sqlite3_last_insert_rowid(db_.handle());
        typesAddedInBatch_.push_back(name);
    }
    typeIds_.emplace(name, id);
    return id;
}

} // namespace gcscope::storage
