#include "inject/safe_point.h"

#include "inject/address_text.h"
#include "inject/registers.h"
#include "inject/safe_point_rules.h"

#include <libunwind-ptrace.h>

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <utility>

// Exported by libunwind (its own ptrace accessors use it), not declared in its public headers.
extern "C" int _Ux86_64_dwarf_search_unwind_table(
    unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t* di, unw_proc_info_t* pi, int need_unwind_info, void* arg);

namespace gcscope::inject {

namespace {
// Deep C recursion beyond this is rare; a stack we cannot see to the end counts as unsafe.
constexpr int kMaxFrames = 1024;

thread_local SafePointCheck* t_checking = nullptr; // the check whose unwinder runs on this thread

int findProcInfo(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t* pi, int needUnwindInfo, void* arg)
{
    return t_checking ? t_checking->findProcInfo(as, ip, pi, needUnwindInfo, arg) : -UNW_ENOINFO;
}

unw_accessors_t accessors()
{
    unw_accessors_t a = _UPT_accessors;
    a.find_proc_info = &findProcInfo;
    return a;
}

// libunwind's remote address space and per-thread accessor state, freed on every path.
class RemoteUnwinder {
public:
    explicit RemoteUnwinder(pid_t tid)
        : accessors_(accessors())
        , space_(unw_create_addr_space(&accessors_, 0))
        , upt_(_UPT_create(tid))
    {
    }
    ~RemoteUnwinder()
    {
        if (upt_)
            _UPT_destroy(upt_);
        if (space_)
            unw_destroy_addr_space(space_);
    }
    RemoteUnwinder(const RemoteUnwinder&) = delete;
    RemoteUnwinder& operator=(const RemoteUnwinder&) = delete;

