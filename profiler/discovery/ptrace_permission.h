// Whether the kernel will let us ptrace a process, decided the way the kernel decides it
// (ptrace_may_access and Yama), so we can say why not before trying.
#pragma once

#include "discovery/proc_status.h"

#include <optional>
#include <string>

namespace gcscope::discovery {

// nullopt when we may attach; otherwise one line starting with "not permitted".
std::optional<std::string> ptraceDenial(pid_t pid, const ProcStatus& target);

} // namespace gcscope::discovery
