#include "Identity.h"

#include "Statement.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/StorageError.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace gcscope::storage {

namespace {
std::int64_t queryInteger(const Database& db, std::string_view sql)
{
    Statement statement(db, sql);
    return statement.step() ? statement.integer(0) : 0;
}

struct RequiredTable {
    int since; // the schema version that added it; every later version keeps it
    std::string_view name;
};

constexpr std::array<RequiredTable, 16> kRequiredTables { {
    { 1, "meta" },
    { 1, "sessions" },
    { 1, "samples" },
    { 1, "gc_events" },
    { 1, "types" },
    { 1, "census" },
    { 1, "census_entries" },
    { 1, "process_samples" },
    { 2, "snapshots" },
    { 2, "snapshot_strings" },
    { 2, "snapshot_objects" },
    { 5, "snapshot_chunks" },
    { 6, "snapshot_types" },
    { 7, "snapshot_dominators" },
    { 7, "snapshot_dominator_chunks" },
    { 8, "snapshot_garbage" },
} };
} // namespace

Identity readIdentity(const Database& db)
{
    Identity id;
    id.applicationId = queryInteger(db, "PRAGMA application_id");
    id.userVersion = queryInteger(db, "PRAGMA user_version");
    // Reads page 1's b-tree, so a file with garbage over its pages fails here already.
    id.schemaObjects = queryInteger(db, "SELECT count(*) FROM sqlite_schema");
    return id;
}

void requireGcscope(const std::string& path, const Identity& identity, int newestReadable)
{
    if (identity.applicationId != kApplicationId)
        throw StorageError(path, "not a gcscope database (SQLite file of another application)");
    if (identity.userVersion > newestReadable)
        throw StorageError(path,
            "written by a newer gcscope (schema version " + std::to_string(identity.userVersion)
                + "; this one reads up to " + std::to_string(newestReadable) + ")");
    if (identity.userVersion < 1)
        throw StorageError(path, "corrupt (no schema version)");
}

void requireTables(const Database& db, int schemaVersion)
{
    std::vector<std::string> present;
    Statement tables(db, "SELECT name FROM sqlite_schema WHERE type = 'table'");
    while (tables.step())
        present.push_back(tables.text(0));
    for (const RequiredTable& table : kRequiredTables)
        if (table.since <= schemaVersion && std::find(present.begin(), present.end(), table.name) == present.end())
            throw StorageError(db.path(), "corrupt (table " + std::string(table.name) + " is missing)");
}

void requireIntact(const Database& db)
{
    Statement check(db, "PRAGMA quick_check(1)");
    std::string verdict = check.step() ? check.text(0) : std::string("no verdict");
    check.reset();
    if (verdict == "ok")
        return;
    constexpr std::string_view kPrefix = "*** in database main ***";
    if (verdict.starts_with(kPrefix))
        verdict.erase(0, verdict.find_first_not_of(" \n", kPrefix.size()));
    throw StorageError(db.path(), "corrupt (" + verdict + ")");
}

} // namespace gcscope::storage
