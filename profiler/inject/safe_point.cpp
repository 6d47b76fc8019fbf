#include "inject/safe_point.h"

#include "inject/address_text.h"
#include "inject/safe_point_rules.h"

#include <libunwind-ptrace.h>

namespace gcscope::inject {

namespace {
// Deep C recursion beyond this is rare; a stack we cannot see to the end counts as unsafe.
constexpr int kMaxFrames = 1024;

// libunwind's remote address space and per-thread accessor state, freed on every path.
class RemoteUnwinder {
public:
    explicit RemoteUnwinder(pid_t tid)
        : space_(unw_create_addr_space(&_UPT_accessors, 0))
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
    const auto key = std::make_pair((std::uint64_t { m.devMajor } << 32) | m.devMinor, m.inode);
    auto it = symbols_.find(key);
    if (it == symbols_.end()) {
        std::string error;
        auto loaded = discovery::ElfSymbols::load(discovery::openablePathOf(pid_, m), error);
        it = symbols_.emplace(key, loaded ? std::make_unique<discovery::ElfSymbols>(std::move(*loaded)) : nullptr)
                 .first;
    }
    return it->second.get();
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
    const discovery::ElfSymbols* elf = symbolsFor(*m);
    const discovery::Mapping* first = discovery::firstMappingOf(maps, *m);
    auto bias = elf && first ? discovery::loadBias(*first, *elf) : std::nullopt;
    if (!bias)
        return { true, {} };
    for (std::string_view name : elf->functionNamesAt(pc - *bias)) {
        if (auto family = unsafeFamily(name))
            return { false, "stopped in " + std::string(name) + " (" + std::string(*family) + ")" };
    }
    return { true, {} };
}

SafePointVerdict SafePointCheck::check(pid_t tid)
{
    std::string error;
    auto maps = discovery::readProcMaps(pid_, error);
    if (!maps)
        return { false, error };

    RemoteUnwinder unwinder(tid);
    unw_cursor_t cursor;
    if (!unwinder.init(cursor))
        return { false, "stack unwinding failed to start" };
    // Our call runs below the current stack pointer. On an alternate signal stack (a handler
    // running with SA_ONSTACK) there may be only a few kilobytes there: wait until it is back.
    unw_word_t sp = 0;
    const discovery::Mapping* stack
        = unw_get_reg(&cursor, UNW_REG_SP, &sp) == 0 ? discovery::findMappingContaining(*maps, sp) : nullptr;
    if (tid == pid_ && (!stack || stack->path != "[stack]"))
        return { false, "the stack pointer " + addressText(sp) + " is not on the main thread's stack" };
    bool exactIp = true; // the innermost frame, and a frame interrupted by a signal
    for (int frame = 0; frame < kMaxFrames; ++frame) {
        unw_word_t ip = 0;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0)
            return { false, "stack unwinding failed at frame " + std::to_string(frame) };
        // Elsewhere ip is a return address, which may lie past the end of a noreturn call's caller.
        const std::uint64_t pc = exactIp ? ip : ip - 1;
        if (SafePointVerdict v = checkFrame(pc, *maps); !v.safe)
            return v;
        exactIp = unw_is_signal_frame(&cursor) > 0;
        const int step = unw_step(&cursor);
        if (step == 0)
            return { true, {} };
        if (step < 0)
            return { false, "stack unwinding failed at frame " + std::to_string(frame) + " (" + addressText(ip) + ")" };
    }
    return { false, "stack deeper than " + std::to_string(kMaxFrames) + " frames" };
}

} // namespace gcscope::inject
