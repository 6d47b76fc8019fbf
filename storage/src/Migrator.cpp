#include "Migrator.h"

#include "Identity.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>

#include <sqlite3.h>

#include <stdexcept>
#include <string>

namespace gcscope::storage {

void requireConsecutive(std::span<const MigrationStep> steps)
{
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i].toVersion != static_cast<int>(i) + 1)
            throw std::invalid_argument("migration step " + std::to_string(i) + " goes to version "
                + std::to_string(steps[i].toVersion) + ", expected " + std::to_string(i + 1));
}

int migrate(const Database& db, std::span<const MigrationStep> steps)
{
    const int newest = static_cast<int>(steps.size());
    db.exec("BEGIN IMMEDIATE");
    try {
        const Identity identity = readIdentity(db);
        const bool blank = isBlank(identity);
        if (!blank)
            requireGcscope(db.path(), identity, newest);
        const auto from = static_cast<std::size_t>(identity.userVersion);
        if (blank)
            db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        for (const MigrationStep& step : steps.subspan(from))
            db.exec(step.sql, "cannot migrate to schema version " + std::to_string(step.toVersion));
        if (from < steps.size()) {
            db.exec("PRAGMA user_version = " + std::to_string(newest));
            Statement meta(db,
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            meta.bind(1, "schema_version").bind(2, std::to_string(newest)).run();
            if (blank)
                meta.bind(1, "created_by").bind(2, "gcscope " GCSCOPE_VERSION).run();
        }
        db.exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return newest;
}

} // namespace gcscope::storage
