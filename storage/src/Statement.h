// A prepared statement on a Database: bind, step, read columns. Errors throw StorageError.
#pragma once

#include <gcscope/storage/StorageError.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace gcscope::storage {

class Database;

// A statement's start ("INSERT INTO samples"), to name it in a one-line error message.
std::string_view statementLabel(std::string_view sql);

class Statement {
public:
    Statement(const Database& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are numbered from 1, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bindNull(int index);
    // Not copied: bytes must stay valid until the statement is stepped.
    Statement& bindBlobNoCopy(int index, std::span<const unsigned char> bytes);

    // true: a row is ready to read; false: done, and the statement is reset for the next use.
    bool step();
    // Steps to the end (for statements without rows) and resets.
    void run();
    // Resets and clears the bindings, e.g. to stop reading rows early.
    void reset();

    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;
    // Valid until the next step() or reset().
    std::span<const unsigned char> blob(int column) const;

private:
    StorageError bindError() const;

    const Database& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

} // namespace gcscope::storage
