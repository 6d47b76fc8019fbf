// Transparent huge pages for gcscope's own big arrays.
//
// A heap snapshot of 10M objects makes gcscope write about 4 GiB of fresh memory (the graph, the
// address table, the sort buffers, the dominator tree). Backed by 4 KiB pages, every 4 KiB costs a
// page fault; backed by 2 MiB transparent huge pages, one fault serves 512 times as much, and the
// random look-ups of the graph algorithms miss the TLB far less. Measured on a 10M-object heap
// (pyenv 3.13, this project's VMs): `gcscope snapshot` 27.8 s -> 16.5 s, `gcscope top` 27.3 s ->
// 9.0 s, the same peak memory.
//
// Most distributions (Debian, Ubuntu) set transparent_hugepage=madvise: the kernel gives huge pages
// only to memory a program asks them for. glibc (2.35 and later) asks for every big block malloc
// maps when the tunable glibc.malloc.hugetlb=1 is set, and it reads tunables only when a process
// starts. So gcscope and gcscope-gui start themselves once more with it, first thing in main, and
// then put the environment back as the user had it: the programs they start (`gcscope run`'s
// target) see the user's own GLIBC_TUNABLES, and nothing of ours.
//
// GCSCOPE_HUGE_PAGES=0 turns this off. A GLIBC_TUNABLES that already sets glibc.malloc.hugetlb is
// left as the user set it.
#pragma once

#include <cstdint>
#include <string>

namespace gcscope::util {

enum class HugePageMode {
    Asked, // malloc asks for huge pages (this process started itself with glibc.malloc.hugetlb=1)
    KernelAlways, // the kernel gives them to every big enough block without being asked
    UserSet, // GLIBC_TUNABLES already set glibc.malloc.hugetlb: left as it was
    Off, // GCSCOPE_HUGE_PAGES=0, or the restart failed
    Unavailable, // no transparent huge pages in this kernel, turned off (never), or glibc too old
};

struct HugePageStatus {
    HugePageMode mode = HugePageMode::Unavailable;
    std::string kernelSetting; // the word in brackets of /sys/kernel/mm/transparent_hugepage/enabled; "" when absent
    std::string detail; // one line: why, in words
};

// Call first thing in main, before any thread starts and before argv is changed. Restarts the
// program (execv of the file /proc/self/exe names, with the same argv) when malloc should ask for
// huge pages and does not; otherwise returns at once. After a restart it puts GLIBC_TUNABLES back
// as it was.
void startWithHugePages(char** argv);

// What startWithHugePages found or did (for `gcscope doctor`).
HugePageStatus hugePageStatus();

const char* hugePageModeName(HugePageMode mode);

// One malloc arena for every thread (mallopt M_ARENA_MAX 1); call right after startWithHugePages.
// glibc gives each thread that allocates its own arena, grown 4 KiB at a time and trimmed back as
// blocks are freed: gcscope-gui analyses a snapshot on a worker thread, so every array it made was
// faulted in 4 KiB at a time (without the huge pages the main arena gets), and memory it freed was
// given back only to be faulted in again by the next phase. Measured on a 3.1M-object snapshot:
// gcscope-gui's Inspector took 2.3 to 2.5 s to load, 1.1 to 1.5 s with one arena. The threads that
// allocate at once are few (the GUI's, a job's, the snapshot writer's): one lock costs them little.
void useOneMallocArena();

// Keeps the memory free() gives back inside this process, for the next malloc to reuse (mallopt
// M_MMAP_MAX 0 and M_TRIM_THRESHOLD at its largest): for processes that analyse a snapshot and then
// end, or that give it back themselves (returnFreedMemory). An analysis frees big arrays and makes
// new ones phase after phase; glibc maps each block of 32 MiB or more on its own and unmaps it when
// freed, so every new array was fresh memory the kernel had to clear, fault by fault, before use.
// Measured on a 10M-object snapshot (30.8M objects, 61M references; this project's VMs): the
// process mapped 6.0 GiB for a peak of 3.4 GiB, and clear_page took 40 to 47 % of its CPU time. Kept,
// the blocks come from the heap, freed ones are reused (huge pages stay huge pages), and the peak
// grows by the heap's fragmentation: a few per cent. Call right after useOneMallocArena, before any
// big allocation; not in a process that runs for long and should shrink when idle (a recording).
void keepFreedMemory();

// Gives the free memory of the heap back to the system (malloc_trim): for a long-lived process that
// kept freed memory (keepFreedMemory) and is now idle. Takes the arena's lock while it works.
void returnFreedMemory();

// How many bytes of a fresh 8 MiB block from malloc, once written, the kernel backs with huge pages
// (AnonHugePages of its mapping in /proc/self/smaps): the proof that the setting takes effect. 0
// when it does not, or when smaps cannot be read.
std::uint64_t measureHugePageBacking();

} // namespace gcscope::util
