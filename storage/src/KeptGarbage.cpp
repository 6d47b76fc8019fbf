// Garbage summaries kept in the file (schema 8): snapshot_garbage.
#include <gcscope/storage/KeptGarbage.h>

#include "Keeping.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>

namespace gcscope::storage {

namespace {
constexpr int kFirstGarbageSchema = 8;
} // namespace

std::optional<std::string> readKeptGarbage(const Database& db, std::int64_t snapshotId, std::uint32_t rule)
{
    if (db.schemaVersion() < kFirstGarbageSchema)
        return std::nullopt;
    Statement query(db, "SELECT rule, summary FROM snapshot_garbage WHERE snapshot_id = ?1");
    query.bind(1, snapshotId);
    if (!query.step())
        return std::nullopt;
    std::optional<std::string> summary;
    if (query.integer(0) == static_cast<std::int64_t>(rule) && !query.isNull(1))
        summary = query.text(1);
    query.reset();
    return summary;
}

void putGarbageSummary(const Database& db, std::int64_t snapshotId, std::uint32_t rule, std::string_view summary)
{
    Statement put(db,
        "INSERT OR REPLACE INTO snapshot_garbage (snapshot_id, rule, summary, computed_ns, created_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    put.bind(1, snapshotId)
        .bind(2, static_cast<std::int64_t>(rule))
        .bind(3, summary)
        .bind(4, keptNowNs())
        .bind(5, std::string_view("gcscope " GCSCOPE_VERSION))
        .run();
}

std::string keepGarbage(const std::filesystem::path& path, std::uint32_t rule, std::span<const GarbageToKeep> summaries)
{
    if (summaries.empty())
        return {};
    return keepInFile(path, "keeping the garbage summaries", [&](Database& db, bool& wrote) -> std::string {
        std::string why;
        for (const GarbageToKeep& g : summaries) {
            if (!holdsSnapshot(db, g.snapshotId, g.objects)) {
                why = "the file holds no snapshot " + std::to_string(g.snapshotId);
                continue;
            }
            if (const auto kept = readKeptGarbage(db, g.snapshotId, rule); kept && *kept == g.summary)
                continue;
            putGarbageSummary(db, g.snapshotId, rule, g.summary);
            wrote = true;
        }
        return why;
    });
}

} // namespace gcscope::storage
