// The sessions.argv column is a JSON array of strings, so that sqlite3 users can query it with
// json_each(). SQLite's own JSON functions do the encoding and decoding.
#pragma once

#include <string>
#include <vector>

namespace gcscope::storage {

class Database;

std::string argvToJson(const Database& db, const std::vector<std::string>& argv);
std::vector<std::string> argvFromJson(const Database& db, const std::string& json);

} // namespace gcscope::storage
