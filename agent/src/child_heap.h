// Memory for the snapshot child (snapshot_child.h). The child is a copy of the target made while
// other threads of the target may have been inside malloc: their locks are copied held, and nobody
// will ever release them. Once activate() ran (in the child, before anything allocates), the agent's
// operator new (no_exceptions_runtime.cpp) takes memory from here instead: fresh anonymous mappings,
// handed out in order and never given back (the child ends with _exit, which frees everything);
// operator delete does nothing. The target itself never activates it.
#pragma once

#include <cstddef>

namespace gcscope::agent::child_heap {

void activate();
bool active();
// Null when the system refuses the memory.
void* allocate(std::size_t size);

} // namespace gcscope::agent::child_heap
