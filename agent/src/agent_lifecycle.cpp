#include "agent_lifecycle.h"

#include "exit_hold.h"
#include "gc_callback.h"

#include <atomic>
#include <pthread.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

std::atomic<bool> g_sessionRunning { false };
std::atomic<int> g_connectionFd { -1 };
pthread_once_t g_forkHandlerOnce = PTHREAD_ONCE_INIT;

// In the child only the forking thread exists: our thread is gone, so its socket copy is closed
// (the profiler must see EOF when the parent's agent leaves), the callback copy in the child's
// gc.callbacks stops recording, and the slot is free for an agent injected into the child.
void afterForkInChild()
{
    int fd = g_connectionFd.exchange(-1);
    if (fd >= 0)
        close(fd);
    disableGcCallbackAfterFork();
    disarmExitHoldAfterFork();
    g_sessionRunning.store(false);
}

void registerForkHandler()
{
    pthread_atfork(nullptr, nullptr, &afterForkInChild);
}

} // namespace

bool claimSessionSlot()
{
    bool expected = false;
    return g_sessionRunning.compare_exchange_strong(expected, true);
}

void releaseSessionSlot()
{
    g_sessionRunning.store(false);
}

void noteConnectionFd(int fd)
{
    g_connectionFd.store(fd);
}

void installForkHandler()
{
    pthread_once(&g_forkHandlerOnce, &registerForkHandler);
}

} // namespace gcscope::agent
