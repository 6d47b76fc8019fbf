#include "session/attach.h"

#include "inject/injector.h"
#include "session/agent_listener.h"
#include "util/agent_locator.h"

namespace gcscope::session {

AttachedAgent attachAgent(pid_t pid, const AttachOptions& options)
{
    std::string error;
    auto info = discovery::inspectProcess(pid, error);
    if (!info)
        throw AttachError(error);
    if (!info->attachable)
        throw AttachError("cannot attach to PID " + std::to_string(pid) + ": " + info->reason);

    std::string agentPath;
    try {
        agentPath = util::locateAgentLibrary();
    } catch (const std::exception& e) {
        throw AttachError(e.what());
    }

    AgentListener listener(info->uid);
    inject::InjectOptions injectOptions;
    injectOptions.timeout = options.injectTimeout;
    auto injected = inject::injectLibrary(pid, agentPath, "gcscope_agent_start", listener.agentConfig(), injectOptions);
    if (!injected.ok)
        throw AttachError(injected.error);
    if (injected.entryResult != 0)
        throw AttachError("the agent in PID " + std::to_string(pid) + " refused to start (code "
            + std::to_string(injected.entryResult)
            + (injected.entryResult == -16 ? ": another gcscope is attached" : "") + ")");

    AttachedAgent attached;
    try {
        attached.connection = listener.accept(pid, options.connectTimeout, attached.hello);
    } catch (const std::exception& e) {
        throw AttachError(e.what());
    }
    attached.process = std::move(*info);
    attached.safePointRetries = injected.safePointRetries;
    return attached;
}

} // namespace gcscope::session
