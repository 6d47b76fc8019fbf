#include "inject/registers.h"

#include "inject/inject_error.h"

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <string>
#include <sys/ptrace.h>
#include <sys/uio.h>

namespace gcscope::inject {

namespace {
// Large enough for any XSAVE layout (AMX tile data included); the kernel trims iov_len.
constexpr std::size_t kMaxExtendedState = 64 * 1024;

// FXSAVE legacy area (the first 512 bytes of both NT_PRFPREG and NT_X86_XSTATE).
constexpr std::size_t kFcwOffset = 0, kFswOffset = 2, kFtwOffset = 4, kMxcsrOffset = 24;
constexpr std::uint16_t kDefaultFcw = 0x037f;
constexpr std::uint32_t kDefaultMxcsr = 0x1f80;
constexpr unsigned long long kDirectionFlag = 0x400;

[[noreturn]] void fail(const char* what)
{
    if (errno == ESRCH)
        throw TargetGone(std::string(what) + ": the thread vanished");
    throw InjectError(std::string(what) + " failed: " + std::strerror(errno));
}

template <typename T> void put(std::vector<std::uint8_t>& bytes, std::size_t offset, T value)
{
    if (offset + sizeof value <= bytes.size())
        std::memcpy(bytes.data() + offset, &value, sizeof value);
}
} // namespace

user_regs_struct RegisterSnapshot::readGeneral(pid_t tid)
{
    user_regs_struct regs {};
    if (::ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0)
        fail("PTRACE_GETREGS");
    return regs;
}

void RegisterSnapshot::writeGeneral(pid_t tid, const user_regs_struct& regs)
{
    if (::ptrace(PTRACE_SETREGS, tid, nullptr, &regs) != 0)
        fail("PTRACE_SETREGS");
}

RegisterSnapshot RegisterSnapshot::capture(pid_t tid)
{
    RegisterSnapshot s;
    s.general_ = readGeneral(tid);
    for (int note : { NT_X86_XSTATE, NT_PRFPREG }) {
        s.extended_.assign(kMaxExtendedState, 0);
        iovec iov { s.extended_.data(), s.extended_.size() };
        if (::ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void*>(static_cast<long>(note)), &iov) == 0) {
            s.extended_.resize(iov.iov_len);
            s.extendedNote_ = note;
            return s;
        }
        if (errno == ESRCH)
            fail("PTRACE_GETREGSET");
    }
    fail("PTRACE_GETREGSET (FPU state)");
}

void RegisterSnapshot::writeExtended(pid_t tid, const std::vector<std::uint8_t>& state) const
{
    iovec iov { const_cast<std::uint8_t*>(state.data()), state.size() };
    if (::ptrace(PTRACE_SETREGSET, tid, reinterpret_cast<void*>(static_cast<long>(extendedNote_)), &iov) != 0)
        fail("PTRACE_SETREGSET (FPU state)");
}

void RegisterSnapshot::restore(pid_t tid) const
{
    writeExtended(tid, extended_);
    writeGeneral(tid, general_);
}

void RegisterSnapshot::applyForCall(pid_t tid, const user_regs_struct& general) const
{
    std::vector<std::uint8_t> clean = extended_;
    put(clean, kFcwOffset, kDefaultFcw);
    put(clean, kFswOffset, std::uint16_t { 0 });
    put(clean, kFtwOffset, std::uint8_t { 0 }); // abridged tag word: every x87 register empty
    put(clean, kMxcsrOffset, kDefaultMxcsr);
    writeExtended(tid, clean);

    user_regs_struct regs = general;
    regs.eflags &= ~kDirectionFlag; // the ABI wants DF clear at every call
    writeGeneral(tid, regs);
}

} // namespace gcscope::inject
