#include "snapshot_taker.h"

#include "clock.h"
#include "edge_labels.h"
#include "heap_walker.h"
#include "object_labels.h"

#include <cerrno>
#include <new>
#include <unistd.h>

namespace gcscope::agent {

namespace {
// Bytes of records per tracked object: 37 fixed, 12 per reference (about 2.5 on average), and the
// leaves. Over-reserving costs zeroed pages until the snapshot is sent.
constexpr std::size_t kBytesPerObject = 80;

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

std::unique_ptr<HeapSnapshot> SnapshotTaker::prepare()
{
    auto snapshot = std::unique_ptr<HeapSnapshot>(new (std::nothrow) HeapSnapshot);
    if (!snapshot)
        return nullptr;
    const std::size_t tracked = estimatedTrackedObjects(layout_);
    const std::size_t bytes = tracked * kBytesPerObject;
    snapshot->encoder.prepare(capped(bytes > withMargin(lastStreamBytes_) ? bytes : withMargin(lastStreamBytes_)));
    // Without an earlier snapshot to go by: about one leaf (str, int, ...) for every two objects, one
    // in four of them shared (most have a single reference, which needs no table).
    if (lastStreamBytes_)
        snapshot->scratch.prepare(withMargin(lastLeaves_), withMargin(lastSharedLeaves_));
    else
        snapshot->scratch.prepare(tracked / 2, tracked / 8);
    snapshot->strings.prepare(withMargin(lastStringBytes_), withMargin(lastStrings_));
    return snapshot;
}

SnapshotTaker::Status SnapshotTaker::take(GcModule& gc, PyObject* agentObject,
    const wire::SnapshotRequestRecord& request, HeapSnapshot& snapshot, Failure& failure)
{
    const std::int64_t start = monotonicNs();
    const std::int64_t timeNs = realtimeNs();
    InterpreterLayout layout;
    if (!readInterpreterLayout(gc.callbacks(), gc.garbage(), layout, failure.message)) {
        failure.code = ENOTSUP;
        return Status::Failed;
    }
    if (*layout.collecting)
        return Status::Busy;

    const bool noStrings = request.flags & wire::kSnapshotNoStrings;
    bool ok;
    std::uint64_t tracked;
    {
        TypeCatalog types(resources_, snapshot.strings);
        ObjectLabeler labels(snapshot.strings, request.maxLabel, noStrings);
        EdgeLabeler edges(snapshot.strings, noStrings);
        HeapWalker walker(layout, types, labels, edges, snapshot.encoder, snapshot.scratch, agentObject);
        ok = walker.walk();
        tracked = walker.trackedObjects();
        lastLeaves_ = walker.leaves();
        lastSharedLeaves_ = walker.sharedLeaves();
    }
    const std::int64_t pauseNs = monotonicNs() - start;
    if (!ok || snapshot.encoder.failed()) {
        failure = { ENOMEM, "not enough memory for the snapshot of this heap" };
        return Status::Failed;
    }

    const SnapshotEncoder& encoder = snapshot.encoder;
    lastStreamBytes_ = encoder.streamBytes();
    lastStringBytes_ = snapshot.strings.records().size();
    lastStrings_ = snapshot.strings.count();
    auto& begin = snapshot.begin;
    begin.snapshotId = request.snapshotId;
    begin.timeNs = timeNs;
    begin.pauseNs = pauseNs > 0 ? pauseNs : 1;
    begin.objects = encoder.objects();
    begin.trackedObjects = tracked;
    begin.references = encoder.referenceCount();
    auto& end = snapshot.end;
    end.snapshotId = request.snapshotId;
    end.objectsSent = encoder.objects();
    end.referencesSent = encoder.referenceCount();
    end.stringsSent = encoder.stringsSent();
    snapshot.truncatedObjects = encoder.truncated();
    return Status::Done;
}

} // namespace gcscope::agent
