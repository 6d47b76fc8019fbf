#include "write_reopen.h"

#include "self_maps.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14
#endif

// PAGEMAP_SCAN (Linux 6.7, <linux/fs.h>; Debian 12's headers predate it): the kernel's ABI.
struct PageRegion {
    std::uint64_t start;
    std::uint64_t end;
    std::uint64_t categories;
};
struct PmScanArg {
    std::uint64_t size;
    std::uint64_t flags;
    std::uint64_t start;
    std::uint64_t end;
    std::uint64_t walkEnd;
    std::uint64_t vec;
    std::uint64_t vecLen;
    std::uint64_t maxPages;
    std::uint64_t categoryInverted;
    std::uint64_t categoryMask;
    std::uint64_t categoryAnyofMask;
    std::uint64_t returnMask;
};
constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);
constexpr std::uint64_t kIsFile = 1 << 2;
constexpr std::uint64_t kIsPresent = 1 << 3;
constexpr std::uint64_t kIsSwapped = 1 << 4;
constexpr std::uint64_t kIsPfnZero = 1 << 5;
constexpr std::size_t kRegionsPerScan = 64;
// The pace: 512 present pages (2 MiB; one PAGEMAP_SCAN, a few calls) at a time, then a
// millisecond's pause; holes cost only the kernel's walk over them. Done flat out, beside gcscope
// storing the snapshot on a 2-core VM, it took CPU time the target's own threads then waited for:
// the longest gap a 1M-object target's ticking thread saw grew from 8-15 ms to 14-26 ms, and at 10M
// from 64-140 ms to 141-310 ms. Paced, 10-12 ms and 85-86 ms.
constexpr std::uint64_t kPagesPerStep = 512;
constexpr long kPauseNs = 1'000'000;

constexpr std::uint64_t kPresent = std::uint64_t { 1 } << 63;
constexpr std::uint64_t kFileOrShared = std::uint64_t { 1 } << 61;
constexpr std::uint64_t kExclusive = std::uint64_t { 1 } << 56;
constexpr std::size_t kEntriesPerRead = 512; // 2 MiB of address space, 4 KiB of entries

class Reopener {
public:
    explicit Reopener(std::uint64_t maxBytes)
        : page_(static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)))
        , budgetPages_(maxBytes / page_)
    {
        pagemap_ = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        if (pagemap_ < 0)
            result_.unsupported = true;
    }
    ~Reopener()
    {
        if (pagemap_ >= 0)
            ::close(pagemap_);
    }
    Reopener(const Reopener&) = delete;
    Reopener& operator=(const Reopener&) = delete;

    bool usable() const { return !result_.unsupported; }
    ReopenedPages result() const { return result_; }

    // False once it should stop: the budget is spent, or the kernel cannot do it.
    bool range(std::uintptr_t begin, std::uintptr_t end)
    {
        // The kernel lists the present pages of memory (not a file's, not the shared zero page a
        // read of untouched memory maps: written to, each would become a page of its own), a few
        // regions at a time; pagemap then says which of them the target alone maps.
        PageRegion regions[kRegionsPerScan];
        for (std::uintptr_t at = begin; at < end;) {
            if (budgetPages_ == 0)
                return false;
            PmScanArg scan {};
            scan.size = sizeof scan;
            scan.start = at;
            scan.end = end;
            scan.vec = reinterpret_cast<std::uintptr_t>(regions);
            scan.vecLen = kRegionsPerScan;
            scan.maxPages = std::min<std::uint64_t>(budgetPages_, kPagesPerStep);
            scan.categoryInverted = kIsFile | kIsSwapped | kIsPfnZero;
            scan.categoryMask = kIsPresent | kIsFile | kIsSwapped | kIsPfnZero;
            scan.returnMask = kIsPresent;
            const int found = ::ioctl(pagemap_, kPagemapScan, &scan);
            if (found < 0) {
                if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP)
                    result_.unsupported = true; // before Linux 6.7: nothing is reopened
                return !result_.unsupported;
            }
            if (found == 0)
                return true; // nothing present up to the end: holes cost nothing but the walk
            for (int r = 0; r < found; ++r) {
                const std::uint64_t pages = (regions[r].end - regions[r].start) / page_;
                result_.scanned += pages;
                budgetPages_ -= std::min(budgetPages_, pages);
                if (!exclusiveRuns(regions[r].start, regions[r].end))
                    return false;
            }
            if (scan.walkEnd <= at || scan.walkEnd >= end)
                return true;
            at = scan.walkEnd;
            timespec pause { 0, kPauseNs }; // between steps: the target's threads come first
            ::nanosleep(&pause, nullptr);
            ++result_.pauses;
        }
        return true;
    }

private:
    // Populates the runs of [begin, end) that pagemap says this process alone maps.
    bool exclusiveRuns(std::uintptr_t begin, std::uintptr_t end)
    {
        for (std::uintptr_t at = begin; at < end;) {
            std::size_t count = static_cast<std::size_t>((end - at) / page_);
            if (count > kEntriesPerRead)
                count = kEntriesPerRead;
            std::uint64_t entries[kEntriesPerRead];
            const off_t offset = static_cast<off_t>(at / page_ * sizeof(std::uint64_t));
            const ssize_t got = ::pread(pagemap_, entries, count * sizeof(std::uint64_t), offset);
            if (got <= 0)
                return true; // unmapped meanwhile
            const std::size_t read = static_cast<std::size_t>(got) / sizeof(std::uint64_t);
            for (std::size_t i = 0; i < read;) {
                if (!reopenable(entries[i])) {
                    ++i;
                    continue;
                }
                std::size_t j = i + 1;
                while (j < read && reopenable(entries[j]))
                    ++j;
                if (!populate(at + i * page_, (j - i) * page_))
                    return false;
                result_.reopened += j - i;
                i = j;
            }
            at += read * page_;
        }
        return true;
    }
    static bool reopenable(std::uint64_t entry)
    {
        return (entry & kPresent) && !(entry & kFileOrShared) && (entry & kExclusive);
    }
    bool populate(std::uintptr_t begin, std::size_t bytes)
    {
        if (::madvise(reinterpret_cast<void*>(begin), bytes, MADV_POPULATE_WRITE) == 0)
            return true;
        if (errno == EINVAL) { // refused outright (PAGEMAP_SCAN worked, so not for want of 5.14): stop
            result_.unsupported = true;
            return false;
        }
        return true; // unmapped or made read-only meanwhile (ENOMEM, EFAULT): its pages fault as before
    }

    int pagemap_ = -1;
    const std::uintptr_t page_;
    std::uint64_t budgetPages_;
    ReopenedPages result_;
};

} // namespace

ReopenedPages reopenForWrites(std::uintptr_t begin, std::uintptr_t end)
{
    Reopener reopener(end > begin ? end - begin : 0);
    if (reopener.usable())
        reopener.range(begin, end);
    return reopener.result();
}

ReopenedPages reopenForWrites(std::uint64_t maxBytes)
{
    Reopener reopener(maxBytes);
    if (!reopener.usable())
        return reopener.result();
    const bool listed = forEachPrivateAnonymousMapping(
        [](std::uintptr_t first, std::uintptr_t last, void* context) {
            return static_cast<Reopener*>(context)->range(first, last);
        },
        &reopener);
    if (!listed) {
        ReopenedPages none;
        none.unsupported = true;
        return none;
    }
    return reopener.result();
}

} // namespace gcscope::agent
