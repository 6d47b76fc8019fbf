#include "discovery/proc_maps.h"

#include "discovery/elf_symbols.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace gcscope::discovery {

namespace {
constexpr std::string_view kDeletedSuffix = " (deleted)";

std::optional<Mapping> parseLine(const std::string& line)
{
    Mapping m;
    char perms[8] = {};
    int pathStart = -1;
    if (std::sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 " %n", &m.start, &m.end,
            perms, &m.offset, &m.devMajor, &m.devMinor, &m.inode, &pathStart)
        < 7)
        return std::nullopt;
    m.perms = perms;
    if (pathStart > 0 && static_cast<std::size_t>(pathStart) <= line.size())
        m.path = line.substr(static_cast<std::size_t>(pathStart));
    if (m.path.ends_with(kDeletedSuffix)) {
        m.path.resize(m.path.size() - kDeletedSuffix.size());
        m.deleted = true;
    }
    return m;
}

std::string hex(std::uint64_t v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%" PRIx64, v);
    return buffer;
}
} // namespace

std::optional<std::vector<Mapping>> readProcMaps(pid_t pid, std::string& error)
{
    const std::string file = "/proc/" + std::to_string(pid) + "/maps";
    std::ifstream in(file);
    if (!in) {
        error = "process " + std::to_string(pid) + ": cannot read " + file + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::vector<Mapping> maps;
    for (std::string line; std::getline(in, line);) {
        if (auto m = parseLine(line))
            maps.push_back(std::move(*m));
    }
    return maps;
}

const Mapping* findMappingContaining(const std::vector<Mapping>& maps, std::uint64_t address)
{
    auto it = std::find_if(maps.begin(), maps.end(), [&](auto& m) { return address >= m.start && address < m.end; });
    return it == maps.end() ? nullptr : &*it;
}

std::vector<const Mapping*> mappedFiles(const std::vector<Mapping>& maps)
{
    std::vector<const Mapping*> files;
    for (const auto& m : maps) {
        if (!m.isFile())
            continue;
        if (std::none_of(files.begin(), files.end(), [&](const Mapping* f) { return f->sameFile(m); }))
            files.push_back(&m);
    }
    return files;
}

const Mapping* firstMappingOf(const std::vector<Mapping>& maps, const Mapping& file)
{
    const Mapping* best = nullptr;
    for (const auto& m : maps) {
        if (m.sameFile(file) && (!best || m.offset < best->offset))
            best = &m;
    }
    return best;
}

std::optional<std::uint64_t> loadBias(const Mapping& mapping, const ElfSymbols& elf)
{
    auto vaddr = elf.vaddrOfFileOffset(mapping.offset);
    if (!vaddr)
        return std::nullopt;
    return mapping.start - *vaddr;
}

std::string pathInTarget(pid_t pid, const std::string& path)
{
    return "/proc/" + std::to_string(pid) + "/root" + (path.starts_with('/') ? "" : "/") + path;
}

std::string openablePathOf(pid_t pid, const Mapping& mapping)
{
    const std::string viaRoot = pathInTarget(pid, mapping.path);
    struct stat st { };
    if (!mapping.deleted && ::stat(viaRoot.c_str(), &st) == 0 && st.st_ino == mapping.inode)
        return viaRoot;
    return "/proc/" + std::to_string(pid) + "/map_files/" + hex(mapping.start) + "-" + hex(mapping.end);
}

namespace {
std::string_view fileNameOf(const Mapping& mapping)
{
    const auto slash = mapping.path.rfind('/');
    return std::string_view(mapping.path).substr(slash == std::string::npos ? 0 : slash + 1);
}
} // namespace

bool isDynamicLoader(const Mapping& mapping)
{
    const std::string_view name = fileNameOf(mapping);
    return name.starts_with("ld-linux") || (name.starts_with("ld-") && name.find(".so") != std::string_view::npos);
}

bool isCLibrary(const Mapping& mapping)
{
    const std::string_view name = fileNameOf(mapping);
    const bool versioned = name.find(".so") != std::string_view::npos;
    return versioned && (name.starts_with("libc.so") || name.starts_with("libc-") || name.starts_with("libpthread"));
}

} // namespace gcscope::discovery
