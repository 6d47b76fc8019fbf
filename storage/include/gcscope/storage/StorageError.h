// The one exception the storage layer throws. what() is a single line that starts with the file
// name, so the CLI can print it as is: "rec.db: truncated (header says 40960 bytes, file has 12288)".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gcscope::storage {

class StorageError : public std::runtime_error {
public:
    StorageError(std::string_view file, std::string_view problem);
    // what() without the file name: "truncated (header says 40960 bytes, file has 12288)".
    const std::string& problem() const { return problem_; }

private:
    std::string problem_;
};

} // namespace gcscope::storage
