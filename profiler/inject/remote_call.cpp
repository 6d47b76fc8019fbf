#include "inject/remote_call.h"

#include "inject/address_text.h"
#include "inject/inject_error.h"

#include <csignal>
#include <cstring>

namespace gcscope::inject {

namespace {
constexpr std::uint64_t kRedZoneAndMargin = 256; // the ABI's red zone is 128 bytes
constexpr std::size_t kMaxRegisterArguments = 6;
} // namespace

std::uint64_t belowRedZone(const RegisterSnapshot& saved)
{
    return saved.general().rsp - kRedZoneAndMargin;
}

RemoteCall::RemoteCall(Tracee& tracee, RemoteMemory& memory, const RegisterSnapshot& saved, std::uint64_t stackTop)
    : tracee_(tracee)
    , memory_(memory)
    , saved_(saved)
    , stackTop_(stackTop & ~std::uint64_t { 15 })
{
}

std::uint64_t RemoteCall::call(std::uint64_t function, std::initializer_list<std::uint64_t> args,
    const std::string& what, const Deadline& deadline)
{
    if (args.size() > kMaxRegisterArguments)
        throw InjectError("remote call of " + what + ": too many arguments");

    // As if a `call` instruction had pushed return address 0: rsp % 16 == 8 at entry.
    const std::uint64_t entryRsp = stackTop_ - 8;
    const std::uint64_t returnAddress = 0;
    memory_.write(entryRsp, &returnAddress, sizeof returnAddress);

    user_regs_struct regs = saved_.general();
    unsigned long long* const argumentRegisters[kMaxRegisterArguments]
        = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.r8, &regs.r9 };
    std::size_t i = 0;
    for (std::uint64_t a : args)
        *argumentRegisters[i++] = a;
    regs.rip = function;
    regs.rsp = entryRsp;
    regs.rax = 0; // no vector registers used by a variadic callee
    // The thread may be stopped inside a syscall: -1 tells the kernel there is nothing to restart,
    // so it does not rewind rip into our call. Restoring the saved registers restarts it later.
    regs.orig_rax = static_cast<unsigned long long>(-1);
    saved_.applyForCall(tracee_.tid(), regs);

    Stop stop;
    try {
        stop = tracee_.runUntilFault(deadline);
    } catch (const TimedOut&) {
        throw TimedOut("timed out: the remote call of " + what + " had not returned");
    }
    const user_regs_struct after = RegisterSnapshot::readGeneral(tracee_.tid());
    const bool returned = stop.signal == SIGSEGV && after.rip == 0 && after.rsp == entryRsp + 8;
    if (!returned) {
        const char* name = ::sigabbrev_np(stop.signal);
        throw InjectError("the remote call of " + what + " crashed with SIG" + (name ? name : "?") + " at "
            + addressText(after.rip) + " (fault address "
            + addressText(reinterpret_cast<std::uint64_t>(stop.info.si_addr)) + ")");
    }
    return after.rax;
}

} // namespace gcscope::inject
