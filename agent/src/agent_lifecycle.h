// Process-wide facts about the agent that outlive one session: whether a session is running (one
// at a time; a new one may start after the last wound down) and what a forked child must undo,
// since fork() copies our socket and callback but not our thread.
#pragma once

namespace gcscope::agent {

// Claims the single session slot; false if a session is running.
bool claimSessionSlot();
// The session's last act: a new gcscope_agent_start() may follow.
void releaseSessionSlot();

// The profiler socket a forked child must close (-1: none).
void noteConnectionFd(int fd);

// Registers the fork handler (once per process; the library is never unloaded).
void installForkHandler();

} // namespace gcscope::agent
