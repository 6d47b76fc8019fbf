// The immutable leaves of a heap snapshot (exact str, int, float and bytes), described after the
// GIL is released. Under the GIL the walk only notes each one it meets, with its refcount, while
// its memory is in cache from the walk's own check:
//   int, float, bytes  what their record needs is a word or two (the value, the length): copied;
//   str                its text may be long: a reference is taken instead, and its size and label
//                      are read once the target runs again (nothing about a str can change while
//                      it is referenced); the references are given back in one short second GIL
//                      hold, in address order.
//
// A small cache of the last objects noted keeps the shared ones (small ints, interned names) from
// being noted over and over; the others may be noted more than once. Sorting by address brings an
// object's notes together; the first note's refcount is from before any reference of ours (the GIL
// was held throughout, and only the walk changed it since).
//
// A str's size also counts the UTF-8 and wchar_t copies CPython may attach to it later: one
// attached between the walk and its record makes the record count it.
//
// In a snapshot child the heap is frozen: nothing the walk met can change or go away. There a note
// is a bit in a set of addresses (address_bits.h), which also says at once whether the object was
// noted already and gives them back in address order, and write() reads the rest from the object
// itself. The notes (24 bytes each), their sort's second copy and the list of held strs were the
// most of the child's own memory.
#pragma once

#include "address_bits.h"
#include "mapped_buffer.h"
#include "object_labels.h"
#include "object_size.h"
#include "python_compat.h"
#include "snapshot_encoder.h"
#include "snapshot_types.h"

#include <cstdint>
#include <cstring>

namespace gcscope::agent {

class HeldLeaves {
public:
    HeldLeaves() = default;
    HeldLeaves(const HeldLeaves&) = delete;
    HeldLeaves& operator=(const HeldLeaves&) = delete;

    // Room for `count` notes, faulted in now (before the GIL is taken). Not in a snapshot child
    // (after holdNothing()), whose set of addresses is faulted in as it grows.
    void prepare(std::size_t count)
    {
        if (hold_)
            notes_.prefault(count);
    }

    // GIL held: the noted types, described by this snapshot's catalog.
    void open(TypeCatalog& types);
    // In a snapshot child (snapshot_child.h), before anything is noted: nothing runs but the walk,
    // so no str can go away and none is referenced. (A reference is a write to the str, and every
    // write there copies a page the child would otherwise share with the target.) Notes are then
    // bits in a set of addresses (see above).
    void holdNothing() { hold_ = false; }

    // GIL held. Whether `o` is one of the noted types (exact, and a str in its final form).
    bool accepts(PyObject* o) const
    {
        PyTypeObject* type = Py_TYPE(o);
        if (type == types_[kStrType])
            return layout::strIsReady(o);
        return type == types_[kIntType] || type == types_[kFloatType] || type == types_[kBytesType];
    }
    // GIL held: notes an accepted object. False when memory ran out.
    bool note(PyObject* o)
    {
        const auto address = reinterpret_cast<std::uintptr_t>(o);
        PyObject*& recent = recent_[(address >> 4) & (kRecent - 1)];
        if (recent == o)
            return true; // noted already, its first refcount with it
        recent = o;
        if (!hold_) { // the object is read again by write(), as it is now
            bool added = false;
            ++frozenNotes_;
            return frozen_.add(address, added);
        }
        const Note n = describe(o);
        if (!notes_.push_back(n))
            return false;
        if ((n.address & kKindBits) == kHeldStr)
            layout::increment(o); // an immortal str stays as it is (and its release does nothing)
        return true;
    }
    // Notes taken, an object noted again counted again: what prepare() of a holding walk needs.
    std::size_t notes() const { return hold_ ? notes_.size() : frozenNotes_; }

    // No GIL: one record per object, after the records written so far. False when memory ran out.
    bool write(ObjectLabeler& labels, const ShallowSizer& sizer, SnapshotEncoder& encoder);
    std::uint64_t objects() const { return objects_; } // distinct objects written

    // GIL held: gives every reference back (a str nobody else holds any more is freed). Once.
    void release();

private:
    // What a note is, in its address's low bits (objects are at least 8-byte aligned).
    enum NoteKind : std::uintptr_t { kHeldStr, kInt, kNegativeInt, kLargeInt, kFloat, kBytes };
    static constexpr std::uintptr_t kKindBits = 0x7;
    enum TypeIndex { kStrType, kIntType, kFloatType, kBytesType, kTypes };
    static constexpr TypeIndex kTypeOf[] = { kStrType, kIntType, kIntType, kIntType, kFloatType, kBytesType };

    struct Note {
        std::uintptr_t address; // | NoteKind
        Py_ssize_t refcount; // before this note's reference, if any
        std::uint64_t payload; // int: magnitude (at most two digits) or its digit count; float: its bits; bytes: length
    };

    // The note of an accepted object, as it is now.
    Note describe(PyObject* o) const
    {
        Note n { reinterpret_cast<std::uintptr_t>(o), layout::refcount(o), 0 };
        PyTypeObject* type = Py_TYPE(o);
        if (type == types_[kStrType]) {
            n.address |= kHeldStr;
        } else if (type == types_[kIntType]) {
            bool negative = false;
            std::uint64_t magnitude = 0;
            if (ObjectLabeler::smallIntValue(o, negative, magnitude)) {
                n.address |= negative ? kNegativeInt : kInt;
                n.payload = magnitude;
            } else {
                n.address |= kLargeInt;
                n.payload = layout::intDigitCount(o);
            }
        } else if (type == types_[kFloatType]) {
            n.address |= kFloat;
            std::memcpy(&n.payload, &reinterpret_cast<PyFloatObject*>(o)->ob_fval, sizeof(double));
        } else {
            n.address |= kBytes;
            n.payload = static_cast<std::uint64_t>(Py_SIZE(o));
        }
        return n;
    }
    struct Described {
        std::uint32_t name = 0;
        SizeRule size;
        std::size_t basicSize = 0; // float, bytes: tp_basicsize and tp_itemsize
        std::size_t itemSize = 0;
    };
    static constexpr std::size_t kRecent = 256;

    bool sortByAddress();
    // The record of one object, from its note and the smallest refcount its notes saw.
    bool writeOne(
        const Note& n, Py_ssize_t refcount, ObjectLabeler& labels, const ShallowSizer& sizer, SnapshotEncoder& encoder);
    std::uint64_t sizeOf(const Note& n, PyObject* o, const ShallowSizer& sizer) const;
    std::uint32_t labelOf(const Note& n, PyObject* o, ObjectLabeler& labels) const;

    PyTypeObject* types_[kTypes] {}; // null: that type is not noted
    Described described_[kTypes];
    PyObject* recent_[kRecent] {};
    MappedArray<Note> notes_;
    AddressBits frozen_; // the notes after holdNothing()
    std::size_t frozenNotes_ = 0; // notes() after holdNothing()
    MappedArray<PyObject*> heldStrs_; // one entry per reference held, once listed by write()
    bool strsListed_ = false;
    bool hold_ = true;
    std::uint64_t objects_ = 0;
};

} // namespace gcscope::agent
