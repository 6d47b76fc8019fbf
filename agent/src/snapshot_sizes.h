// What one snapshot measured, for sizing the next one's buffers and its Begin estimate
// (SnapshotTaker::learn). Plain numbers: a snapshot child hands them to its parent in the page they
// share (ChildProgress).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gcscope::agent {

struct SnapshotSizes {
    std::size_t streamBytes = 0, heldNotes = 0, sharedLeaves = 0, stringBytes = 0;
    std::uint64_t objects = 0, references = 0;
};

} // namespace gcscope::agent
