// The cheap checks made before SQLite sees a file: it exists, it is a SQLite database, and it is as
// long as its header says. They read the first 100 bytes and never write.
#pragma once

#include <string>

namespace gcscope::storage {

struct FileFacts {
    bool empty = false; // 0 bytes: what SQLite treats as a new database
    bool walMode = false; // the header says WAL (a writer is running, was killed, or the file was copied)
    bool walFilePresent = false; // "<file>-wal" exists
};

// Throws StorageError: no such file, not a regular file, not a SQLite database, truncated, a
// corrupt header. An empty file is reported in FileFacts, not thrown: the caller decides.
FileFacts checkFile(const std::string& path);

} // namespace gcscope::storage
