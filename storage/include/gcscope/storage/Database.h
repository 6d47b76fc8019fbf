// One gcscope database file and the SQLite connection to it. Recorder and Reader borrow the
// connection, so a Database must outlive them. Every failure throws StorageError naming the file.
#pragma once

#include <gcscope/storage/Migrations.h>
#include <gcscope/storage/StorageError.h>

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;

namespace gcscope::storage {

class Database {
public:
    // How long a connection waits for another one's lock before it reports the file busy.
    static constexpr int kBusyTimeoutMs = 5000;

    // Validates the file (header, identity, schema version, tables) and opens it read-only. Never
    // creates, migrates or modifies anything, also for a file whose writer was killed (WAL present),
    // except that a snapshot writer killed while it wrote alone (a rollback journal left behind) is
    // rolled back first, as SQLite would on any read-write open.
    static Database openForReading(const std::filesystem::path& path);

    // Creates the file with the newest schema, or appends to an existing gcscope file. An existing
    // file is validated read-only first, so a foreign, corrupt or newer file is never touched; an
    // older schema is migrated in one transaction. Writes in WAL mode with synchronous=NORMAL.
    static Database openForWriting(const std::filesystem::path& path);
    // The same with another list of steps (tests use it to add a future schema version).
    static Database openForWriting(const std::filesystem::path& path, std::span<const MigrationStep> migrations);

    // A read-write connection to an existing gcscope file of exactly this build's schema, to add
    // what readers computed (KeptDominators.h): never creates or migrates, keeps the file's journal
    // mode, and waits at most busyTimeoutMs for another program's lock. Throws StorageError saying
    // why the file is not to be written: no write access to it or its folder, another schema, or a
    // WAL-mode file without its -wal (which readers read as immutable).
    static Database openForKeeping(const std::filesystem::path& path, int busyTimeoutMs);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database(); // close(), swallowing errors

    // A writer's clean close: commit what is pending (but roll back a snapshot still being written), checkpoint the WAL
    // and return to journal_mode=DELETE so the finished recording is one file. While another connection still reads the
    // file, the WAL stays (the data is safe; the next writer's clean close folds it in). Throws only on real I/O
    // errors.
    void close();

    const std::string& path() const { return path_; }
    bool writable() const { return writable_; }
    int schemaVersion() const { return schemaVersion_; }
    sqlite3* handle() const { return db_; }
    // True while a SnapshotWriter owns the connection's transaction: nothing else may commit it.
    bool snapshotInProgress() const { return snapshotInProgress_; }

    // Runs SQL that returns no rows; an error message names context, or else the SQL's start.
    void exec(std::string_view sql, std::string_view context = {}) const;
    // The StorageError for the connection's last SQLite error; context says what we were doing.
    StorageError error(std::string_view context) const;

private:
    friend class SnapshotWriter;

    Database(sqlite3* db, std::string path, bool writable, int schemaVersion);
    static Database openValidated(const std::string& path, bool immutable, int newestReadable);

    sqlite3* db_ = nullptr;
    std::string path_;
    bool writable_ = false;
    int schemaVersion_ = 0;
    bool snapshotInProgress_ = false;
    bool keepsJournalMode_ = false; // openForKeeping: close() leaves the journal mode as it found it
    // Set by a SnapshotWriter while it inserts on a thread of its own: stops that before close().
    std::function<void()> stopSnapshotInserts_;
};

} // namespace gcscope::storage
