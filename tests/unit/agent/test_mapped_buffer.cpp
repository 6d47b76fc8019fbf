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
#include <sys/wait.h>
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

// The snapshot child (SnapshotChild::enterChild) asks for huge pages for everything: a fresh 4 KiB
// page costs it 11 us on this project's VMs, and no GIL is held there. Checked in a forked child,
// so that this process's own buffers keep the rule above.
TEST(MappedBuffer, GivenTheSnapshotChild_WhenAnyBufferGrows_ThenItAsksForHugePages)
{
    if (!kernelHasHugePages())
        GTEST_SKIP() << "this kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)";
    MappedBuffer before; // made before the fork, as the target's buffers are before the clone
    ASSERT_NE(before.extend(64 * 1024), nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        MappedBuffer::askHugePagesAlways();
        MappedBuffer fresh;
        const bool freshGrew = fresh.extend(kBytes) != nullptr;
        const bool beforeGrew = before.extend(kBytes) != nullptr; // past its room: mremap
        int status = 0;
        if (!freshGrew || !beforeGrew)
            status = 1;
        else if (!asksForHugePages(mappingOf(fresh.data())))
            status = 2;
        else if (!asksForHugePages(mappingOf(before.data())))
            status = 3;
        _exit(status);
    }
    int status = -1;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 1) << "the child's buffers could not grow";
    EXPECT_NE(WEXITSTATUS(status), 2) << "a buffer made in the child does not ask for huge pages";
    EXPECT_NE(WEXITSTATUS(status), 3) << "a buffer made before the fork and grown in the child does not ask for them";
    EXPECT_FALSE(asksForHugePages(mappingOf(before.data()))) << "the parent's own buffer is left as it was";
}

} // namespace
} // namespace gcscope::agent
