#include "heap_walker.h"

#include "gc_list_cursor.h"
#include "native_traversal.h"
#include "object_prefetch.h"

#include <gcscope/wire.h>

#include <algorithm>

namespace gcscope::agent {

HeapWalker::HeapWalker(const InterpreterLayout& layout, TypeCatalog& types, ObjectLabeler& labels, EdgeLabeler& edges,
    SnapshotEncoder& encoder, WalkScratch& scratch, HeldLeaves& held, const AgentObjects& excluded)
    : layout_(layout)
    , types_(types)
    , labels_(labels)
    , edges_(edges)
    , encoder_(encoder)
    , scratch_(scratch)
    , held_(held)
    , excluded_(excluded)
{
}

bool HeapWalker::walk()
{
    held_.open(types_);
    findRoots();
    findFrozen();
    // Leaves are sent as soon as they are found, between tracked objects: the memory they were
    // found in is still in cache (found some references after they were visited, see checkLater).
    if (layout_.enumerate) {
        walkEnumerated();
    } else {
        for (GcHeader* head : layout_.generations) {
            GcListCursor cursor(head);
            for (PyObject* o = cursor.next(); o && !outOfMemory_; o = cursor.next()) {
                if (!excluded_.contains(o))
                    emit(o, true);
                emitFoundLeaves();
            }
        }
    }
    // Explicit roots the lists do not hold (a running frame is untracked) are sent all the same.
    for (std::uintptr_t root : roots_) {
        auto* o = reinterpret_cast<PyObject*>(root);
        if (outsideWalk(o))
            queueLeaf(o);
    }
    while (!outOfMemory_) {
        flushTargets();
        flushQueue();
        if (nextLeaf_ == scratch_.worklist.size())
            break;
        emitFoundLeaves();
    }
    return !outOfMemory_ && !encoder_.failed();
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

// The portable form: gc.get_objects()'s list, each object once. The list's own reference to each is
// left out of its refcount. A tracked object the list does not hold is one gc.freeze() put away
// (none is in a collection's private lists: the snapshot does not start during one): the table of
// listed objects tells them apart, and they are sent as frozen leaves.
void HeapWalker::walkEnumerated()
{
    PyObject* list = layout_.objects;
    if (!list) {
        outOfMemory_ = true;
        return;
    }
    const Py_ssize_t count = PyList_GET_SIZE(list);
    PyObject* const* items = reinterpret_cast<PyListObject*>(list)->ob_item;
    if (layout_.objectsMayMissFrozen) {
        scratch_.enumerated.prepare(static_cast<std::size_t>(count));
        for (Py_ssize_t i = 0; i < count; ++i) {
            bool inserted = false;
            if (!scratch_.enumerated.insert(address(items[i]), 0, inserted)) {
                outOfMemory_ = true;
                return;
            }
        }
        checkListed_ = true;
    }
    enumerated_ = true;
    for (Py_ssize_t i = 0; i < count && !outOfMemory_; ++i) {
        if (i + 8 < count)
            prefetchObjectBody(items[i + 8]);
        if (!excluded_.contains(items[i]))
            emit(items[i], true);
        emitFoundLeaves();
    }
}

void HeapWalker::findFrozen()
{
    GcHeader* head = layout_.permanent;
    if (!head)
        return; // the portable form finds them as it goes (walkEnumerated)
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
    const bool immortal = layout::isImmortal(o);
    if (immortal)
        flags |= wire::kObjectImmortal;
    // gc.get_objects()'s list holds one reference to every object it lists (not to immortal ones).
    const Py_ssize_t refcount = layout::refcount(o) - (enumerated_ && tracked && !immortal ? 1 : 0);
    if (!encoder_.beginObject(address(o), info.name, size, refcount, flags, label)) {
        outOfMemory_ = true;
        return;
    }
    // Only what the collector could traverse: a GC object (static types are not), and not one
    // gc.freeze() put away (its contents are outside the snapshot, as they are outside collections).
    const bool traverse = tracked || (isGcObject(o) && !(hasFrozen_ && scratch_.frozen.contains(address(o))));
    if (traverse && type->tp_traverse) {
        const bool native = traverseNatively(
            o, info, edges_, [this](PyObject* target, std::uint32_t label) { return reference(target, label); });
        if (!native)
            type->tp_traverse(o, &HeapWalker::visit, this);
        if (encoder_.failed()) {
            outOfMemory_ = true;
            return;
        }
        // Labels found after the traversal need every reference in one record: the records of an
        // object of over a million references may be sent already (kObjectContinued).
        if (!native && !encoder_.continued())
            edges_.label(o, info, encoder_.references());
    }
    if (tracked)
        ++tracked_;
    encoder_.endObject();
}

int HeapWalker::visit(PyObject* target, void* argument)
{
    auto* self = static_cast<HeapWalker*>(argument);
    return target && !self->reference(target, 0) ? 1 : 0; // 1: stop this object's traversal
}

void HeapWalker::emitFoundLeaves()
{
    while (nextLeaf_ < scratch_.worklist.size() && !outOfMemory_)
        emit(scratch_.worklist[nextLeaf_++], false);
    if (nextLeaf_ == scratch_.worklist.size()) { // all sent: start over, in memory that stays in cache
        scratch_.worklist.clear();
        nextLeaf_ = 0;
    }
}

void HeapWalker::flushTargets()
{
    for (; targetsPending_ > 0; --targetsPending_)
        check(targets_[(targetNext_ + kTargetsAhead - targetsPending_) % kTargetsAhead]);
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
    if (inserted) {
        prefetchObjectBody(o);
        ++leaves_;
    }
}

} // namespace gcscope::agent
