// Single threads that run behind the others. On Linux each thread has a nice value of its own
// (setpriority with its thread id). Any thread may raise its own (yield more), but lowering it back
// takes privilege: the work that yields does so on a thread that ends with that work (the receiver's
// prefaulter, util/prefault.h; gcscope-gui's shorter analysis chains, views/SnapshotAnalysis.cpp).
#pragma once

#include <sys/types.h>

#include <optional>
#include <utility>
#include <vector>

namespace gcscope::util {

inline constexpr int kLowestNice = 19;

// A thread's nice value; nothing when it has ended.
std::optional<int> threadNice(pid_t tid);
// The calling thread's nice value.
int thisThreadNice();
// Raises the calling thread's nice value to `nice` (kLowestNice at most), never lowers it. Only this
// thread: the process's others keep theirs. Needs no privilege; should it fail, nothing changes.
void yieldThisThreadTo(int nice);
// Every thread of this process, with its nice value (those that end meanwhile are left out).
std::vector<std::pair<pid_t, int>> threadNices();

} // namespace gcscope::util
