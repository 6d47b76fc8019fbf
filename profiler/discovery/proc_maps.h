// /proc/PID/maps, parsed, plus the questions the injector and discovery ask of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::discovery {

class ElfSymbols;

struct Mapping {
    std::uint64_t start = 0, end = 0, offset = 0;
    std::string perms; // "r-xp"
    unsigned devMajor = 0, devMinor = 0;
    std::uint64_t inode = 0;
    std::string path; // as the target sees it; "[stack]", "" for anonymous
    bool deleted = false; // the file was removed or replaced after mapping (" (deleted)" stripped from path)

    bool isFile() const { return inode != 0 && !path.empty() && path.front() == '/'; }
    bool executable() const { return perms.size() > 2 && perms[2] == 'x'; }
    bool sameFile(const Mapping& other) const
    {
        return inode == other.inode && devMajor == other.devMajor && devMinor == other.devMinor;
    }
};

// nullopt with `error` (naming the PID) when the file cannot be read.
std::optional<std::vector<Mapping>> readProcMaps(pid_t pid, std::string& error);

const Mapping* findMappingContaining(const std::vector<Mapping>& maps, std::uint64_t address);

// One entry per mapped file (the mapping with the lowest address), in address order.
std::vector<const Mapping*> mappedFiles(const std::vector<Mapping>& maps);

// The mapping of `file` (any mapping of the same file) whose file offset is lowest.
const Mapping* firstMappingOf(const std::vector<Mapping>& maps, const Mapping& file);

// Load bias of a mapped ELF: runtime address = link-time address + bias.
std::optional<std::uint64_t> loadBias(const Mapping& anyMappingOfFile, const ElfSymbols& elf);

// A path in the target's mount namespace, reached from ours: /proc/PID/root + path.
std::string pathInTarget(pid_t pid, const std::string& path);

// A readable path for the file behind a mapping: /proc/PID/root + path when that is still the same
// file (inode), else /proc/PID/map_files/START-END (the exact mapped file, even if deleted).
std::string openablePathOf(pid_t pid, const Mapping& mapping);

bool isDynamicLoader(const Mapping& mapping); // ld-linux-x86-64.so.2 and friends
bool isCLibrary(const Mapping& mapping); // libc.so.6, libc-2.31.so, and libpthread of glibc before 2.34

} // namespace gcscope::discovery
