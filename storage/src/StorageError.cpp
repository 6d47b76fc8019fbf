#include <gcscope/storage/StorageError.h>

#include <algorithm>

namespace gcscope::storage {

namespace {
// SQLite messages and file names may contain line breaks; the CLI prints what() as one line.
std::string oneLine(std::string_view text)
{
    std::string line(text);
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return line;
}
} // namespace

StorageError::StorageError(std::string_view file, std::string_view problem)
    : std::runtime_error(oneLine(std::string(file) + ": " + std::string(problem)))
    , problem_(oneLine(problem))
{
}

} // namespace gcscope::storage
