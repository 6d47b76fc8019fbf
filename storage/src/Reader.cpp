#include <gcscope/storage/Reader.h>

#include "ArgvJson.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>

#include <map>
#include <string>
#include <unordered_map>

namespace gcscope::storage {

namespace {
// Files before schema 3 (read without migrating) have no agent_form, gc_model or 3.15 event figures.
std::string sessionColumns(const Database& db)
{
    return std::string("SELECT id, pid, python_version, python_executable, argv, mode, started_ns, interval_ms,"
                       " census_every_ms, hostname, gcscope_version, ended_ns, status, end_reason, gc_events_dropped, ")
        + (db.schemaVersion() >= 3 ? "agent_form, gc_model" : "NULL, 'generational'") + " FROM sessions";
}

SessionInfo sessionFrom(const Database& db, const Statement& row)
{
    SessionInfo s;
    s.id = row.integer(0);
    s.pid = row.integer(1);
    s.pythonVersion = row.text(2);
    s.pythonExecutable = row.text(3);
    s.argv = argvFromJson(db, row.text(4));
    s.mode = row.text(5) == "run" ? SessionMode::Run : SessionMode::Attach;
    s.startedNs = row.integer(6);
    s.intervalMs = static_cast<std::uint32_t>(row.integer(7));
    s.censusEveryMs = static_cast<std::uint32_t>(row.integer(8));
    s.hostname = row.text(9);
    s.gcscopeVersion = row.text(10);
    if (!row.isNull(11))
        s.endedNs = row.integer(11);
    s.complete = row.text(12) == "complete";
    s.endReason = row.text(13);
    s.gcEventsDropped = static_cast<std::uint64_t>(row.integer(14));
    s.agentForm = row.isNull(15) ? std::string() : row.text(15);
    s.gcModel = row.text(16);
    return s;
}

// Binds ?1 session, ?2 and ?3 the inclusive time bounds.
void bindRange(Statement& query, std::int64_t sessionId, TimeRange range)
{
    query.bind(1, sessionId).bind(2, range.fromNs).bind(3, range.toNs);
}

std::uint64_t unsignedAt(const Statement& row, int column)
{
    return static_cast<std::uint64_t>(row.integer(column));
}
} // namespace

Reader::Reader(const Database& db)
    : db_(db)
{
}

int Reader::schemaVersion() const
{
    return db_.schemaVersion();
}

std::vector<SessionInfo> Reader::sessions() const
{
    std::vector<SessionInfo> result;
    Statement query(db_, sessionColumns(db_) + " ORDER BY id");
    while (query.step())
        result.push_back(sessionFrom(db_, query));
    return result;
}

std::optional<SessionInfo> Reader::session(std::int64_t id) const
{
    Statement query(db_, sessionColumns(db_) + " WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        return std::nullopt;
    return sessionFrom(db_, query);
}

std::int64_t Reader::countRows(const char* table, std::optional<std::int64_t> sessionId) const
{
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    if (sessionId)
        sql += " WHERE session_id = ?1";
    Statement query(db_, sql);
    if (sessionId)
        query.bind(1, *sessionId);
    query.step();
    return query.integer(0);
}

std::int64_t Reader::sampleCount(std::optional<std::int64_t> sessionId) const
{
    return countRows("samples", sessionId);
}

std::int64_t Reader::gcEventCount(std::optional<std::int64_t> sessionId) const
{
    return countRows("gc_events", sessionId);
}

std::int64_t Reader::censusCount(std::optional<std::int64_t> sessionId) const
{
    return countRows("census", sessionId);
}

std::int64_t Reader::processSampleCount(std::optional<std::int64_t> sessionId) const
{
    return countRows("process_samples", sessionId);
}

std::vector<wire::SampleRecord> Reader::samples(std::int64_t sessionId, TimeRange range) const
{
    Statement query(db_,
        "SELECT t_ns, count0, count1, count2, threshold0, threshold1, threshold2, enabled, freeze_count,"
        " collections0, collections1, collections2, collected0, collected1, collected2,"
        " uncollectable0, uncollectable1, uncollectable2, gc_garbage"
        " FROM samples WHERE session_id = ?1 AND t_ns BETWEEN ?2 AND ?3 ORDER BY t_ns");
    bindRange(query, sessionId, range);
    std::vector<wire::SampleRecord> result;
    while (query.step()) {
        wire::SampleRecord& s = result.emplace_back();
        s.timeNs = query.integer(0);
        for (int g = 0; g < wire::kGenerations; ++g) {
            s.count[g] = query.integer(1 + g);
            s.threshold[g] = query.integer(4 + g);
            s.stats[g].collections = query.integer(9 + g);
            s.stats[g].collected = query.integer(12 + g);
            s.stats[g].uncollectable = query.integer(15 + g);
        }
        s.enabled = query.integer(7) != 0;
        s.freezeCount = query.integer(8);
        s.gcGarbage = query.integer(18);
    }
    return result;
}

std::vector<wire::GcEventRecord> Reader::gcEvents(std::int64_t sessionId, TimeRange range) const
{
    Statement query(db_,
        std::string("SELECT start_ns, duration_ns, generation, collected, uncollectable, ")
            + (db_.schemaVersion() >= 3 ? "candidates, python_duration_ns" : "NULL, NULL")
            + " FROM gc_events WHERE session_id = ?1 AND start_ns BETWEEN ?2 AND ?3 ORDER BY start_ns");
    bindRange(query, sessionId, range);
    std::vector<wire::GcEventRecord> result;
    while (query.step())
        result.push_back(
            { query.integer(0), query.integer(1), static_cast<std::int32_t>(query.integer(2)), query.integer(3),
                query.integer(4), query.isNull(5) ? -1 : query.integer(5), query.isNull(6) ? -1 : query.integer(6) });
    return result;
}

std::vector<ProcessSample> Reader::processSamples(std::int64_t sessionId, TimeRange range) const
{
    Statement query(db_,
        "SELECT t_ns, rss_bytes, threads, fds FROM process_samples"
        " WHERE session_id = ?1 AND t_ns BETWEEN ?2 AND ?3 ORDER BY t_ns");
    bindRange(query, sessionId, range);
    std::vector<ProcessSample> result;
    while (query.step())
        result.push_back({ query.integer(0), unsignedAt(query, 1), static_cast<std::uint32_t>(query.integer(2)),
            static_cast<std::uint32_t>(query.integer(3)) });
    return result;
}

std::vector<Census> Reader::censuses(std::int64_t sessionId, TimeRange range) const
{
    std::vector<Census> result;
    std::unordered_map<std::int64_t, std::size_t> indexById;
    Statement census(db_,
        "SELECT id, t_ns, pause_ns, objects FROM census"
        " WHERE session_id = ?1 AND t_ns BETWEEN ?2 AND ?3 ORDER BY t_ns, id");
    bindRange(census, sessionId, range);
    while (census.step()) {
        indexById.emplace(census.integer(0), result.size());
        result.push_back({ census.integer(0), census.integer(1), census.integer(2), unsignedAt(census, 3), {} });
    }

    Statement entries(db_,
        "SELECT e.census_id, t.name, e.count, e.size FROM census c"
        " JOIN census_entries e ON e.census_id = c.id JOIN types t ON t.id = e.type_id"
        " WHERE c.session_id = ?1 AND c.t_ns BETWEEN ?2 AND ?3 ORDER BY e.census_id, e.size DESC, t.name");
    bindRange(entries, sessionId, range);
    while (entries.step())
        result[indexById.at(entries.integer(0))].entries.push_back(
            { entries.text(1), unsignedAt(entries, 2), unsignedAt(entries, 3) });
    return result;
}

std::vector<TypeSeries> Reader::typeGrowth(std::int64_t sessionId) const
{
    // The census times are the shared x axis: every series gets one point per census.
    std::vector<std::int64_t> times;
    std::unordered_map<std::int64_t, std::size_t> indexById;
    Statement census(db_, "SELECT id, t_ns FROM census WHERE session_id = ?1 ORDER BY t_ns, id");
    census.bind(1, sessionId);
    while (census.step()) {
        indexById.emplace(census.integer(0), times.size());
        times.push_back(census.integer(1));
    }

    std::map<std::string, std::vector<TypePoint>> byType;
    Statement entries(db_,
        "SELECT t.name, e.census_id, e.count, e.size FROM census c"
        " JOIN census_entries e ON e.census_id = c.id JOIN types t ON t.id = e.type_id"
        " WHERE c.session_id = ?1");
    entries.bind(1, sessionId);
    while (entries.step()) {
        auto [it, added] = byType.try_emplace(entries.text(0));
        if (added) {
            it->second.resize(times.size());
            for (std::size_t i = 0; i < times.size(); ++i)
                it->second[i].timeNs = times[i];
        }
        TypePoint& point = it->second[indexById.at(entries.integer(1))];
        point.count = unsignedAt(entries, 2);
        point.size = unsignedAt(entries, 3);
    }

    std::vector<TypeSeries> result;
    result.reserve(byType.size());
    for (auto& [type, points] : byType)
        result.push_back({ type, std::move(points) });
    return result;
}

} // namespace gcscope::storage
