#include "snapshot_taker.h"

#include "clock.h"
#include "edge_labels.h"
#include "heap_walker.h"
#include "object_labels.h"

#include <algorithm>
#include <cerrno>
#include <new>
#include <unistd.h>

namespace gcscope::agent {

namespace {
// Bytes of records written under the GIL per tracked object: 37 fixed, 12 per reference (about 4 on
// average) and the untracked containers (dicts and tuples of atoms) they lead to. Over-reserving
// costs zeroed pages until the snapshot is sent, under-reserving page faults during the pause.
constexpr std::size_t kBytesPerObject = 144;
// A streaming encoder keeps a frame being cut, and at most one object's records beyond it.
constexpr std::size_t kStreamingBytes = 3 * SnapshotEncoder::kChunkBytes;
// A snapshot child's own memory per tracked object besides the records: the set of leaf addresses
// (held_leaves.h), the shared-leaf table and the strings not yet sent, with the pages the target
// writes meanwhile. Measured (heap_target.py): 17 bytes at 1M tracked objects, 6.5 at 10M, since the
// strings sent are dropped (36 and 28 before); 24 leaves a margin.
constexpr std::size_t kChildBytesPerObject = 24;
// Without an earlier snapshot: objects (tracked ones and their leaves) and references per tracked
// object, as measured on services' heaps (3.1M objects and 6.1M references for 1.08M tracked).
constexpr std::size_t kObjectsPerTracked = 3;
constexpr std::size_t kReferencesPerTracked = 6;

std::size_t withMargin(std::size_t n)
{
    return n + n / 8;
}

// Never fault in more than a quarter of the machine's memory on a guess.
std::size_t capped(std::size_t bytes)
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0)
        return bytes;
    const std::size_t limit = static_cast<std::size_t>(pages) / 4 * static_cast<std::size_t>(pageSize);
    return bytes < limit ? bytes : limit;
}
} // namespace

bool SnapshotTaker::open(const GcModule& gc)
{
    std::string error;
    if (!readInterpreterLayout(gc.callbacks(), gc.garbage(), layout_, error))
        layout_ = InterpreterLayout {}; // take() says why when a snapshot is asked for
    return resources_.open();
}

void SnapshotTaker::close()
{
    resources_.close();
    layout_ = InterpreterLayout {};
}

std::size_t SnapshotTaker::childBytes() const
{
    return estimatedTrackedObjects(layout_) * kChildBytesPerObject + kStreamingBytes;
}

void SnapshotTaker::expect(const WalkPlan& plan, wire::SnapshotBeginRecord& begin) const
{
    // The portable form's list holds every tracked object; the collector's count is close.
    const std::size_t tracked
        = plan.listed ? static_cast<std::size_t>(Py_SIZE(plan.listed)) : estimatedTrackedObjects(plan.layout);
    begin.expectedObjects = last_.objects ? last_.objects : tracked * kObjectsPerTracked;
    begin.expectedReferences = last_.references ? last_.references : tracked * kReferencesPerTracked;
}

std::unique_ptr<HeapSnapshot> SnapshotTaker::prepare(bool streaming, bool inChild)
{
    auto snapshot = std::unique_ptr<HeapSnapshot>(new (std::nothrow) HeapSnapshot);
    if (!snapshot)
        return nullptr;
    if (inChild)
        snapshot->held.holdNothing();
    const std::size_t tracked = estimatedTrackedObjects(layout_);
    const std::size_t bytes = tracked * kBytesPerObject;
    const std::size_t last = withMargin(last_.streamBytes);
    snapshot->encoder.prepare(streaming ? kStreamingBytes : capped(bytes > last ? bytes : last));
    // Without an earlier snapshot to go by: about one untracked container leaf (a dict or tuple of
    // atoms) for every two objects, one in four of them shared (most have a single reference, which
    // needs no table), and about one immutable leaf note (str, int, ...) per object.
    if (last_.streamBytes) {
        snapshot->scratch.prepare(withMargin(last_.sharedLeaves));
        snapshot->held.prepare(withMargin(last_.heldNotes));
    } else {
        snapshot->scratch.prepare(tracked / 8);
        snapshot->held.prepare(tracked + tracked / 2);
    }
    // A streaming encoder drops the strings it sent: a few frames' worth wait at a time.
    snapshot->strings.prepare(streaming ? kStreamingBytes : withMargin(last_.stringBytes));
    return snapshot;
}

SnapshotTaker::Status SnapshotTaker::plan(GcModule& gc, WalkPlan& plan, Failure& failure)
{
    plan.startNs = monotonicNs();
    plan.timeNs = realtimeNs();
    if (!readInterpreterLayout(gc.callbacks(), gc.garbage(), plan.layout, failure.message)) {
        failure.code = ENOTSUP;
        return Status::Failed;
    }
    if (*plan.layout.collecting)
        return Status::Busy;
    // The portable form walks gc.get_objects()'s list, released (GIL held) when the walk is done.
    if (plan.layout.enumerate) {
        plan.listed = gc.objects();
        if (!plan.listed) {
            py().PyErr_Clear();
            failure = { ENOMEM, "gc.get_objects() failed" };
            return Status::Failed;
        }
        plan.layout.objects = plan.listed;
        plan.layout.objectsMayMissFrozen = gc.freezeCount() != 0;
        plan.methodNote = "the objects were listed by gc.get_objects() first (the collector's lists were not found)";
    }
    return Status::Done;
}

