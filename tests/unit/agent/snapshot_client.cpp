#include "snapshot_client.h"

#include <cstdlib>

namespace gcscope::test {

const wire::SnapshotObject* ReceivedSnapshot::at(std::uint64_t address) const
{
    auto it = byAddress.find(address);
    return it == byAddress.end() ? nullptr : &objects[it->second];
}

const std::string& ReceivedSnapshot::text(std::uint32_t id) const
{
    static const std::string unknown = "<undefined string>";
    return id < strings.size() ? strings[id] : unknown;
}

std::string ReceivedSnapshot::edgeName(std::uint32_t label) const
{
    if (label & wire::kEdgeIndexBit)
        return "[" + std::to_string(label & ~wire::kEdgeIndexBit) + "]";
    return text(label);
}

ReceivedSnapshot requestSnapshot(ProfilerEndpoint& endpoint, std::uint32_t snapshotId, std::uint32_t flags,
    std::uint32_t maxLabel, std::chrono::milliseconds timeout)
{
    ReceivedSnapshot s;
    wire::SnapshotRequestRecord request;
    request.snapshotId = snapshotId;
    // Every test runs both ways of taking a snapshot: by a copy-on-write child (the default), and
    // walked in the target (GCSCOPE_TEST_SNAPSHOT_IN_PROCESS=1, the agent_snapshots_in_process run).
    const char* inProcess = std::getenv("GCSCOPE_TEST_SNAPSHOT_IN_PROCESS");
    if (inProcess && *inProcess == '1')
        flags |= wire::kSnapshotInProcess;
    request.flags = flags;
    request.maxLabel = maxLabel;
    if (!endpoint.sendRecord(wire::MessageType::Snapshot, request)) {
        s.error = "cannot send the request";
        return s;
    }
    bool begun = false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto frame = left.count() > 0 ? endpoint.read(left) : std::nullopt;
        if (!frame) {
            s.error = "the snapshot did not arrive in time";
            return s;
        }
        s.bytesSent += frame->payload;
        ++s.frames;
        switch (frame->type) {
        case wire::MessageType::Error:
            s.error = frame->as<wire::ErrorRecord>().message;
            return s;
        case wire::MessageType::SnapshotBegin:
            if (begun || !frame->decodes<wire::SnapshotBeginRecord>()) {
                s.error = "a second or malformed SnapshotBegin";
                return s;
            }
            begun = true;
            s.begin = frame->as<wire::SnapshotBeginRecord>();
            // The way asked for, and no other: a child that was expected must have walked.
            if ((flags & wire::kSnapshotInProcess) != 0 ? s.begin.method != wire::SnapshotMethod::InProcess
                                                        : s.begin.method != wire::SnapshotMethod::Child) {
                s.error = "the snapshot was not taken the way asked: "
                    + (s.begin.methodNote.empty() ? std::string("a child walked it")
                                                  : "walked in the target (" + s.begin.methodNote + ")");
                return s;
            }
            s.objects.reserve(s.begin.expectedObjects);
            s.byAddress.reserve(s.begin.expectedObjects);
            break;
        case wire::MessageType::SnapshotStrings: {
            auto record = wire::decodeAs<wire::SnapshotStringsRecord>(frame->payload);
            if (!begun || !record || record->firstId != s.strings.size()) {
                s.error = "strings out of order or malformed";
                return s;
            }
            s.largestPayload = std::max(s.largestPayload, frame->payload.size());
            for (auto& text : record->strings)
                s.strings.push_back(std::move(text));
            break;
        }
        case wire::MessageType::SnapshotObjects: {
            auto record = wire::decodeAs<wire::SnapshotObjectsRecord>(frame->payload);
            if (!begun || !record || s.refcountFrames > 0) {
                s.error = "malformed objects";
                return s;
            }
            s.largestPayload = std::max(s.largestPayload, frame->payload.size());
            for (auto& o : record->objects) {
                bool defined = o.type < s.strings.size() && o.label < s.strings.size();
                for (const auto& r : o.references)
                    defined = defined && ((r.label & wire::kEdgeIndexBit) || r.label < s.strings.size());
                if (!defined) {
                    s.error = "a string id used before it was defined";
                    return s;
                }
                if (o.flags & wire::kObjectContinued) { // more references of the object before
                    if (s.objects.empty() || s.objects.back().address != o.address) {
                        s.error = "a continued record of another object than the one before";
                        return s;
                    }
                    ++s.continuedRecords;
                    auto& into = s.objects.back().references;
                    into.insert(into.end(), o.references.begin(), o.references.end());
                    continue;
                }
                if (!s.byAddress.emplace(o.address, s.objects.size()).second) {
                    s.error = "an object sent twice";
                    return s;
                }
                s.objects.push_back(std::move(o));
            }
            break;
        }
        case wire::MessageType::SnapshotRefcounts: {
            auto record = wire::decodeAs<wire::SnapshotRefcountsRecord>(frame->payload);
            ++s.refcountFrames;
            if (!begun || !record) {
                s.error = "an early or malformed SnapshotRefcounts";
                return s;
            }
            for (const auto& entry : record->entries) {
                auto it = s.byAddress.find(entry.address);
                if (it == s.byAddress.end())
                    continue; // an object of the agent's own, left out
                s.objects[it->second].refcount += entry.add;
                s.objects[it->second].flags |= wire::kObjectBorrowedReferences;
            }
            break;
        }
        case wire::MessageType::SnapshotEnd: {
            if (!begun || !frame->decodes<wire::SnapshotEndRecord>()) {
                s.error = "malformed or early SnapshotEnd";
                return s;
            }
            s.end = frame->as<wire::SnapshotEndRecord>();
            std::uint64_t references = 0;
            for (const auto& o : s.objects)
                references += o.references.size();
            std::uint64_t tracked = 0;
            for (const auto& o : s.objects)
                tracked += (o.flags & wire::kObjectTracked) != 0;
            // Walked in the target, Begin knows what follows; a child sends while it walks, so Begin
            // has an estimate (AgentSnapshot checks it) and only End the counts.
            const bool exact = s.begin.method == wire::SnapshotMethod::InProcess;
            if (s.end.snapshotId != snapshotId || s.begin.snapshotId != snapshotId
                || s.end.objectsSent != s.objects.size() || s.end.referencesSent != references
                || s.end.trackedObjects != tracked || s.end.stringsSent + 1 != s.strings.size()
                || (exact
                    && (s.begin.expectedObjects != s.objects.size() || s.begin.expectedReferences != references))) {
                s.error = "the counts in Begin/End do not match what was sent: " + std::to_string(s.objects.size())
                    + " objects, " + std::to_string(references) + " references, " + std::to_string(tracked)
                    + " tracked, " + std::to_string(s.strings.size() - 1) + " strings; End says "
                    + std::to_string(s.end.objectsSent) + ", " + std::to_string(s.end.referencesSent) + ", "
                    + std::to_string(s.end.trackedObjects) + ", " + std::to_string(s.end.stringsSent)
                    + "; Begin expected " + std::to_string(s.begin.expectedObjects) + ", "
                    + std::to_string(s.begin.expectedReferences);
                return s;
            }
            s.complete = true;
            return s;
        }
        default:
            break; // samples and gc events may come in between
        }
    }
}

} // namespace gcscope::test
