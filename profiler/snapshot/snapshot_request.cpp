#include "snapshot/snapshot_request.h"

#include "util/phase_trace.h"

namespace gcscope::snapshot {

ReceivedSnapshot requestSnapshot(session::AgentConnection& connection, std::uint32_t snapshotId,
    const SnapshotOptions& options, const std::function<void(const session::Frame&)>& other,
    const SnapshotReceiver::WhileBuilding& alongside)
{
    using Clock = std::chrono::steady_clock;
    wire::SnapshotRequestRecord request;
    request.snapshotId = snapshotId;
    request.flags
        = (options.noStrings ? wire::kSnapshotNoStrings : 0) | (options.inProcess ? wire::kSnapshotInProcess : 0);
    request.maxLabel = options.maxLabel;
    if (!connection.send(wire::frameOf(wire::MessageType::Snapshot, request)))
        throw SnapshotError("the agent is gone: the target exited or closed the connection");
    util::markPhase("snapshot requested");

    SnapshotReceiver receiver(snapshotId);
    if (!options.addressOrder)
        receiver.omitAddressOrder();
    auto lastProgress = Clock::now();
    session::Frame f; // one for all: a frame's payload reuses the memory of the one before
    for (;;) {
        switch (connection.read(f, std::chrono::milliseconds(200))) {
        case session::AgentConnection::ReadStatus::Frame:
            lastProgress = Clock::now();
            if (SnapshotReceiver::isSnapshotFrame(f.type) || f.type == wire::MessageType::Error) {
                switch (receiver.take(f)) {
                case SnapshotReceiver::Status::Done:
                    if (util::phasesTraced())
                        util::markPhase("snapshot received (" + std::to_string(receiver.bytesReceived()) + " bytes)");
                    // Begin's count may have been an estimate: the last word is what came.
                    if (options.progress)
                        options.progress(receiver.objectsReceived(), receiver.objectsReceived());
                    return receiver.finish(alongside);
                case SnapshotReceiver::Status::Failed:
                    throw SnapshotError(receiver.error());
                case SnapshotReceiver::Status::More:
                    if (options.progress)
                        options.progress(receiver.objectsReceived(), receiver.expectedObjects());
                    break;
                }
            } else if (f.type == wire::MessageType::Bye) {
                const auto bye = wire::decodeAs<wire::ByeRecord>(f.payload);
                const std::string why
                    = !bye || bye->reason == "interpreter finalizing" ? "the target is exiting" : bye->reason;
                throw SnapshotError("the agent left before the snapshot was complete (" + why + ")");
            } else if (other) {
                other(f);
            }
            break;
        case session::AgentConnection::ReadStatus::Timeout:
            if (options.progress)
                options.progress(receiver.objectsReceived(), receiver.expectedObjects());
            if (Clock::now() - lastProgress > options.stallTimeout)
                throw SnapshotError("the agent sent nothing for "
                    + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options.stallTimeout).count())
                    + " s while taking a snapshot");
            break;
        case session::AgentConnection::ReadStatus::Closed:
            throw SnapshotError("the target exited during the snapshot (" + std::to_string(receiver.objectsReceived())
                + " of " + std::to_string(receiver.expectedObjects()) + " objects received)");
        case session::AgentConnection::ReadStatus::ProtocolError:
            throw SnapshotError("protocol error during the snapshot: " + connection.error());
        }
    }
}

} // namespace gcscope::snapshot
