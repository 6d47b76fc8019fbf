// util::availableMemoryBytes: what gcscope-gui weighs a guessed analysis against (the snapshot head
// start). Read against /proc/meminfo and this process's own cgroup, as the kernel reports them.
#include "util/proc_stats.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace {

std::optional<std::uint64_t> meminfoBytes(const std::string& key)
{
    std::ifstream in("/proc/meminfo");
    std::string name, unit;
    std::uint64_t kilobytes = 0;
    while (in >> name >> kilobytes >> unit)
        if (name == key)
            return kilobytes * 1024;
    return std::nullopt;
}

// memory.max less memory.current of this process's cgroup (v2), when it has a limit.
std::optional<std::uint64_t> cgroupRoom()
{
    std::ifstream groups("/proc/self/cgroup");
    std::string line;
    while (std::getline(groups, line))
        if (line.rfind("0::", 0) == 0) {
            std::ifstream max("/sys/fs/cgroup" + line.substr(3) + "/memory.max");
            std::ifstream current("/sys/fs/cgroup" + line.substr(3) + "/memory.current");
            std::uint64_t limit = 0, used = 0;
            if (max >> limit && current >> used)
                return limit > used ? limit - used : 0;
        }
    return std::nullopt;
}

} // namespace

TEST(AvailableMemory, GivenThisMachineThenItIsWhatTheKernelSaysIsAvailableAndNoMoreThanTheCgroupLeaves)
{
    const auto total = meminfoBytes("MemTotal:");
    const auto available = meminfoBytes("MemAvailable:");
    if (!total || !available)
        GTEST_SKIP() << "this kernel's /proc/meminfo has no MemAvailable";
    const auto got = gcscope::util::availableMemoryBytes();
    ASSERT_TRUE(got.has_value());
    EXPECT_GT(*got, 0u);
    EXPECT_LE(*got, *total);
    // Read a moment apart, the two readings of MemAvailable differ by what the machine did meanwhile.
    const std::uint64_t slack = std::uint64_t { 256 } << 20;
    const auto bound = [&] {
        const auto room = cgroupRoom();
        return room && *room < *available ? *room : *available;
    }();
    EXPECT_LE(*got, bound + slack);
    EXPECT_GE(*got + slack, bound);
}
