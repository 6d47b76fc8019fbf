#include "ArgvJson.h"

#include "Statement.h"

namespace gcscope::storage {

std::string argvToJson(const Database& db, const std::vector<std::string>& argv)
{
    std::string json = "[]";
    Statement append(db, "SELECT json_insert(?1, '$[#]', ?2)");
    for (const std::string& arg : argv) {
        append.bind(1, json).bind(2, arg);
        if (append.step())
            json = append.text(0);
        append.reset();
    }
    return json;
}

std::vector<std::string> argvFromJson(const Database& db, const std::string& json)
{
    std::vector<std::string> argv;
    Statement elements(db, "SELECT value FROM json_each(?1) ORDER BY key");
    elements.bind(1, json);
    while (elements.step())
        argv.push_back(elements.text(0));
    return argv;
}

} // namespace gcscope::storage
