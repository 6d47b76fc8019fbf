// What this machine charges for the memory operations a snapshot is made of, so that the
// benchmark's figures can be read across machines (scripts/bench.sh prints these first). Each
// figure is per 4 KiB page, over a region of 256 MiB (or the size given in MiB), the best of three:
//   fresh page           first write to fresh anonymous memory, 4 KiB pages (a fault and a zeroing)
//   fresh huge page      the same in 2 MiB transparent huge pages, per 4 KiB of it
//   written page         a write to memory already ours (the baseline the others compare with)
//   child's first read   a forked child reading memory its parent wrote: what the snapshot child
//                        pays for each page of the target's heap (page tables copied, nothing else,
//                        on bare metal; a hidden fault per page where the hypervisor shadows them)
//   parent's write after the parent writing a page the child shared, once the child is gone (a
//                        write-protect fault per page)
// Usage: memory_costs [MIB]
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using Clock = std::chrono::steady_clock;

// Once: a sysconf call per page would be most of the time of a write to memory already ours.
const std::size_t kPage = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));

char* mapRegion(std::size_t bytes, bool huge)
{
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::perror("mmap");
        std::exit(1);
    }
    madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    return static_cast<char*>(p);
}

// Seconds to write one byte in every page.
double touchEveryPage(char* p, std::size_t bytes)
{
    const auto t = Clock::now();
    for (std::size_t i = 0; i < bytes; i += kPage)
        p[i] = static_cast<char>(i);
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Nanoseconds per page a forked child takes to read every page once (reported through a pipe).
double childFirstRead(const char* p, std::size_t bytes)
{
    int fds[2];
    if (pipe(fds) != 0)
        std::exit(1);
    const pid_t child = fork();
    if (child == 0) {
        const auto t = Clock::now();
        long sum = 0;
        for (std::size_t i = 0; i < bytes; i += kPage)
            sum += p[i];
        double seconds = std::chrono::duration<double>(Clock::now() - t).count() + (sum == -1 ? 1 : 0);
        (void)!write(fds[1], &seconds, sizeof seconds);
        _exit(0);
    }
    double seconds = 0;
    (void)!read(fds[0], &seconds, sizeof seconds);
    waitpid(child, nullptr, 0);
    close(fds[0]);
    close(fds[1]);
    return seconds;
}

} // namespace

int main(int argc, char** argv)
{
    const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
    const std::size_t bytes = mib << 20;
    const double pages = static_cast<double>(bytes / kPage);
    double fresh = 1e9, freshHuge = 1e9, written = 1e9, childRead = 1e9, parentWrite = 1e9;
    for (int round = 0; round < 3; ++round) {
        char* p = mapRegion(bytes, false);
        fresh = std::min(fresh, touchEveryPage(p, bytes));
        written = std::min(written, touchEveryPage(p, bytes));
        childRead = std::min(childRead, childFirstRead(p, bytes));
        parentWrite = std::min(parentWrite, touchEveryPage(p, bytes));
        munmap(p, bytes);
        char* h = mapRegion(bytes, true);
        freshHuge = std::min(freshHuge, touchEveryPage(h, bytes));
        munmap(h, bytes);
    }
    const auto ns = [&](double seconds) { return seconds * 1e9 / pages; };
    std::printf("memory costs per 4 KiB page over %zu MiB (best of 3): fresh page %.0f ns, fresh huge page %.0f ns, "
                "written page %.0f ns; a forked child's first read %.0f ns; the parent's write after it %.0f ns\n",
        mib, ns(fresh), ns(freshHuge), ns(written), ns(childRead), ns(parentWrite));
    return 0;
}
