// Takes a heap snapshot on request, in four steps (a snapshot child walks with plan() and walk()
// instead of take(), and sends as it walks: snapshot_child.h):
//   prepare()  without the GIL: a HeapSnapshot whose record buffer is already faulted in, sized
//              from the collector's own counts and the previous snapshot (page faults are as
//              costly as the walk, and here they do not hold up the target);
//   take()     with the GIL: the walk (heap_walker.h), encoded into frames in agent memory, with
//              a reference held to each immutable leaf (held_leaves.h);
//   finish()   without the GIL: the held leaves' records, the last frames and the counts;
//   release()  with the GIL again, briefly: the held references given back. The target's pause
//              is both GIL holds.
// After release() the HeapSnapshot refers to no Python object: it is sent, and returns its memory
// to the system when dropped.
#pragma once

#include "agent_objects.h"
#include "gc_module.h"
#include "heap_walker.h"
#include "held_leaves.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_sizes.h"
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
    StringTable strings;
    SnapshotEncoder encoder { strings };
    WalkScratch scratch; // drop it (scratch = {}) once the GIL is released
    HeldLeaves held; // references to give back (release()) before the snapshot is dropped
    // The targets of references the walk recorded that their refcounts do not count (3.14+:
    // borrowed stack references of suspended generators and finished frames), one per reference;
    // finish() turns them into `refcounts`, sent after the objects.
    std::vector<std::uintptr_t> uncounted;
    wire::SnapshotRefcountsRecord refcounts;
};

class SnapshotTaker {
    static void countUncounted(HeapSnapshot& snapshot);

public:
    bool open(const GcModule& gc); // GIL held
    void close(); // GIL held

    // No GIL needed. Null only when memory is short. `streaming`: the frames will be sent as they
    // are cut (a snapshot child), so the records need no room beyond a frame or two.
    // `inChild`: for a walk in a snapshot child (a frozen heap: HeldLeaves::holdNothing()).
    std::unique_ptr<HeapSnapshot> prepare(bool streaming = false, bool inChild = false);

    enum class Status { Done, Busy, Failed };
    struct Failure {
        std::uint32_t code = 0; // an errno value, as in Error records
        std::string message;
    };
    static constexpr const char* kOutOfMemory = "not enough memory for the snapshot of this heap";
    static constexpr const char* kProfilerGone = "the profiler stopped reading the snapshot";
    // Why the encoder failed: its sink refused a frame, or memory ran out.
    static Failure encoderFailure(const SnapshotEncoder& encoder);

    // GIL held. Busy: a collection is running (its objects are in its private lists), so release
    // the GIL and ask again. The agent's own objects are left out. plan() then walk() then
    // dropPlan(): the walk may run in a snapshot child (snapshot_child.h) between the two.
    Status take(GcModule& gc, const AgentObjects& ours, const wire::SnapshotRequestRecord& request,
        HeapSnapshot& snapshot, Failure& failure);

    // What a walk needs that only the target's threads can give (GIL held): the layout, that no
    // collection runs, and for the portable form gc.get_objects()'s list.
    struct WalkPlan {
        InterpreterLayout layout;
        PyObject* listed = nullptr; // a new reference; dropPlan() gives it back (GIL held)
        std::int64_t startNs = 0; // monotonic, when the GIL was taken for it
        std::int64_t timeNs = 0; // realtime, the same moment
        std::string methodNote; // how the objects were listed, for the Begin record ("" from the collector)
    };
    Status plan(GcModule& gc, WalkPlan& plan, Failure& failure); // GIL held
    // The heap as it was at plan(): GIL held, or in the snapshot child.
    Status walk(const AgentObjects& ours, const wire::SnapshotRequestRecord& request, WalkPlan& plan,
        HeapSnapshot& snapshot, Failure& failure);
    static void dropPlan(WalkPlan& plan); // GIL held

    // The sizes the next prepare() goes by, as a snapshot child found them (its own copy of this
    // taker learnt them, not ours).
    SnapshotSizes sizes() const { return last_; }
    void learn(const SnapshotSizes& s) { last_ = s; }
    // What a snapshot child's own buffers may come to, in bytes: for the room it needs.
    std::size_t childBytes() const;
    // What the next snapshot will hold, from the previous one or the collector's count: for a
    // snapshot child's Begin record, sent before its walk.
    void expect(const WalkPlan& plan, wire::SnapshotBeginRecord& begin) const;
    // No GIL, after take() said Done. False (with the reason) when memory ran out; release() is
    // due all the same.
    bool finish(const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot, Failure& failure);
    // GIL held, after take() whatever it said, and after finish() when that ran. Once.
    void release(HeapSnapshot& snapshot);

private:
    TypeCatalogResources resources_;
    InterpreterLayout layout_; // as checked by open(), for prepare()'s estimate only
    // The previous snapshot's sizes, the best guess for the next one.
    SnapshotSizes last_;
};

} // namespace gcscope::agent
