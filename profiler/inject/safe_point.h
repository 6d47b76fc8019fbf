// Is the stopped thread at a point where a remote dlopen is safe? Unwinds its stack with
// libunwind-ptrace and looks for frames in functions that may hold locks dlopen needs
// (safe_point_rules.h) or in ld.so. When unwinding fails we cannot tell, so it is unsafe.
//
// The unwind tables come from the files the target has mapped, read through /proc/PID (its own
// root): libunwind-ptrace on its own would open the paths of /proc/PID/maps in *our* root, which
// for a target in a container or chroot are other files (another libc), and unwind wrongly.
#pragma once

#include "discovery/elf_symbols.h"
#include "discovery/proc_maps.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
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

    // The thread's stack as one line, innermost first: "__lll_lock_wait (libc.so.6+0x8f2a0) <- malloc
    // (libc.so.6+0xa51c0) <- ...", for error messages. The thread must be in a ptrace stop.
    // `inLoader`, when given, is set when any frame is in the dynamic loader.
    std::string describe(pid_t tid, int maxFrames = 12, bool* inLoader = nullptr);

    // libunwind's find_proc_info for the thread being checked (see safe_point.cpp).
    int findProcInfo(void* addressSpace, std::uint64_t ip, void* procInfo, int needUnwindInfo, void* upt);

private:
    using FileKey = std::pair<std::uint64_t, std::uint64_t>; // (device, inode)
    static FileKey fileKey(const discovery::Mapping& m)
    {
        return { (std::uint64_t { m.devMajor } << 32) | m.devMinor, m.inode };
    }
    struct Placed {
        const discovery::ElfSymbols* elf;
        std::uint64_t bias; // where the file's link-time addresses are in the target
    };
    // The symbols and load bias of a mapped file; nullopt when unreadable or not placeable.
    std::optional<Placed> placed(const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps);
    struct SearchTable {
        std::uint64_t header, entries; // link-time addresses of .eh_frame_hdr and of its table
        std::uint32_t count;
    };
    static std::optional<SearchTable> searchTableOf(const discovery::ElfSymbols& elf);
    SafePointVerdict checkFrame(std::uint64_t pc, const std::vector<discovery::Mapping>& maps);
    bool unnamed(std::uint64_t pc, const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps);
    static bool blockedInFutexWait(pid_t tid);
    std::string frameText(std::uint64_t pc, const std::vector<discovery::Mapping>& maps);
    struct Frame {
        std::uint64_t pc; // inside the function: a return address minus one, except where exact
        bool exact; // the innermost frame, or one a signal interrupted: pc is where it stopped
        std::uint64_t functionStart; // from the unwind table; 0 when unknown
    };
    bool tailCalledByUnsafe(
        std::uint64_t functionStart, const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps);
    static std::optional<std::vector<std::uint64_t>> unsafeTailTargets(const discovery::ElfSymbols& elf);
    std::string walk(pid_t tid, const std::function<bool(const Frame&, const std::vector<discovery::Mapping>&)>& visit);
    const discovery::ElfSymbols* symbolsFor(const discovery::Mapping&);

    pid_t pid_;
    const std::vector<discovery::Mapping>* maps_ = nullptr; // during check()
    // Symbols per mapped file (device, inode), loaded once per injection; null when unreadable.
    std::map<FileKey, std::unique_ptr<discovery::ElfSymbols>> symbols_;
    // Per C library file: unsafeTailTargets, worked out when first needed.
    std::map<FileKey, std::optional<std::vector<std::uint64_t>>> tailTargets_;
};

} // namespace gcscope::inject
