#include "util/huge_pages.h"

#include <gnu/libc-version.h>
#include <malloc.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unistd.h>

namespace gcscope::util {

namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kTunable = "glibc.malloc.hugetlb";
// Set only across our own restart: "-" when the user had no GLIBC_TUNABLES, else "=" and its value.
constexpr const char* kRestore = "GCSCOPE_HUGE_PAGES_RESTORE";
constexpr const char* kOptOut = "GCSCOPE_HUGE_PAGES";

HugePageStatus status;

std::string kernelSetting()
{
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    if (!std::getline(in, line))
        return {};
    const auto open = line.find('['), close = line.find(']');
    if (open == std::string::npos || close == std::string::npos || close < open)
        return {};
    return line.substr(open + 1, close - open - 1);
}

// glibc.malloc.hugetlb exists from glibc 2.35.
bool libcKnowsTheTunable()
{
    unsigned major = 0, minor = 0;
    if (std::sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor) != 2)
        return false;
    return major > 2 || (major == 2 && minor >= 35);
}

void restoreUserEnvironment(const char* saved)
{
    if (saved[0] == '=')
        ::setenv(kTunables, saved + 1, 1);
    else
        ::unsetenv(kTunables);
    ::unsetenv(kRestore);
}

} // namespace

void startWithHugePages(char** argv)
{
    status.kernelSetting = kernelSetting();
    if (const char* saved = std::getenv(kRestore)) { // we are the restarted program
        std::string copy = saved;
        restoreUserEnvironment(copy.c_str());
        status.mode = HugePageMode::Asked;
        status.detail = "malloc asks the kernel for 2 MiB pages for big blocks (glibc.malloc.hugetlb=1)";
        return;
    }
    const char* optOut = std::getenv(kOptOut);
    if (optOut && std::string_view(optOut) == "0") {
        status.mode = HugePageMode::Off;
        status.detail = "turned off by GCSCOPE_HUGE_PAGES=0";
        return;
    }
    if (status.kernelSetting.empty()) {
        status.detail = "this kernel has no transparent huge pages";
        return;
    }
    if (status.kernelSetting == "never") {
        status.detail = "transparent huge pages are turned off (never)";
        return;
    }
    if (status.kernelSetting == "always") {
        status.mode = HugePageMode::KernelAlways;
        status.detail = "the kernel backs big blocks with 2 MiB pages unasked (always)";
        return;
    }
    const char* tunables = std::getenv(kTunables);
    if (tunables && std::string_view(tunables).find(kTunable) != std::string_view::npos) {
        status.mode = HugePageMode::UserSet;
        status.detail = std::string("as GLIBC_TUNABLES sets it: ") + tunables;
        return;
    }
    if (!libcKnowsTheTunable()) {
        status.detail = std::string("glibc ") + gnu_get_libc_version() + " cannot ask for them (2.35 or later can)";
        return;
    }
    const std::string before = tunables ? tunables : "";
    const std::string restore = tunables ? "=" + before : "-";
    ::setenv(kRestore, restore.c_str(), 1);
    ::setenv(kTunables, (before.empty() ? std::string() : before + ":").append(kTunable).append("=1").c_str(), 1);
    // By the file's own path, not /proc/self/exe: the process keeps its name ("gcscope", not "exe").
    char self[4096];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length > 0) {
        self[length] = '\0';
        ::execv(self, argv);
    }
    // Still here: carry on as we are, with the user's environment.
    const int error = errno;
    restoreUserEnvironment(restore.c_str());
    status.mode = HugePageMode::Off;
    status.detail = std::string("could not restart to ask for them: ") + std::strerror(error);
}

void useOneMallocArena()
{
    ::mallopt(M_ARENA_MAX, 1); // a hint: on failure each thread keeps its arena
}

void keepFreedMemory()
{
    ::mallopt(M_MMAP_MAX, 0); // every block from the heap: a freed one stays for the next
    ::mallopt(M_TRIM_THRESHOLD, -1); // the heap's top is never trimmed (mallopt(3))
}

void returnFreedMemory()
{
    ::malloc_trim(0);
}

HugePageStatus hugePageStatus()
{
    if (status.kernelSetting.empty() && status.detail.empty()) { // startWithHugePages was not called
        status.kernelSetting = kernelSetting();
        status.detail = "not asked for by this program";
        if (status.kernelSetting == "always")
            status.mode = HugePageMode::KernelAlways;
    }
    return status;
}

const char* hugePageModeName(HugePageMode mode)
{
    switch (mode) {
    case HugePageMode::Asked:
        return "asked";
    case HugePageMode::KernelAlways:
        return "kernel-always";
    case HugePageMode::UserSet:
        return "user-set";
    case HugePageMode::Off:
        return "off";
    case HugePageMode::Unavailable:
        return "unavailable";
    }
    return "unknown";
}

std::uint64_t measureHugePageBacking()
{
    constexpr std::size_t kBytes = std::size_t { 8 } << 20;
    auto* block = static_cast<unsigned char*>(std::malloc(kBytes));
    if (!block)
        return 0;
    volatile unsigned char* touch = block; // written for real: the faults are what is measured
    for (std::size_t i = 0; i < kBytes; i += 4096)
        touch[i] = 1;
    const auto at = reinterpret_cast<std::uintptr_t>(block);
    std::uint64_t backed = 0;
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t start = 0, end = 0;
        char dash = 0;
        std::istringstream range(line);
        if (range >> std::hex >> start >> dash >> end && dash == '-' && line.find(' ') != std::string::npos
            && line.find(':') > line.find(' ')) {
            inside = start <= at && at < end;
            continue;
        }
        if (inside && line.rfind("AnonHugePages:", 0) == 0) {
            backed = std::strtoull(line.c_str() + 14, nullptr, 10) * 1024;
            break;
        }
    }
    std::free(block);
    return backed;
}

} // namespace gcscope::util
