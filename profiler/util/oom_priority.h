// When memory runs out, the kernel's OOM killer ends the process it scores highest. gcscope holds
// big snapshots (gigabytes at 10M objects) while the program it watches runs on, and a process's
// score follows its memory: a profiler receiving a snapshot, or a GUI holding two, could tip the
// machine over and have the target killed for it. gcscope asks to go first instead
// (oom_score_adj 1000, which any process may raise for itself without privilege), and gives the
// programs it starts (`gcscope run`, the GUI's Launch) the score it started with. The agent's
// snapshot child does the same for itself (agent/src/snapshot_child.cpp).
#pragma once

#include <mutex>
#include <optional>

namespace gcscope::util {

// Raises this process's oom_score_adj to 1000, once; the value it had is kept for the programs it
// starts (ProgramStart). False when /proc/self/oom_score_adj cannot be written (no /proc).
bool goFirstWhenMemoryRunsOut();

// This process's oom_score_adj, or nothing when it cannot be read.
std::optional<int> oomScoreAdjustment();

// Held around starting a program (posix_spawn): the program inherits this process's score, so it
// is put back to what it was before goFirstWhenMemoryRunsOut for the spawn (a process may always
// lower its score back to the value it was given), and raised again after. One start at a time.
class ProgramStart {
public:
    ProgramStart();
    ~ProgramStart();
    ProgramStart(const ProgramStart&) = delete;
    ProgramStart& operator=(const ProgramStart&) = delete;

private:
    std::unique_lock<std::mutex> lock_;
    bool lowered_ = false;
};

} // namespace gcscope::util
