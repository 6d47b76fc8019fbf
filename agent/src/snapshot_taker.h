// Takes a heap snapshot on request, in two steps:
//   prepare()  without the GIL: a HeapSnapshot whose record buffer is already faulted in, sized
//              from the collector's own counts and the previous snapshot (page faults are as
//              costly as the walk, and here they do not hold up the target);
//   take()     with the GIL: the walk (heap_walker.h), encoded into frames in agent memory.
// The HeapSnapshot refers to no Python object: it is sent after the GIL is released and returns
// its memory to the system when dropped.
#pragma once

#include "gc_module.h"
#include "heap_walker.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_types.h"
#include "string_table.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <memory>
#include <string>

namespace gcscope::agent {

struct HeapSnapshot {
    wire::SnapshotBeginRecord begin;
    wire::SnapshotEndRecord end;
    std::uint64_t truncatedObjects = 0; // objects whose references did not fit one frame
    StringTable strings;
    SnapshotEncoder encoder { strings };
    WalkScratch scratch; // drop it (scratch = {}) once the GIL is released
};

class SnapshotTaker {
public:
    bool open(const GcModule& gc); // GIL held
    void close(); // GIL held

    // No GIL needed. Null only when memory is short.
    std::unique_ptr<HeapSnapshot> prepare();

    enum class Status { Done, Busy, Failed };
    struct Failure {
        std::uint32_t code = 0; // an errno value, as in Error records
        std::string message;
    };

    // GIL held. Busy: a collection is running (its objects are in its private lists), so release
    // the GIL and ask again. `agentObject` (the agent's gc callback) is left out.
    Status take(GcModule& gc, PyObject* agentObject, const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot,
        Failure& failure);

private:
    TypeCatalogResources resources_;
    InterpreterLayout layout_; // as checked by open(), for prepare()'s estimate only
    // The previous snapshot's sizes, the best guess for the next one.
    std::size_t lastStreamBytes_ = 0;
    std::size_t lastLeaves_ = 0;
    std::size_t lastSharedLeaves_ = 0;
    std::size_t lastStringBytes_ = 0;
    std::size_t lastStrings_ = 0;
};

} // namespace gcscope::agent
