// The registers of a stopped thread: the general-purpose set and the extended FPU/SIMD state
// (NT_X86_XSTATE), saved before a remote call and restored exactly afterwards.
#pragma once

#include <cstdint>
#include <sys/types.h>
#include <sys/user.h>
#include <vector>

namespace gcscope::inject {

class RegisterSnapshot {
public:
    static RegisterSnapshot capture(pid_t tid); // throws InjectError

    const user_regs_struct& general() const { return general_; }

    // Puts everything back as captured.
    void restore(pid_t tid) const;

    // Loads `general` plus an FPU state the ABI allows at a function call (x87 stack empty,
    // default control words), so a remote call does not inherit whatever the thread was doing.
    void applyForCall(pid_t tid, const user_regs_struct& general) const;

    static user_regs_struct readGeneral(pid_t tid);

private:
    static void writeGeneral(pid_t tid, const user_regs_struct&);
    void writeExtended(pid_t tid, const std::vector<std::uint8_t>& state) const;

    user_regs_struct general_ {};
    std::vector<std::uint8_t> extended_;
    int extendedNote_ = 0; // NT_X86_XSTATE, or NT_PRFPREG on kernels/CPUs without XSAVE
};

} // namespace gcscope::inject
