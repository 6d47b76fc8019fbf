// Calling a function inside the target on a thread we hold (x86-64 SysV ABI): arguments in
// registers, a stack below the red zone with rsp % 16 == 8 at entry and a return address of 0,
// so the return is a SIGSEGV at rip 0 that we catch and never deliver.
#pragma once

#include "inject/deadline.h"
#include "inject/registers.h"
#include "inject/remote_memory.h"
#include "inject/tracee.h"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace gcscope::inject {

class RemoteCall {
public:
    // `stackTop`: 16-byte aligned address below the red zone and below any data we placed there.
    RemoteCall(Tracee&, RemoteMemory&, const RegisterSnapshot& saved, std::uint64_t stackTop);

    // rax after `function(args...)` returned. `what` names the call in errors ("dlopen").
    std::uint64_t call(
        std::uint64_t function, std::initializer_list<std::uint64_t> args, const std::string& what, const Deadline&);

private:
    Tracee& tracee_;
    RemoteMemory& memory_;
    const RegisterSnapshot& saved_;
    std::uint64_t stackTop_;
};

// Where to put our data and stack: the saved rsp, minus the 128-byte red zone and a margin.
std::uint64_t belowRedZone(const RegisterSnapshot& saved);

} // namespace gcscope::inject
