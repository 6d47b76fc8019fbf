// The test's side of a heap snapshot: sends the request, reads Begin / Strings / Objects / End (or
// Error), checks the stream's own rules on the way (string ids defined before use, counts that
// add up) and keeps every payload byte the agent sent meanwhile.
#pragma once

#include "profiler_endpoint.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gcscope::test {

struct ReceivedSnapshot {
    bool complete = false;
    std::string error; // the Error record's message, or what was wrong with the stream
    wire::SnapshotBeginRecord begin;
    wire::SnapshotEndRecord end;
    std::vector<std::string> strings { std::string() }; // by id, 0 = ""
    std::vector<wire::SnapshotObject> objects;
    std::unordered_map<std::uint64_t, std::size_t> byAddress;
    std::string bytesSent; // every payload byte of every frame, snapshot or not
    std::size_t frames = 0;
    std::size_t largestPayload = 0;
    std::size_t continuedRecords = 0; // records marked wire::kObjectContinued, merged into the object before
    std::size_t refcountFrames = 0; // SnapshotRefcounts frames seen: no objects may follow them

    const wire::SnapshotObject* at(std::uint64_t address) const;
    const std::string& text(std::uint32_t id) const;
    std::string typeOf(const wire::SnapshotObject& o) const { return text(o.type); }
    // "name" for a string label, "[3]" for an index, "" for none.
    std::string edgeName(std::uint32_t label) const;
};

ReceivedSnapshot requestSnapshot(ProfilerEndpoint& endpoint, std::uint32_t snapshotId, std::uint32_t flags = 0,
    std::uint32_t maxLabel = 60, std::chrono::milliseconds timeout = 60s);

} // namespace gcscope::test