    bool init(unw_cursor_t& cursor) { return space_ && upt_ && unw_init_remote(&cursor, space_, upt_) == 0; }

private:
    unw_accessors_t accessors_;
    unw_addr_space_t space_;
    void* upt_;
};

} // namespace

SafePointCheck::SafePointCheck(pid_t pid)
    : pid_(pid)
{
}

const discovery::ElfSymbols* SafePointCheck::symbolsFor(const discovery::Mapping& m)
{
    const auto key = fileKey(m);
    auto it = symbols_.find(key);
    if (it == symbols_.end()) {
        std::string error;
        auto loaded = discovery::ElfSymbols::load(discovery::openablePathOf(pid_, m), error);
        it = symbols_.emplace(key, loaded ? std::make_unique<discovery::ElfSymbols>(std::move(*loaded)) : nullptr)
                 .first;
    }
    return it->second.get();
}

std::optional<SafePointCheck::Placed> SafePointCheck::placed(
    const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps)
{
    const discovery::ElfSymbols* elf = symbolsFor(m);
    const discovery::Mapping* first = discovery::firstMappingOf(maps, m);
    auto bias = elf && first ? discovery::loadBias(*first, *elf) : std::nullopt;
    if (!bias)
        return std::nullopt;
    return Placed { elf, *bias };
}

SafePointVerdict SafePointCheck::checkFrame(std::uint64_t pc, const std::vector<discovery::Mapping>& maps)
{
    const discovery::Mapping* m = discovery::findMappingContaining(maps, pc);
    if (!m)
        return { false, "a frame at " + addressText(pc) + " is outside any mapping" };
    if (discovery::isDynamicLoader(*m))
        return { false, "stopped inside the dynamic loader (" + m->path + ")" };
    if (!m->isFile())
        return { true, {} }; // [vdso] or anonymous code: nothing of ours to collide with
    const auto file = placed(*m, maps);
    if (!file)
        return { true, {} };
    for (std::string_view name : file->elf->functionNamesAt(pc - file->bias)) {
        if (auto family = unsafeFamily(name))
            return { false, "stopped in " + std::string(name) + " (" + std::string(*family) + ")" };
    }
    return { true, {} };
}

// The binary search table of a file's .eh_frame_hdr: version 1, then the encodings of
// eh_frame_ptr, fde_count and the table, the usual pcrel|sdata4, udata4, datarel|sdata4, so the
// table starts 12 bytes in; each entry is a function's start and its FDE, relative to the header.
std::optional<SafePointCheck::SearchTable> SafePointCheck::searchTableOf(const discovery::ElfSymbols& elf)
{
    if (!elf.ehFrameHeader())
        return std::nullopt;
    const std::uint64_t header = elf.ehFrameHeader()->vaddr;
    auto bytes = elf.readAt(header, 12);
    if (!bytes || (*bytes)[0] != 1 || (*bytes)[2] != 0x03 || (*bytes)[3] != 0x3b)
        return std::nullopt;
    std::uint32_t count = 0;
    std::memcpy(&count, bytes->data() + 8, 4);
    return SearchTable { header, header + 12, count };
}

// The .eh_frame_hdr of the file mapped at `ip`, as the target has it in memory: libunwind's
// binary search over it reads the table and the FDEs through the ptrace accessors.
int SafePointCheck::findProcInfo(void* addressSpace, std::uint64_t ip, void* procInfo, int needUnwindInfo, void* upt)
{
    const discovery::Mapping* m = maps_ ? discovery::findMappingContaining(*maps_, ip) : nullptr;
    if (!m || !m->isFile())
        return -UNW_ENOINFO;
    const auto file = placed(*m, *maps_);
    const auto table = file ? searchTableOf(*file->elf) : std::nullopt;
    if (!table)
        return -UNW_ENOINFO;
    const auto [low, high] = file->elf->loadedRange();
    unw_dyn_info_t di {};
    di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
    di.start_ip = file->bias + low;
    di.end_ip = file->bias + high;
    di.u.rti.segbase = file->bias + table->header;
    di.u.rti.table_data = file->bias + table->entries;
    di.u.rti.table_len = table->count * 8 / sizeof(unw_word_t); // two 32-bit words per entry
    return _Ux86_64_dwarf_search_unwind_table(static_cast<unw_addr_space_t>(addressSpace), ip, &di,
        static_cast<unw_proc_info_t*>(procInfo), needUnwindInfo, upt);
}

SafePointVerdict SafePointCheck::check(pid_t tid)
{
    // Code of the C library without a symbol (static and hidden functions; Debian strips .symtab)
    // may run on behalf of an exported function that is no longer on the stack: one that
    // tail-called it. glibc 2.43's malloc and free do so past their tcache fast paths, an arena
    // lock held; a dlopen run there waits for that lock forever, inside the loader's own lock.
    // Whatever lies below such a helper says nothing: a closedir or strdup that called free or
    // malloc, or Python's allocator, which calls them directly. So every unnamed frame of the C
    // library is unsafe when an unsafe exported function (malloc, free, ...; safe_point_rules)
    // jumps to its function, directly or through other such helpers; one we cannot place is unsafe
    // too. Others (memset's and memcpy's AVX variants, which Python calls directly) are not.
    // A thread blocked in a futex wait holds no lock our call would want (the helper is waiting
    // for the arena's lock): safe. Code a signal interrupted has no such exception.
    bool interrupted = false; // a frame below a signal handler's
    std::optional<bool> waiting; // blockedInFutexWait, asked once when needed
    SafePointVerdict verdict { true, {} };
    bool first = true;
    const std::string failure = walk(tid, [&](const Frame& frame, const std::vector<discovery::Mapping>& maps) {
        const std::uint64_t pc = frame.pc;
        interrupted = interrupted || (frame.exact && !std::exchange(first, false));
        const discovery::Mapping* m = discovery::findMappingContaining(maps, pc);
        if (m && discovery::isCLibrary(*m) && unnamed(pc, *m, maps)
            && tailCalledByUnsafe(frame.functionStart, *m, maps)) {
            if (!waiting)
                waiting = blockedInFutexWait(tid);
            if (interrupted || !*waiting) {
                verdict = { false,
                    "stopped in C library code without a symbol (" + frameText(pc, maps)
                        + ") that an unsafe function tail-calls" };
                return false;
            }
        }
        verdict = checkFrame(pc, maps);
        return verdict.safe;
    });
    if (!failure.empty())
        return { false, failure };
    return verdict;
}

bool SafePointCheck::tailCalledByUnsafe(
    std::uint64_t functionStart, const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps)
{
    const auto file = placed(m, maps);
    if (!file || functionStart < file->bias)
        return true; // cannot place it
    auto it = tailTargets_.find(fileKey(m));
    if (it == tailTargets_.end())
        it = tailTargets_.emplace(fileKey(m), unsafeTailTargets(*file->elf)).first;
    if (!it->second)
        return true; // no unwind table to place helpers with
    return std::binary_search(it->second->begin(), it->second->end(), functionStart - file->bias);
}

// The starts of the unnamed functions that unsafe exported functions jump to (jmp or a conditional
// jump out of their own code), and those that these jump to in turn: link-time addresses, sorted.
// Code bytes are scanned, not decoded; only a target that is where the unwind table says a function
// starts counts, so a stray 0xe9 inside another instruction almost never adds one. nullopt without
// an .eh_frame_hdr to say where functions start.
std::optional<std::vector<std::uint64_t>> SafePointCheck::unsafeTailTargets(const discovery::ElfSymbols& elf)
{
    constexpr std::uint64_t kMaxBody = 64 * 1024;
    const auto search = searchTableOf(elf);
    auto table = search ? elf.readAt(search->entries, std::size_t { search->count } * 8) : std::nullopt;
    if (!table)
        return std::nullopt;
    std::vector<std::uint64_t> starts(search->count); // the table is sorted by start
    for (std::uint32_t i = 0; i < search->count; ++i) {
        std::int32_t relative = 0;
        std::memcpy(&relative, table->data() + std::size_t { i } * 8, 4);
        starts[i] = search->header + static_cast<std::int64_t>(relative);
    }

    std::vector<std::uint64_t> targets;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> bodies; // [begin, end) still to scan
    for (const discovery::ElfSymbol& s : elf.symbols()) {
        if (s.type == STT_FUNC && s.value != 0 && s.size != 0 && s.size <= kMaxBody && unsafeFamily(s.name))
            bodies.emplace_back(s.value, s.value + s.size);
    }
    while (!bodies.empty()) {
        const auto [begin, end] = bodies.back();
        bodies.pop_back();
        auto code = elf.readAt(begin, end - begin);
        if (!code)
            continue;
        const std::uint8_t* b = code->data();
        const std::size_t n = code->size();
        for (std::size_t i = 0; i < n; ++i) {
            std::int64_t displacement = 0;
            std::size_t length = 0;
            if (b[i] == 0xe9 && i + 5 <= n) { // jmp rel32
                std::int32_t d;
                std::memcpy(&d, b + i + 1, 4);
                displacement = d;
                length = 5;
            } else if (b[i] == 0x0f && i + 6 <= n && (b[i + 1] & 0xf0) == 0x80) { // jcc rel32
                std::int32_t d;
                std::memcpy(&d, b + i + 2, 4);
                displacement = d;
                length = 6;
            } else if (b[i] == 0xeb && i + 2 <= n) { // jmp rel8
                displacement = static_cast<std::int8_t>(b[i + 1]);
                length = 2;
            } else {
                continue;
            }
            const std::uint64_t target = begin + i + length + displacement;
            if (target >= begin && target < end)
                continue;
            auto at = std::lower_bound(starts.begin(), starts.end(), target);
            if (at == starts.end() || *at != target || !elf.functionNamesAt(target).empty())
                continue;
            auto place = std::lower_bound(targets.begin(), targets.end(), target);
            if (place != targets.end() && *place == target)
                continue;
            targets.insert(place, target);
            const std::uint64_t next = std::next(at) == starts.end() ? target + kMaxBody : *std::next(at);
            bodies.emplace_back(target, std::min(next, target + kMaxBody));
        }
    }
    return targets;
}

bool SafePointCheck::unnamed(std::uint64_t pc, const discovery::Mapping& m, const std::vector<discovery::Mapping>& maps)
{
    const auto file = placed(m, maps);
    return file && file->elf->functionNamesAt(pc - file->bias).empty();
}

bool SafePointCheck::blockedInFutexWait(pid_t tid)
{
    try {
        const user_regs_struct regs = RegisterSnapshot::readGeneral(tid);
        return isFutexWait(static_cast<long long>(regs.orig_rax), regs.rsi);
    } catch (const std::exception&) {
        return false;
    }
}

std::string SafePointCheck::describe(pid_t tid, int maxFrames, bool* inLoader)
{
    std::string text;
    int frames = 0;
    const std::string failure = walk(tid, [&](const Frame& frame, const std::vector<discovery::Mapping>& maps) {
        const discovery::Mapping* m = discovery::findMappingContaining(maps, frame.pc);
        if (inLoader && m && discovery::isDynamicLoader(*m))
            *inLoader = true;
        if (frames++ >= maxFrames) {
            if (frames == maxFrames + 1)
                text += " <- ...";
            return true; // on, for inLoader
        }
        if (!text.empty())
            text += " <- ";
        text += frameText(frame.pc, maps);
        return true;
    });
    if (!failure.empty() && frames <= maxFrames)
        text += (text.empty() ? "" : " <- ") + std::string("(") + failure + ")";
    return text;
}

std::string SafePointCheck::frameText(std::uint64_t pc, const std::vector<discovery::Mapping>& maps)
{
    const discovery::Mapping* m = discovery::findMappingContaining(maps, pc);
    if (!m)
        return addressText(pc);
    if (!m->isFile())
        return addressText(pc) + (m->path.empty() ? "" : " in " + m->path);
    const std::string name = m->path.substr(m->path.rfind('/') + 1);
    const auto file = placed(*m, maps);
    if (!file)
        return name + "+" + addressText(pc - m->start + m->offset);
    auto names = file->elf->functionNamesAt(pc - file->bias);
    const std::string where = name + "+" + addressText(pc - file->bias);
    return names.empty() ? where : std::string(names.front()) + " (" + where + ")";
}

// Calls `visit(frame, maps)` for each frame from the innermost out until it returns false or the
// stack ends; returns why the walk failed, or "" when it reached the end or was stopped.
std::string SafePointCheck::walk(
    pid_t tid, const std::function<bool(const Frame&, const std::vector<discovery::Mapping>&)>& visit)
{
    std::string error;
    auto maps = discovery::readProcMaps(pid_, error);
    if (!maps)
        return error;
    maps_ = &*maps;
    t_checking = this;
    struct Reset {
        SafePointCheck* self;
        ~Reset()
        {
            t_checking = nullptr;
            self->maps_ = nullptr;
        }
    } reset { this };

    RemoteUnwinder unwinder(tid);
    unw_cursor_t cursor;
    if (!unwinder.init(cursor))
        return "stack unwinding failed to start";
    // Our call runs below the current stack pointer. On an alternate signal stack (a handler
    // running with SA_ONSTACK) there may be only a few kilobytes there: wait until it is back.
    unw_word_t sp = 0;
    const discovery::Mapping* stack
        = unw_get_reg(&cursor, UNW_REG_SP, &sp) == 0 ? discovery::findMappingContaining(*maps, sp) : nullptr;
    if (tid == pid_ && (!stack || stack->path != "[stack]"))
        return "the stack pointer " + addressText(sp) + " is not on the main thread's stack";
    bool exactIp = true; // the innermost frame, and a frame interrupted by a signal
    for (int frame = 0; frame < kMaxFrames; ++frame) {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0)
            return "stack unwinding failed at frame " + std::to_string(frame);
        if (ip == 0 && frame > 0)
            return {}; // the return address 0 of our own remote call: what lies beyond is not a frame
        // Elsewhere ip is a return address, which may lie past the end of a noreturn call's caller.
        const std::uint64_t pc = exactIp ? ip : ip - 1;
        unw_proc_info_t info {};
        const std::uint64_t start = unw_get_proc_info(&cursor, &info) == 0 ? info.start_ip : 0;
        if (!visit(Frame { pc, exactIp, start }, *maps))
            return {};
        exactIp = unw_is_signal_frame(&cursor) > 0;
        const int step = unw_step(&cursor);
        if (step == 0)
            return {};
        if (step < 0)
            return "stack unwinding failed at frame " + std::to_string(frame) + " (" + addressText(ip) + ")";
    }
    return "stack deeper than " + std::to_string(kMaxFrames) + " frames";
}

} // namespace gcscope::inject