void SnapshotTaker::dropPlan(WalkPlan& plan)
{
    decref(plan.listed);
    plan.listed = nullptr;
}

SnapshotTaker::Status SnapshotTaker::walk(const AgentObjects& ours, const wire::SnapshotRequestRecord& request,
    WalkPlan& plan, HeapSnapshot& snapshot, Failure& failure)
{
    auto& layout = plan.layout;
    const bool noStrings = request.flags & wire::kSnapshotNoStrings;
    bool ok;
    {
        TypeCatalog types(resources_, snapshot.strings);
        ObjectLabeler labels(snapshot.strings, request.maxLabel, noStrings);
        EdgeLabeler edges(snapshot.strings, noStrings);
        HeapWalker walker(layout, types, labels, edges, snapshot.encoder, snapshot.scratch, snapshot.held, ours);
        ok = walker.walk();
        snapshot.uncounted = edges.uncounted();
        snapshot.end.trackedObjects = walker.trackedObjects();
        if (layout.walkedObjects)
            *layout.walkedObjects = static_cast<Py_ssize_t>(walker.trackedObjects());
        last_.sharedLeaves = walker.sharedLeaves();
        last_.heldNotes = snapshot.held.notes();
    }
    if (!ok || snapshot.encoder.failed()) {
        failure = encoderFailure(snapshot.encoder);
        return Status::Failed;
    }
    return Status::Done;
}

SnapshotTaker::Status SnapshotTaker::take(GcModule& gc, const AgentObjects& ours,
    const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot, Failure& failure)
{
    WalkPlan plan;
    const Status planned = this->plan(gc, plan, failure);
    if (planned != Status::Done)
        return planned;
    const Status walked = walk(ours, request, plan, snapshot, failure);
    dropPlan(plan);
    auto& note = snapshot.begin.methodNote;
    if (!plan.methodNote.empty())
        note += (note.empty() ? "" : "; ") + plan.methodNote;
    if (walked != Status::Done) {
        snapshot.held.release(); // the GIL is still held
        return walked;
    }
    const std::int64_t pauseNs = monotonicNs() - plan.startNs;
    snapshot.begin.timeNs = plan.timeNs;
    snapshot.begin.pauseNs = pauseNs > 0 ? pauseNs : 1;
    return Status::Done;
}

SnapshotTaker::Failure SnapshotTaker::encoderFailure(const SnapshotEncoder& encoder)
{
    return encoder.sinkFailed() ? Failure { EPIPE, kProfilerGone } : Failure { ENOMEM, kOutOfMemory };
}

bool SnapshotTaker::finish(const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot, Failure& failure)
{
    ObjectLabeler labels(snapshot.strings, request.maxLabel, request.flags & wire::kSnapshotNoStrings);
    SnapshotEncoder& encoder = snapshot.encoder;
    if (!snapshot.held.write(labels, resources_.sizer(), encoder) || !encoder.finish()) {
        failure = encoderFailure(encoder);
        return false;
    }
    countUncounted(snapshot);
    last_.streamBytes = encoder.streamBytes();
    last_.stringBytes = snapshot.strings.recordBytes();
    last_.objects = encoder.objects();
    last_.references = encoder.referenceCount();
    auto& begin = snapshot.begin;
    begin.snapshotId = request.snapshotId;
    begin.expectedObjects = encoder.objects();
    begin.expectedReferences = encoder.referenceCount();
    auto& end = snapshot.end;
    end.snapshotId = request.snapshotId;
    end.objectsSent = encoder.objects();
    end.referencesSent = encoder.referenceCount();
    end.stringsSent = encoder.stringsSent();
    return true;
}

// The refcount of an object that borrowed references point at is reported with them counted, and
// flagged: the references are in the snapshot, so an analysis subtracting the ones it sees from the
// refcount must find them in it (as CPython's collector itself skips them). The objects may have
// been sent already (a snapshot child sends as it walks): the counts go in a frame of their own.
void SnapshotTaker::countUncounted(HeapSnapshot& snapshot)
{
    auto& targets = snapshot.uncounted;
    auto& entries = snapshot.refcounts.entries;
    entries.clear();
    std::sort(targets.begin(), targets.end());
    for (std::uintptr_t t : targets) {
        if (!entries.empty() && entries.back().address == t)
            ++entries.back().add;
        else
            entries.push_back({ t, 1 });
    }
}

void SnapshotTaker::release(HeapSnapshot& snapshot)
{
    const std::int64_t start = monotonicNs();
    snapshot.held.release();
    snapshot.begin.pauseNs += monotonicNs() - start;
}

} // namespace gcscope::agent
