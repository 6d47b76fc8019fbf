// Brings a database opened for writing to the newest version of a migration list.
#pragma once

#include <gcscope/storage/Migrations.h>

#include <span>

namespace gcscope::storage {

class Database;

// Throws std::invalid_argument unless the steps go to versions 1, 2, 3... in order.
void requireConsecutive(std::span<const MigrationStep> steps);

// In one IMMEDIATE transaction: re-checks the identity (another process may have written the file
// since it was validated), turns a blank file into a gcscope file, runs the missing steps and sets
// user_version and meta.schema_version. On any error everything is rolled back. Returns the version.
int migrate(const Database& db, std::span<const MigrationStep> steps);

} // namespace gcscope::storage
