// The agent's only exported symbol. The injector calls it (by a remote call, or a test by ctypes)
// right after dlopen(): it copies the configuration, starts the agent thread and returns at once,
// never touching the GIL. The library has no constructor; everything else is hidden.
#include "agent_lifecycle.h"
#include "agent_session.h"

#include <gcscope/wire.h>

#include <cerrno>
#include <csignal>
#include <new>
#include <pthread.h>
#include <sys/prctl.h>

namespace {

using gcscope::agent::AgentSession;

void* agentThread(void* argument)
{
    // Named, so that ps -T, top and py-spy show which thread is ours (the snapshot child is
    // "gcscope-snap").
    ::prctl(PR_SET_NAME, "gcscope-agent", 0, 0, 0);
    auto* session = static_cast<AgentSession*>(argument);
    session->run();
    delete session;
    gcscope::agent::releaseSessionSlot();
    return nullptr;
}

} // namespace

// 0 on success; -EINVAL for a bad configuration, -EBUSY while a session runs, -errno if the thread
// cannot be created.
extern "C" __attribute__((visibility("default"))) int gcscope_agent_start(const char* config)
{
    if (!config)
        return -EINVAL;
    auto parsed = gcscope::wire::AgentConfig::parse(config);
    if (!parsed)
        return -EINVAL;
    if (!gcscope::agent::claimSessionSlot())
        return -EBUSY;
    gcscope::agent::installForkHandler();

    auto* session = new (std::nothrow) AgentSession(std::move(*parsed));
    if (!session) {
        gcscope::agent::releaseSessionSlot();
        return -ENOMEM;
    }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    // The thread inherits this mask: it takes no signal meant for the target.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    int rc = pthread_create(&thread, &attributes, &agentThread, session);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    pthread_attr_destroy(&attributes);
    if (rc != 0) {
        delete session;
        gcscope::agent::releaseSessionSlot();
        return -rc;
    }
    return 0;
}
