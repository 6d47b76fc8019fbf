// The heap walk behind a snapshot, run with the GIL held and no Python thread running:
//  1. every object in the collector's three generation lists, youngest first (what
//     gc.get_objects() returns, without building that list), except the agent's own callback;
//  2. every object those refer to that is outside the lists ("leaves": str, int, untracked tuples
//     and dicts, a thread's running frames, objects gc.freeze() put away), each once, found through
//     a worklist; untracked containers among them are traversed too, frozen ones are not.
// For each object: type, shallow size, ob_refcnt (less any reference the walk itself took), flags,
// label, and one reference per tp_traverse visit, written straight into the encoder. No recursion, no Python
// object created, no Python code run, nothing moved between generations. Immutable leaves (exact
// str, bytes, int, float) are only noted, with a reference taken: held_leaves.h describes them once
// the GIL is released and gives the references back.
//
// The walk is bound by memory latency (the objects are scattered; nearly every step is a cache
// miss), so it asks for memory ahead of use: list nodes some objects ahead (gc_list_cursor.h) and
// what their traversal reads (object_prefetch.h), each reference's target when it is recorded but
// looked at some references later, the leaves table's slot some leaves ahead; and it sends the
// untracked containers it finds (dicts and tuples of atoms) right after the object that led to
// them, while they are still in cache. The commonest objects' references are read natively
// (native_traversal.h) rather than through tp_traverse and a second, labelling pass.
//
// Explicit roots: sys.modules (the interpreter's own dict), the builtins dict, and the frame
// objects that exist in every thread's chain of running frames. What the walk cannot show: 3.11
// creates frame objects lazily, so most running frames have none; a running frame's locals and
// value stack belong to its thread, not to a frame object (frame_traverse does not visit them),
// so objects held there, by C globals or by extension state that no tp_traverse visits appear only
// as a refcount higher than the references the snapshot holds to them; gc.freeze()'s objects are
// sent as leaves, their contents not at all; other (sub)interpreters are not walked.
#pragma once

#include "address_table.h"
#include "agent_objects.h"
#include "edge_labels.h"
#include "held_leaves.h"
#include "mapped_buffer.h"
#include "object_labels.h"
#include "object_prefetch.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::agent {

// The walk's own tables, which grow with the heap: made and faulted in before the GIL is taken,
// dropped after it is released.
struct WalkScratch {
    AddressTable leaves; // leaves already queued
    AddressTable frozen; // the permanent generation's objects
    AddressTable enumerated; // the portable form: every object gc.get_objects() listed
    // Leaves found and not sent yet, in the order they were found. They are sent after the object
    // that led to them, so it holds few at a time (as many as one object leads to).
    MappedArray<PyObject*> worklist;

    void prepare(std::size_t expectedShared)
    {
        leaves.prepare(expectedShared);
        worklist.prefault(64 * 1024);
    }
};

class HeapWalker {
public:
    HeapWalker(const InterpreterLayout& layout, TypeCatalog& types, ObjectLabeler& labels, EdgeLabeler& edges,
        SnapshotEncoder& encoder, WalkScratch& scratch, HeldLeaves& held, const AgentObjects& excluded);

    // False when memory ran out (the encoder's and the walk's own buffers). The encoder is not
    // finished: the held leaves' records come after (HeldLeaves::write), then encoder.finish().
    // Whatever the result, `held` holds references that HeldLeaves::release() must give back.
    bool walk();

    std::uint64_t trackedObjects() const { return tracked_; }
    std::uint64_t leaves() const { return leaves_; }
    std::uint64_t sharedLeaves() const { return scratch_.leaves.size(); } // the ones that took the table

private:
    static int visit(PyObject* target, void* walker);

