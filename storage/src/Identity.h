// What makes a SQLite file a gcscope database of a version we can read, checked through SQLite
// (so a WAL that holds newer pages is taken into account).
#pragma once

#include <cstdint>
#include <string>

namespace gcscope::storage {

class Database;

struct Identity {
    std::int64_t applicationId = 0;
    std::int64_t userVersion = 0;
    std::int64_t schemaObjects = 0; // rows of sqlite_schema: 0 in a brand-new file
};

Identity readIdentity(const Database& db);

// True for a file SQLite has never written to (what openForWriting may turn into a gcscope file).
inline bool isBlank(const Identity& id)
{
    return id.applicationId == 0 && id.userVersion == 0 && id.schemaObjects == 0;
}

// Throws StorageError unless the identity is gcscope's with a schema version 1..newestReadable.
void requireGcscope(const std::string& path, const Identity& identity, int newestReadable);

// Throws StorageError when a table the file's schema version has is missing.
void requireTables(const Database& db, int schemaVersion);

// Throws StorageError "corrupt (...)" unless SQLite's quick_check finds every page sound. It reads
// the whole file (about a second per GB), so only writers pay for it: before appending, where a
// damaged page the checks above never read would otherwise be written around, and damaged further.
void requireIntact(const Database& db);

} // namespace gcscope::storage
