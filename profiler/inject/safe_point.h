// Is the stopped thread at a point where a remote dlopen is safe? Unwinds its stack with
// libunwind-ptrace and looks for frames in functions that may hold locks dlopen needs
// (safe_point_rules.h) or in ld.so. When unwinding fails we cannot tell, so it is unsafe.
#pragma once

#include "discovery/elf_symbols.h"
#include "discovery/proc_maps.h"

#include <map>
#include <memory>
#include <string>
#include <sys/types.h>
#include <utility>

namespace gcscope::inject {

struct SafePointVerdict {
    bool safe = false;
    std::string why; // when unsafe: "stopped in malloc (the allocator)", "stack unwinding failed ..."
};

class SafePointCheck {
public:
    explicit SafePointCheck(pid_t pid);

    // The thread must be in a ptrace stop.
    SafePointVerdict check(pid_t tid);

private:
    SafePointVerdict checkFrame(std::uint64_t pc, const std::vector<discovery::Mapping>& maps);
    const discovery::ElfSymbols* symbolsFor(const discovery::Mapping&);

    pid_t pid_;
    // Symbols per mapped file (device, inode), loaded once per injection; null when unreadable.
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::unique_ptr<discovery::ElfSymbols>> symbols_;
};

} // namespace gcscope::inject
