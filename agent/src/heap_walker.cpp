#include "heap_walker.h"

#include <gcscope/wire.h>

#include <algorithm>

namespace gcscope::agent {

HeapWalker::HeapWalker(const InterpreterLayout& layout, TypeCatalog& types, ObjectLabeler& labels, EdgeLabeler& edges,
    SnapshotEncoder& encoder, WalkScratch& scratch, PyObject* excluded)
    : layout_(layout)
    , types_(types)
    , labels_(labels)
    , edges_(edges)
    , encoder_(encoder)
    , scratch_(scratch)
    , excluded_(excluded)
{
}

bool HeapWalker::walk()
{
    findRoots();
    findFrozen();
    for (GcHeader* head : layout_.generations) {
        for (GcHeader* h = nextInList(head); h != head && !outOfMemory_; h = nextInList(h)) {
            __builtin_prefetch(reinterpret_cast<const void*>(h->next));
            PyObject* o = objectOf(h);
            if (o != excluded_)
                emit(o, true);
        }
    }
    // Explicit roots the lists do not hold (a running frame is untracked) are sent all the same.
    for (std::uintptr_t root : roots_) {
        auto* o = reinterpret_cast<PyObject*>(root);
        if (outsideWalk(o))
            queueLeaf(o);
    }
    while (!outOfMemory_) {
        if (nextLeaf_ == scratch_.worklist.size()) {
            flushQueue();
            if (nextLeaf_ == scratch_.worklist.size())
                break;
        }
        emit(scratch_.worklist[nextLeaf_++], false);
    }
    return !outOfMemory_ && encoder_.finish();
}

void HeapWalker::findRoots()
{
    if (layout_.modules)
        roots_.push_back(address(layout_.modules));
    if (layout_.builtins)
        roots_.push_back(address(layout_.builtins));
    std::vector<PyObject*> frames;
    collectThreadFrameObjects(layout_, frames);
    for (PyObject* frame : frames)
        roots_.push_back(address(frame));
    std::sort(roots_.begin(), roots_.end());
    roots_.erase(std::unique(roots_.begin(), roots_.end()), roots_.end());
    if (!roots_.empty()) {
        firstRoot_ = roots_.front();
        lastRoot_ = roots_.back();
    }
}

void HeapWalker::findFrozen()
{
    GcHeader* head = layout_.permanent;
    for (GcHeader* h = nextInList(head); h != head; h = nextInList(h)) {
        bool inserted = false;
        if (!scratch_.frozen.insert(address(objectOf(h)), 0, inserted)) {
            outOfMemory_ = true;
            return;
        }
    }
    hasFrozen_ = scratch_.frozen.size() != 0;
}

bool HeapWalker::isListedRoot(std::uintptr_t a) const
{
    return std::binary_search(roots_.begin(), roots_.end(), a);
}

void HeapWalker::emit(PyObject* o, bool tracked)
{
    PyTypeObject* type = Py_TYPE(o);
    TypeInfo& info = types_.infoFor(type);
    std::uint8_t flags = info.flags;
    if (tracked)
        flags |= wire::kObjectTracked;
    if (isRoot(o))
        flags |= wire::kObjectExplicitRoot;
    const std::uint64_t size = types_.sizer().measure(o, info.size);
    const std::uint32_t label = labels_.labelOf(o, info.label);
    if (!encoder_.beginObject(address(o), info.name, size, o->ob_refcnt, flags, label)) {
        outOfMemory_ = true;
        return;
    }
    // Only what the collector could traverse: a GC object (static types are not), and not one
    // gc.freeze() put away (its contents are outside the snapshot, as they are outside collections).
    const bool traverse = tracked || (isGcObject(o) && !(hasFrozen_ && scratch_.frozen.contains(address(o))));
    if (traverse && type->tp_traverse) {
        type->tp_traverse(o, &HeapWalker::visit, this);
        if (encoder_.failed()) {
            outOfMemory_ = true;
            return;
        }
        edges_.label(o, info, encoder_.references());
    }
    if (tracked)
        ++tracked_;
    encoder_.endObject();
}

int HeapWalker::visit(PyObject* target, void* argument)
{
    auto* self = static_cast<HeapWalker*>(argument);
    if (!target || target == self->excluded_)
        return 0;
    if (!self->encoder_.addReference(address(target)))
        return 1; // this object's record is full, or memory ran out: stop its traversal
    if (self->outsideWalk(target))
        self->queueLeaf(target);
    return 0;
}

void HeapWalker::flushQueue()
{
    for (; queued_ > 0; --queued_)
        noteLeaf(queue_[(queueNext_ + kLookahead - queued_) % kLookahead]);
}

void HeapWalker::noteLeaf(PyObject* o)
{
    bool inserted = false;
    if (!scratch_.leaves.insert(address(o), 0, inserted) || (inserted && !scratch_.worklist.push_back(o)))
        outOfMemory_ = true;
    leaves_ += inserted ? 1 : 0;
}

} // namespace gcscope::agent
