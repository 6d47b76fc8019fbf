// The target's own dynamic-loading functions, found in ITS libc (never ours: it may be another
// glibc in another mount namespace): the ELF on disk via /proc/PID/root plus the load bias.
#pragma once

#include "discovery/proc_maps.h"

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::inject {

struct TargetLoader {
    std::uint64_t dlopen = 0; // void* (const char*, int)
    int dlopenFlags = 0; // RTLD_NOW, plus __RTLD_DLOPEN for __libc_dlopen_mode
    std::uint64_t dlerror = 0; // char* (void); 0 when this glibc has none we can call
    std::string provider; // the library that provides dlopen, as the target sees it
};

// nullopt with `error` when no mapped libc/libdl exports a dlopen we can use.
std::optional<TargetLoader> findTargetLoader(
    pid_t pid, const std::vector<discovery::Mapping>& maps, std::string& error);

// Where a function the target's C library exports is in the target; 0 when not found.
std::uint64_t targetCLibraryFunction(pid_t pid, const std::vector<discovery::Mapping>& maps, const char* name);

} // namespace gcscope::inject
