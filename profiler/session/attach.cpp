#include "session/attach.h"

#include "discovery/proc_status.h"
#include "inject/injector.h"
#include "session/agent_listener.h"
#include "session/target_view.h"
#include "util/agent_locator.h"
#include "util/fs_identity.h"

#include <optional>

namespace gcscope::session {

AttachedAgent attachAgent(pid_t pid, const AttachOptions& options)
{
    std::string error;
    auto info = discovery::inspectProcess(pid, error);
    if (!info)
        throw AttachError(error);
    if (!info->attachable)
        throw AttachError("cannot attach to PID " + std::to_string(pid) + ": " + info->reason);

    std::string agentFile;
    try {
        agentFile = util::locateAgentLibraries().fileFor(info->support.form);
    } catch (const std::exception& e) {
        throw AttachError(e.what());
    }

    // The socket and the agent where the target can see them (its own root, for a container).
    std::unique_ptr<AgentListener> listener;
    std::string libraryInTarget;
    try {
        // A rootless container's file systems hold only files of uids mapped in its user namespace:
        // the socket and the agent's copy are made as the target's own user.
        std::optional<util::FsIdentity> asTarget;
        if (info->container.otherUserNamespace)
            asTarget.emplace(info->uid, info->gid);
        TargetView view = prepareTargetView(pid, info->uid, agentFile);
        libraryInTarget = view.libraryInTarget;
        listener = std::make_unique<AgentListener>(std::move(view.directory));
    } catch (const std::exception& e) {
        throw AttachError(e.what());
    }
    inject::InjectOptions injectOptions;
    injectOptions.timeout = options.injectTimeout;
    auto injected
        = inject::injectLibrary(pid, libraryInTarget, "gcscope_agent_start", listener->agentConfig(), injectOptions);
    if (!injected.ok)
        throw AttachError(injected.error);
    if (injected.entryResult != 0)
        throw AttachError("the agent in PID " + std::to_string(pid) + " refused to start (code "
            + std::to_string(injected.entryResult)
            + (injected.entryResult == -16 ? ": another gcscope is attached" : "") + ")");

    AttachedAgent attached;
    try {
        const auto status = discovery::readProcStatus(pid);
        attached.connection
            = listener->accept(pid, options.connectTimeout, attached.hello, status ? status->pidInside : 0);
    } catch (const std::exception& e) {
        throw AttachError(e.what());
    }
    attached.process = std::move(*info);
    attached.safePointRetries = injected.safePointRetries;
    return attached;
}

} // namespace gcscope::session
