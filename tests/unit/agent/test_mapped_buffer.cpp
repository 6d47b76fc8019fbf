// The agent's mapped buffers (mapped_buffer.h): what a snapshot prepares ahead (prefault) is faulted
// in at once and asks for transparent huge pages, so that preparing a 10M-object heap's notes and
// strings costs a few hundred 2 MiB faults instead of tens of thousands of 4 KiB ones; what grows
// during the walk, with the GIL held, does not ask (a huge page fault may wait for compaction).
#include "mapped_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace gcscope::agent {
namespace {

constexpr std::size_t kBytes = 8u << 20;

struct Mapping {
    bool found = false;
    std::string vmFlags; // the VmFlags line's words, as the kernel prints them
    std::uint64_t rssKiB = 0;
};

// The /proc/self/smaps entry of the mapping that holds `address`.
Mapping mappingOf(const void* address)
{
    const auto a = reinterpret_cast<std::uintptr_t>(address);
    std::ifstream smaps("/proc/self/smaps");
    Mapping m;
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        std::uintptr_t begin = 0, end = 0;
        char dash = 0;
        std::istringstream head(line);
        if ((head >> std::hex >> begin >> dash >> end) && dash == '-') { // a new mapping's first line
            if (inside)
                break;
            inside = a >= begin && a < end;
            m.found = inside;
            continue;
        }
        if (!inside)
            continue;
        if (line.rfind("VmFlags:", 0) == 0)
            m.vmFlags = line.substr(8) + " ";
        else if (line.rfind("Rss:", 0) == 0)
            m.rssKiB = std::stoull(line.substr(4));
    }
    return m;
}

bool asksForHugePages(const Mapping& m)
{
    return m.vmFlags.find(" hg ") != std::string::npos;
}

// madvise(MADV_HUGEPAGE) sets the mapping's flag whatever the kernel's setting, but only a kernel
// built with transparent huge pages has it.
bool kernelHasHugePages()
{
    return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

TEST(MappedBuffer, GivenASnapshotsPreparedBuffer_WhenPrefaulted_ThenItIsFaultedInAndAsksForHugePages)
{
    if (!kernelHasHugePages())
        GTEST_SKIP() << "this kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)";
    MappedBuffer buffer;
    buffer.prefault(kBytes);
    ASSERT_FALSE(buffer.failed());
    ASSERT_GE(buffer.capacity(), kBytes);
    const Mapping m = mappingOf(buffer.data());
    ASSERT_TRUE(m.found);
    EXPECT_TRUE(asksForHugePages(m)) << "VmFlags:" << m.vmFlags;
    EXPECT_GE(m.rssKiB, kBytes / 1024) << "the prepared memory is faulted in before it is used";
}

TEST(MappedBuffer, GivenAPreparedArray_WhenItGrowsPastItsPreparedRoom_ThenTheGrownMappingStillAsksForHugePages)
{
    if (!kernelHasHugePages())
        GTEST_SKIP() << "this kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)";
    MappedArray<std::uint64_t> notes;
    notes.prefault(1024);
    for (std::uint64_t i = 0; i < kBytes / sizeof(std::uint64_t); ++i) // past the room: mremap
        ASSERT_TRUE(notes.push_back(i));
    EXPECT_EQ(notes[12345], 12345u);
    EXPECT_TRUE(asksForHugePages(mappingOf(notes.data())));
}

TEST(MappedBuffer, GivenABufferThatGrowsDuringTheWalk_WhenExtended_ThenItDoesNotAskForHugePages)
{
    if (!kernelHasHugePages())
        GTEST_SKIP() << "this kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)";
    MappedBuffer buffer;
    ASSERT_NE(buffer.extend(kBytes), nullptr);
    const Mapping m = mappingOf(buffer.data());
    ASSERT_TRUE(m.found);
    EXPECT_FALSE(asksForHugePages(m)) << "VmFlags:" << m.vmFlags;
}

} // namespace
} // namespace gcscope::agent