    void findRoots();
    void findFrozen();
    void walkEnumerated();
    void emit(PyObject* o, bool tracked);
    // A reference's target, looked at kTargetsAhead references later (its memory asked for now):
    // does the walk reach it by the lists, or is it a leaf?
    void checkLater(PyObject* target)
    {
        __builtin_prefetch(gcHeaderOf(target));
        __builtin_prefetch(reinterpret_cast<const char*>(target) + sizeof(PyObject) - 1);
        PyObject*& slot = targets_[targetNext_];
        if (targetsPending_ == kTargetsAhead)
            check(slot);
        else
            ++targetsPending_;
        slot = target;
        targetNext_ = (targetNext_ + 1) % kTargetsAhead;
    }
    void check(PyObject* target)
    {
        if (!outsideWalk(target))
            return;
        if (held_.accepts(target)) {
            if (!held_.note(target))
                outOfMemory_ = true;
        } else {
            queueLeaf(target);
        }
    }
    void flushTargets();
    void emitFoundLeaves();
    // A reference of the object being sent. False when its record is full or memory ran out: its
    // traversal stops.
    bool reference(PyObject* target, std::uint32_t label)
    {
        if (excluded_.contains(target))
            return true;
        if (!encoder_.addReference(address(target), label))
            return false;
        checkLater(target);
        return true;
    }
    // A leaf with a single reference is reached once, through it: tp_traverse visits only
    // references its object owns (the collector's own refcount arithmetic depends on it), so no
    // other visit can lead there and the leaves table need not be asked. Roots always take the
    // table, as they are also queued without a reference.
    // Other leaves go through a short queue: their slot in the leaves table is prefetched when they
    // come in and looked at when they leave, so the table's cache misses overlap.
    void queueLeaf(PyObject* o)
    {
        if (layout::refcount(o) == 1 && !isRoot(o)) {
            if (!scratch_.worklist.push_back(o))
                outOfMemory_ = true;
            prefetchObjectBody(o);
            ++leaves_;
            return;
        }
        scratch_.leaves.prefetch(address(o));
        if (queued_ == kLookahead)
            noteLeaf(queue_[queueNext_]);
        else
            ++queued_;
        queue_[queueNext_] = o;
        queueNext_ = (queueNext_ + 1) % kLookahead;
    }
    void flushQueue();
    void noteLeaf(PyObject* o);
    // Not in the three lists: untracked, or in the permanent generation.
    bool outsideWalk(PyObject* o)
    {
        if (!isTracked(o) || (hasFrozen_ && scratch_.frozen.contains(address(o))))
            return true;
        if (checkListed_ && !scratch_.enumerated.contains(address(o))) { // frozen (walkEnumerated)
            bool inserted = false;
            if (!scratch_.frozen.insert(address(o), 0, inserted))
                outOfMemory_ = true;
            hasFrozen_ = true;
            return true;
        }
        return false;
    }
    bool isRoot(PyObject* o) const
    {
        const std::uintptr_t a = address(o);
        return a >= firstRoot_ && a <= lastRoot_ && isListedRoot(a);
    }
    bool isListedRoot(std::uintptr_t a) const;
    static std::uintptr_t address(PyObject* o) { return reinterpret_cast<std::uintptr_t>(o); }

    const InterpreterLayout& layout_;
    TypeCatalog& types_;
    ObjectLabeler& labels_;
    EdgeLabeler& edges_;
    SnapshotEncoder& encoder_;
    WalkScratch& scratch_;
    HeldLeaves& held_;
    AgentObjects excluded_;

    static constexpr std::size_t kTargetsAhead = 16;
    PyObject* targets_[kTargetsAhead] {};
    std::size_t targetsPending_ = 0;
    std::size_t targetNext_ = 0;

    static constexpr std::size_t kLookahead = 16;
    PyObject* queue_[kLookahead] {};
    std::size_t queued_ = 0;
    std::size_t queueNext_ = 0;

    std::vector<std::uintptr_t> roots_; // sorted: sys.modules, builtins, threads' frame objects
    std::uintptr_t firstRoot_ = 1;
    std::uintptr_t lastRoot_ = 0;
    bool hasFrozen_ = false;
    bool enumerated_ = false; // walking gc.get_objects()'s list (the portable form)
    bool checkListed_ = false; // ... and some objects may be frozen: a tracked object may be unlisted
    bool outOfMemory_ = false;
    std::uint64_t tracked_ = 0;
    std::uint64_t leaves_ = 0;
    std::size_t nextLeaf_ = 0; // the worklist's next leaf to send
};

} // namespace gcscope::agent
