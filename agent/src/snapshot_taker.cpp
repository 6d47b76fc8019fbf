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

std::size_t SnapshotTaker::preparedBytes() const
{
    const std::size_t bytes = estimatedTrackedObjects(layout_) * kBytesPerObject;
    return bytes > withMargin(lastStreamBytes_) ? bytes : withMargin(lastStreamBytes_);
}

std::unique_ptr<HeapSnapshot> SnapshotTaker::prepare()
{
    auto snapshot = std::unique_ptr<HeapSnapshot>(new (std::nothrow) HeapSnapshot);
    if (!snapshot)
        return nullptr;
    const std::size_t tracked = estimatedTrackedObjects(layout_);
    const std::size_t bytes = tracked * kBytesPerObject;
    snapshot->encoder.prepare(capped(bytes > withMargin(lastStreamBytes_) ? bytes : withMargin(lastStreamBytes_)));
    // Without an earlier snapshot to go by: about one untracked container leaf (a dict or tuple of
    // atoms) for every two objects, one in four of them shared (most have a single reference, which
    // needs no table), and about one immutable leaf note (str, int, ...) per object.
    if (lastStreamBytes_) {
        snapshot->scratch.prepare(withMargin(lastSharedLeaves_));
        snapshot->held.prepare(withMargin(lastHeldNotes_));
    } else {
        snapshot->scratch.prepare(tracked / 8);
        snapshot->held.prepare(tracked + tracked / 2);
    }
    snapshot->strings.prepare(withMargin(lastStringBytes_), withMargin(lastStrings_));
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
        snapshot.begin.trackedObjects = walker.trackedObjects();
        if (layout.walkedObjects)
            *layout.walkedObjects = static_cast<Py_ssize_t>(walker.trackedObjects());
        lastSharedLeaves_ = walker.sharedLeaves();
        lastHeldNotes_ = snapshot.held.notes();
    }
    if (!ok || snapshot.encoder.failed()) {
        failure = { ENOMEM, "not enough memory for the snapshot of this heap" };
        return Status::Failed;
    }
    if (layout.enumerate) { // the portable form did not find the collector's lists
        auto& note = snapshot.begin.methodNote;
        note += note.empty() ? "" : "; ";
        note += "the objects were listed by gc.get_objects() first (the collector's lists were not found)";
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
    if (walked != Status::Done) {
        snapshot.held.release(); // the GIL is still held
        return walked;
    }
    const std::int64_t pauseNs = monotonicNs() - plan.startNs;
    snapshot.begin.timeNs = plan.timeNs;
    snapshot.begin.pauseNs = pauseNs > 0 ? pauseNs : 1;
    return Status::Done;
}

bool SnapshotTaker::finish(const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot, Failure& failure)
{
    ObjectLabeler labels(snapshot.strings, request.maxLabel, request.flags & wire::kSnapshotNoStrings);
    SnapshotEncoder& encoder = snapshot.encoder;
    if (!snapshot.held.write(labels, resources_.sizer(), encoder) || !countUncounted(snapshot) || !encoder.finish()) {
        failure = { ENOMEM, "not enough memory for the snapshot of this heap" };
        return false;
    }
    lastStreamBytes_ = encoder.streamBytes();
    lastStringBytes_ = snapshot.strings.records().size();
    lastStrings_ = snapshot.strings.count();
    auto& begin = snapshot.begin;
    begin.snapshotId = request.snapshotId;
    begin.objects = encoder.objects();
    begin.references = encoder.referenceCount();
    auto& end = snapshot.end;
    end.snapshotId = request.snapshotId;
    end.objectsSent = encoder.objects();
    end.referencesSent = encoder.referenceCount();
    end.stringsSent = encoder.stringsSent();
    snapshot.truncatedObjects = encoder.truncated();
    return true;
}

// The refcount of an object that borrowed references point at is reported with them counted, and
// flagged: the references are in the snapshot, so an analysis subtracting the ones it sees from the
// refcount must find them in it (as CPython's collector itself skips them).
bool SnapshotTaker::countUncounted(HeapSnapshot& snapshot)
{
    auto& targets = snapshot.uncounted;
    if (targets.empty())
        return true;
    std::sort(targets.begin(), targets.end());
    std::vector<std::pair<std::uintptr_t, std::uint32_t>> counts;
    for (std::uintptr_t t : targets) {
        if (!counts.empty() && counts.back().first == t)
            ++counts.back().second;
        else
            counts.emplace_back(t, 1);
    }
    snapshot.encoder.addToRefcounts(counts, wire::kObjectBorrowedReferences);
    return true;
}

void SnapshotTaker::release(HeapSnapshot& snapshot)
{
    const std::int64_t start = monotonicNs();
    snapshot.held.release();
    snapshot.begin.pauseNs += monotonicNs() - start;
}

} // namespace gcscope::agent
