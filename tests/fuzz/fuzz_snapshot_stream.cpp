// libFuzzer target: the profiler receiving a heap snapshot from an agent. The agent runs inside
// the target, so a compromised target decides every byte of the SnapshotBegin / Strings / Objects
// / Refcounts / End frames a (possibly root) profiler decodes, resolves into a HeapGraph and analyses.
//
// Input: a sequence of frames, each [u8 type selector][u16 length, little-endian][payload].
#include "analysis/HeapAnalysis.h"
#include "snapshot/snapshot_receiver.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace {

using namespace gcscope;

constexpr std::uint32_t kSnapshotId = 1;

wire::MessageType typeFor(std::uint8_t selector)
{
    using wire::MessageType;
    static constexpr MessageType kTypes[]
        = { MessageType::SnapshotBegin, MessageType::SnapshotStrings, MessageType::SnapshotObjects,
              MessageType::SnapshotEnd, MessageType::Error, MessageType::Sample, MessageType::SnapshotRefcounts };
    return kTypes[selector % (sizeof kTypes / sizeof kTypes[0])];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    snapshot::SnapshotReceiver receiver(kSnapshotId);
    std::size_t at = 0;
    while (at + 3 <= size) {
        session::Frame frame;
        frame.type = typeFor(data[at]);
        std::size_t length = data[at + 1] | (std::size_t { data[at + 2] } << 8);
        at += 3;
        if (length > size - at)
            length = size - at;
        frame.payload.assign(reinterpret_cast<const char*>(data + at), length);
        at += length;
        switch (receiver.take(frame)) {
        case snapshot::SnapshotReceiver::Status::More:
            continue;
        case snapshot::SnapshotReceiver::Status::Failed:
            if (receiver.error().empty())
                std::abort();
            return 0;
        case snapshot::SnapshotReceiver::Status::Done:
            try {
                auto received = receiver.finish();
                if (received.graph.objectCount() <= 20000)
                    analysis::analyzeHeap(received.graph);
            } catch (const std::bad_alloc&) {
                std::abort(); // sized by a number the agent sent
            } catch (const std::exception&) {
                // The builder refuses graphs that do not add up (two objects at one address...).
            }
            return 0;
        }
    }
    return 0;
}
