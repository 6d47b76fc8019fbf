// The private writable anonymous mappings of this process (/proc/self/maps lines "rw-p" of no file:
// the heap, anonymous mappings, stacks), read with system calls only and fixed buffers: the agent
// uses it in the target (write_reopen.h) and in the snapshot child (page_warmer.h), where nothing may
// be allocated.
#pragma once

#include <cstdint>

namespace gcscope::agent {

// Calls visit(begin, end, context) for each such mapping, in address order, until it returns false.
// False when /proc/self/maps cannot be read.
using MappingVisitor = bool (*)(std::uintptr_t begin, std::uintptr_t end, void* context);
bool forEachPrivateAnonymousMapping(MappingVisitor visit, void* context);

} // namespace gcscope::agent
