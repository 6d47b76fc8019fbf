#include <gcscope/storage/Database.h>

#include "FileCheck.h"
#include "Identity.h"
#include "Migrator.h"
#include "Statement.h"

#include <gcscope/storage/StorageError.h>

#include <sqlite3.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace gcscope::storage {

namespace {
// Long enough to ride out another connection's commit, short enough not to look hung.
constexpr int kBusyTimeoutMs = Database::kBusyTimeoutMs;

// "file:" URI for path with the given query, for options only URIs can carry.
std::string fileUri(const std::string& path, const char* query)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string uri = "file:";
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
            uri += static_cast<char>(c);
        } else {
            uri += '%';
            uri += kHex[c >> 4];
            uri += kHex[c & 15];
        }
    }
    return uri + "?" + query;
}

sqlite3* openConnection(const std::string& path, const std::string& name, int flags)
{
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        throw StorageError(path, "cannot open (" + message + ")");
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    return db;
}

bool isBusy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

// A snapshot written alone (SnapshotWriter::Journal::Alone) uses a rollback journal: a writer killed
// meanwhile leaves "<file>-journal" behind, with the file's pages from before the snapshot, and the
// file itself possibly half written. SQLite puts the file back from it on the next read-write
// connection, and a read-only one cannot: so before any check of the file, a journal that is there
// is rolled back (SQLite decides whether it is hot; nothing else is written).
void rollBackInterruptedWrite(const std::string& path)
{
    struct stat file {
    }, journal {};
    if (::stat(path.c_str(), &file) != 0 || ::stat((path + "-journal").c_str(), &journal) != 0 || journal.st_size == 0)
        return; // no file (the checks say so), or nothing to roll back
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, kBusyTimeoutMs);
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    }
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    sqlite3_close(db);
    if (rc == SQLITE_OK)
        return;
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_PERM
        || extended == SQLITE_READONLY_ROLLBACK)
        throw StorageError(path,
            "a write that was interrupted left " + path
                + "-journal behind, and putting the file back needs write access to it and its folder");
    // Anything else (not a database, ...): the checks that follow say what is wrong.
}

// A WAL-mode file without its -wal (copied, or closed by a plain sqlite3) is complete as it is;
// opening it normally would leave new -wal and -shm files that a read-only connection cannot
// remove again, so it is read as immutable. (A writer that starts meanwhile is not seen.)
bool readAsImmutable(const FileFacts& facts)
{
    return facts.walMode && !facts.walFilePresent;
}
} // namespace

Database::Database(sqlite3* db, std::string path, bool writable, int schemaVersion)
    : db_(db)
    , path_(std::move(path))
    , writable_(writable)
    , schemaVersion_(schemaVersion)
{
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr))
    , path_(std::move(other.path_))
    , writable_(other.writable_)
    , schemaVersion_(other.schemaVersion_)
    , snapshotInProgress_(std::exchange(other.snapshotInProgress_, false))
    , keepsJournalMode_(other.keepsJournalMode_)
{
}

Database& Database::operator=(Database&& other) noexcept
{
    if (this != &other) {
        try {
            close();
        } catch (...) {
        }
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        writable_ = other.writable_;
        schemaVersion_ = other.schemaVersion_;
        snapshotInProgress_ = std::exchange(other.snapshotInProgress_, false);
        keepsJournalMode_ = other.keepsJournalMode_;
    }
    return *this;
}

Database::~Database()
{
    try {
        close();
    } catch (...) {
    }
}

Database Database::openForReading(const std::filesystem::path& path)
{
    const std::string name = path.string();
    rollBackInterruptedWrite(name);
    const FileFacts facts = checkFile(name);
    if (facts.empty)
        throw StorageError(name, "empty file");
    return openValidated(name, readAsImmutable(facts), kSchemaVersion);
}

Database Database::openForKeeping(const std::filesystem::path& path, int busyTimeoutMs)
{
    const std::string name = path.string();
    const std::string folder = path.has_parent_path() ? path.parent_path().string() : std::string(".");
    // The rollback journal is created next to the file: both must be writable.
    if (::access(name.c_str(), W_OK) != 0 || ::access(folder.c_str(), W_OK | X_OK) != 0)
        throw StorageError(name, "read-only (no write access to the file or its folder)");
    rollBackInterruptedWrite(name);
    const FileFacts facts = checkFile(name);
    if (facts.empty)
        throw StorageError(name, "empty file");
    if (readAsImmutable(facts))
        throw StorageError(name, "in WAL mode without its -wal file (other readers read it as immutable)");
    {
        auto existing = openValidated(name, false, kSchemaVersion);
        if (existing.schemaVersion() != kSchemaVersion)
            throw StorageError(name,
                "schema version " + std::to_string(existing.schemaVersion())
                    + " (only a file opened for writing is migrated)");
        requireIntact(existing); // as before any write: never written around a damaged page
    }
    Database db(openConnection(name, name, SQLITE_OPEN_READWRITE), name, true, kSchemaVersion);
    db.keepsJournalMode_ = true;
    sqlite3_busy_timeout(db.db_, busyTimeoutMs);
    return db;
}

