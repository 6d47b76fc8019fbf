#include "inject/library_check.h"

#include "discovery/elf_symbols.h"
#include "discovery/proc_maps.h"
#include "discovery/proc_status.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <elf.h>
#include <filesystem>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace gcscope::inject {

namespace {
// The permission bits that apply to the target's credentials (root reads everything).
bool permits(const struct stat& st, const discovery::ProcStatus& target, mode_t ownerBit)
{
    const uid_t uid = target.uids[3]; // filesystem uid: what open() checks
    if (uid == 0)
        return true;
    if (st.st_uid == uid)
        return st.st_mode & ownerBit;
    const gid_t gid = target.gids[3];
    const bool inGroup
        = st.st_gid == gid || std::find(target.groups.begin(), target.groups.end(), st.st_gid) != target.groups.end();
    if (inGroup)
        return st.st_mode & (ownerBit >> 3);
    return st.st_mode & (ownerBit >> 6);
}

std::string who(const discovery::ProcStatus& target)
{
    return "user " + discovery::userName(target.uids[3]) + " (uid " + std::to_string(target.uids[3]) + ")";
}

std::string octal(mode_t mode)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
    return buffer;
}

// Read permission on the file and search permission on every directory above it.
std::optional<std::string> accessProblem(pid_t pid, const std::filesystem::path& path, const discovery::ProcStatus& t)
{
    std::filesystem::path prefix = "/";
    for (auto it = std::next(path.begin()); it != path.end(); ++it) {
        struct stat dir { };
        if (::stat(discovery::pathInTarget(pid, prefix.string()).c_str(), &dir) == 0 && !permits(dir, t, S_IXUSR))
            return "directory " + prefix.string() + " (mode " + octal(dir.st_mode)
                + ") is not searchable by the target's " + who(t);
        prefix /= *it;
    }
    struct stat st { };
    if (::stat(discovery::pathInTarget(pid, path.string()).c_str(), &st) == 0 && !permits(st, t, S_IRUSR))
        return path.string() + " (mode " + octal(st.st_mode) + ", owner uid " + std::to_string(st.st_uid)
            + ") is not readable by the target's " + who(t);
    return std::nullopt;
}
} // namespace

std::optional<CheckedLibrary> checkLibrary(
    pid_t pid, const std::string& libraryPath, const std::string& entrySymbol, std::string& error)
{
    CheckedLibrary lib;
    std::error_code ec;
    // The path is the target's: our own view may not have it (a copy made in a container's root).
    lib.path = std::filesystem::path(libraryPath).lexically_normal().string();
    struct stat ours {
    }, theirs {};
    if (!lib.path.starts_with('/')) {
        error = "library " + lib.path + " is not an absolute path";
        return std::nullopt;
    }
    const std::string inTarget = discovery::pathInTarget(pid, lib.path);
    if (::stat(inTarget.c_str(), &theirs) != 0) {
        const int err = errno;
        error = ::stat(lib.path.c_str(), &ours) != 0
            ? "library " + lib.path + " does not exist (" + std::strerror(err) + ")"
            : "library " + lib.path + " is not visible in the target's mount namespace (" + std::strerror(err)
                + "); copy it somewhere the target can see";
        return std::nullopt;
    }
    if (::stat(lib.path.c_str(), &ours) == 0 && (ours.st_dev != theirs.st_dev || ours.st_ino != theirs.st_ino)) {
        error = "library " + lib.path + " in the target's mount namespace is a different file from ours";
        return std::nullopt;
    }
    auto target = discovery::readProcStatus(pid);
    if (!target) {
        error = "no such process";
        return std::nullopt;
    }
    if (auto problem = accessProblem(pid, lib.path, *target)) {
        error = "library " + *problem;
        return std::nullopt;
    }
    auto elf = discovery::ElfSymbols::load(inTarget, error, discovery::ElfSymbols::Tables::Dynamic);
    if (!elf)
        return std::nullopt;
    const discovery::ElfSymbol* entry = elf->find(entrySymbol);
    if (!elf->isPositionIndependent() || !entry || entry->type != STT_FUNC) {
        error = "library " + lib.path + " does not export a function " + entrySymbol;
        return std::nullopt;
    }
    lib.device = theirs.st_dev;
    lib.inode = theirs.st_ino;
    lib.entryValue = entry->value;
    return lib;
}

} // namespace gcscope::inject
