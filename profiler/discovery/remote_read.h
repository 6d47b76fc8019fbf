// Reading another process's memory without stopping it: process_vm_readv, falling back to
// /proc/PID/mem (which also reads pages the target cannot, such as PROT_NONE guard areas).
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace gcscope::discovery {

// true when all `size` bytes were read; errno tells why not.
bool readRemote(pid_t pid, std::uint64_t address, void* out, std::size_t size);

} // namespace gcscope::discovery
