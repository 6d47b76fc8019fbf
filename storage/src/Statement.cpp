#include "Statement.h"

#include <gcscope/storage/Database.h>

#include <sqlite3.h>

#include <algorithm>
#include <optional>

namespace gcscope::storage {

std::string_view statementLabel(std::string_view sql)
{
    const auto start = sql.find_first_not_of(" \n");
    sql = sql.substr(start == std::string_view::npos ? sql.size() : start);
    sql = sql.substr(0, std::min<std::size_t>(sql.find_first_of("(\n"), 60));
    while (!sql.empty() && sql.back() == ' ')
        sql.remove_suffix(1);
    return sql;
}

Statement::Statement(const Database& db, std::string_view sql)
    : db_(db)
{
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
        throw db.error(statementLabel(sql));
}

Statement::~Statement()
{
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        throw bindError();
    return *this;
}

Statement& Statement::bind(int index, std::string_view text)
{
    if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        throw bindError();
    return *this;
}

Statement& Statement::bindNull(int index)
{
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        throw bindError();
    return *this;
}

Statement& Statement::bindBlobNoCopy(int index, std::span<const unsigned char> bytes)
{
    if (sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC) != SQLITE_OK)
        throw bindError();
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    // Take the message before reset(), which leaves the statement reusable after an error too.
    std::optional<StorageError> failure;
    if (rc != SQLITE_DONE)
        failure = db_.error(statementLabel(sqlite3_sql(stmt_)));
    reset();
    if (failure)
        throw *failure;
    return false;
}

void Statement::run()
{
    while (step()) { }
}

void Statement::reset()
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::integer(int column) const
{
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::span<const unsigned char> Statement::blob(int column) const
{
    // sqlite3_column_blob first, then _bytes: the documented order that avoids a conversion.
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, column));
    return { p, p ? static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)) : 0 };
}

StorageError Statement::bindError() const
{
    return db_.error(statementLabel(sqlite3_sql(stmt_)));
}

} // namespace gcscope::storage
