// Checks made before the target is touched, so the common mistakes fail with a clear message and
// without stopping anything: the library must exist in the target's mount namespace (as the same
// file we mean), be readable by the target's user, and export the entry function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

namespace gcscope::inject {

struct CheckedLibrary {
    std::string path; // absolute, as passed to dlopen in the target
    std::uint64_t device = 0, inode = 0; // to find its mapping after dlopen
    std::uint64_t entryValue = 0; // link-time address of the entry function
};

std::optional<CheckedLibrary> checkLibrary(
    pid_t pid, const std::string& libraryPath, const std::string& entrySymbol, std::string& error);

} // namespace gcscope::inject