Database Database::openValidated(const std::string& path, bool immutable, int newestReadable)
{
    sqlite3* raw = immutable
        ? openConnection(path, fileUri(path, "immutable=1"), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
        : openConnection(path, path, SQLITE_OPEN_READONLY);
    Database db(raw, path, false, 0);
    const Identity identity = readIdentity(db);
    requireGcscope(path, identity, newestReadable);
    requireTables(db, static_cast<int>(identity.userVersion));
    db.schemaVersion_ = static_cast<int>(identity.userVersion);
    return db;
}

Database Database::openForWriting(const std::filesystem::path& path)
{
    return openForWriting(path, schemaMigrations());
}

Database Database::openForWriting(const std::filesystem::path& path, std::span<const MigrationStep> migrations)
{
    requireConsecutive(migrations);
    const std::string name = path.string();
    const int newest = static_cast<int>(migrations.size());

    // Create the file ourselves, exclusively, so that we know whether it is ours to remove again;
    // readable by its owner only, since snapshots can hold the target's data (docs/security.md).
    // SQLite gives the -wal and -shm files the same permissions.
    bool created = false;
    if (const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600); fd >= 0) {
        ::close(fd);
        created = true;
    } else if (errno != EEXIST) {
        throw StorageError(name, std::string("cannot create (") + std::strerror(errno) + ")");
    } else {
        rollBackInterruptedWrite(name);
        if (const FileFacts facts = checkFile(name); !facts.empty) {
            // Everything about an existing file is checked read-only before a writable connection exists.
            auto existing = openValidated(name, readAsImmutable(facts), newest);
            requireIntact(existing);
            existing.close();
        }
    }

    try {
        Database db(openConnection(name, name, SQLITE_OPEN_READWRITE), name, true, 0);
        // 64 KiB pages: a snapshot's chunks (about 11 KiB each) are written about twice as fast as
        // with 4 KiB pages, whose overflow chains SQLite walks for every chunk. Only a file without
        // tables takes it; an existing file keeps its page size.
        db.exec("PRAGMA page_size = 65536");
        db.schemaVersion_ = migrate(db, migrations);
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
        return db;
    } catch (...) {
        if (created) // the connection is closed by now
            std::remove(name.c_str());
        throw;
    }
}

void Database::close()
{
    if (!db_)
        return;
    if (stopSnapshotInserts_)
        std::exchange(stopSnapshotInserts_, nullptr)();
    sqlite3* db = std::exchange(db_, nullptr);
    std::string problem;
    if (writable_ && keepsJournalMode_) {
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr); // what was not committed is not kept
    } else if (writable_) {
        // A Recorder still holding a batch should have been destroyed first; keep its rows anyway.
        // Half a snapshot is never kept.
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, snapshotInProgress_ ? "ROLLBACK" : "COMMIT", nullptr, nullptr, nullptr);
        snapshotInProgress_ = false;
        // Leaving WAL mode checkpoints and deletes the -wal and -shm files. It needs the file to
        // ourselves: while a reader is connected, fold in what we can and leave the WAL for later.
        sqlite3_busy_timeout(db, 100);
        int rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
        if (isBusy(rc))
            rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK && !isBusy(rc))
            problem = sqlite3_errmsg(db);
    }
    // _v2: statements a Recorder or Reader still holds do not keep the file open for ever.
    sqlite3_close_v2(db);
    if (!problem.empty())
        throw StorageError(path_, "cannot close cleanly: " + problem);
}

void Database::exec(std::string_view sql, std::string_view context) const
{
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        throw error(context.empty() ? statementLabel(sql) : context);
}

StorageError Database::error(std::string_view context) const
{
    const int code = sqlite3_errcode(db_) & 0xff;
    const std::string message = sqlite3_errmsg(db_);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return StorageError(path_, "corrupt (" + message + ")");
    return StorageError(path_, context.empty() ? message : std::string(context) + ": " + message);
}

} // namespace gcscope::storage
