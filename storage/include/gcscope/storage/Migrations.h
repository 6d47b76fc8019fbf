// Schema versions and the steps between them. A new file is created by running every step from
// version 0 (an empty file); an older file is brought up to date by running the steps it lacks, all
// inside one transaction. The next schema version is one more entry in schemaMigrations().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace gcscope::storage {

// PRAGMA application_id of every gcscope database: 'GCSC'.
inline constexpr std::int32_t kApplicationId = 0x47435343;

// The newest schema this build reads and writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 9;

// SQL that takes a database from version toVersion - 1 to toVersion. It runs inside the migration
// transaction; user_version and meta.schema_version are updated by the migrator, not by the step.
struct MigrationStep {
    int toVersion;
    std::string_view sql;
};

// Steps 0 -> 1 -> ... -> kSchemaVersion, in order.
std::span<const MigrationStep> schemaMigrations();

} // namespace gcscope::storage
