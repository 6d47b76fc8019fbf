#include "held_leaves.h"

#include <utility>

namespace gcscope::agent {

namespace {

// Notes are sorted on address bits 3..46 (objects are at least 8-byte aligned: the statically
// allocated ones only that; user space ends below bit 47), 11 bits a pass, least significant first.
// A pass whose bits are the same in every note is skipped: objects live in a few arenas, so the top
// pass rarely runs.
constexpr unsigned kFirstBit = 3;
constexpr unsigned kDigitBits = 11;
constexpr unsigned kPasses = 4;
constexpr std::size_t kBuckets = std::size_t { 1 } << kDigitBits;

std::size_t digitOf(std::uintptr_t address, unsigned pass)
{
    return (address >> (kFirstBit + pass * kDigitBits)) & (kBuckets - 1);
}

} // namespace

void HeldLeaves::open(TypeCatalog& types)
{
    const auto& api = py();
    PyTypeObject* noted[kTypes] = { api.PyUnicode_Type, api.PyLong_Type, api.PyFloat_Type, api.PyBytes_Type };
    for (int t = 0; t < kTypes; ++t) {
        const TypeInfo& info = types.infoFor(noted[t]);
        described_[t] = { info.name, info.size, static_cast<std::size_t>(noted[t]->tp_basicsize),
            static_cast<std::size_t>(noted[t]->tp_itemsize) };
        // Only what is measured natively: a __sizeof__ call needs the GIL.
        const bool native = info.size.kind == SizeRule::Kind::Str || info.size.kind == SizeRule::Kind::Int
            || info.size.kind == SizeRule::Kind::Layout;
        types_[t] = native ? noted[t] : nullptr;
    }
}

bool HeldLeaves::sortByAddress()
{
    const std::size_t count = notes_.size();
    if (count < 2)
        return true;
    // One read for every pass's histogram.
    MappedArray<std::size_t> counts;
    if (!counts.assignZeroed(kPasses * kBuckets))
        return false;
    for (std::size_t i = 0; i < count; ++i)
        for (unsigned pass = 0; pass < kPasses; ++pass)
            ++counts[pass * kBuckets + digitOf(notes_[i].address, pass)];
    MappedArray<Note> other;
    bool haveOther = false;
    MappedArray<Note>* from = &notes_;
    MappedArray<Note>* to = &other;
    for (unsigned pass = 0; pass < kPasses; ++pass) {
        std::size_t* bucket = &counts[pass * kBuckets];
        if (bucket[digitOf(notes_[0].address, pass)] == count)
            continue; // every note has the same digit
        if (!haveOther) {
            // Faulted in at once, in huge pages: this runs without the GIL (in the snapshot child,
            // or after the walk), and at 10M objects the scatter's first writes to 4 KiB pages took
            // more time than the sort itself.
            if (!other.assignZeroed(count, true, true))
                return false;
            haveOther = true;
        }
        std::size_t offset = 0;
        for (std::size_t b = 0; b < kBuckets; ++b)
            offset += std::exchange(bucket[b], offset);
        const Note* in = from->data();
        Note* out = to->data();
        for (std::size_t i = 0; i < count; ++i)
            out[bucket[digitOf(in[i].address, pass)]++] = in[i];
        std::swap(from, to);
    }
    if (from != &notes_)
        notes_ = std::move(other);
    return true;
}

std::uint64_t HeldLeaves::sizeOf(const Note& n, PyObject* o, const ShallowSizer& sizer) const
{
    const NoteKind kind = static_cast<NoteKind>(n.address & kKindBits);
    const Described& d = described_[kTypeOf[kind]];
    switch (kind) {
    case kHeldStr:
        return sizer.measure(o, d.size);
    case kInt:
    case kNegativeInt:
        return layout::intSizeofDigits(n.payload == 0 ? 0 : n.payload >> PyLong_SHIFT ? 2 : 1) + d.size.preHeader;
    case kLargeInt:
        return layout::intSizeofDigits(static_cast<std::size_t>(n.payload)) + d.size.preHeader;
    case kFloat:
    case kBytes: // the layout rule: float's items are none, bytes' its length
        return d.basicSize + (kind == kBytes ? n.payload * d.itemSize : 0) + d.size.preHeader;
    }
    return 0;
}

std::uint32_t HeldLeaves::labelOf(const Note& n, PyObject* o, ObjectLabeler& labels) const
{
    switch (static_cast<NoteKind>(n.address & kKindBits)) {
    case kHeldStr:
        return labels.labelOf(o, ObjectLabelKind::Str);
    case kInt:
    case kNegativeInt:
        return labels.integerLabel((n.address & kKindBits) == kNegativeInt, n.payload);
    case kLargeInt:
        return 0;
    case kFloat: {
        double value;
        std::memcpy(&value, &n.payload, sizeof value);
        return labels.floatLabel(value);
    }
    case kBytes:
        return labels.bytesLabel(static_cast<Py_ssize_t>(n.payload));
    }
    return 0;
}

bool HeldLeaves::writeOne(
    const Note& n, Py_ssize_t refcount, ObjectLabeler& labels, const ShallowSizer& sizer, SnapshotEncoder& encoder)
{
    // Only a held str's memory is read here: the others' notes say all there is to say.
    auto* o = reinterpret_cast<PyObject*>(n.address & ~kKindBits);
    const std::uint32_t name = described_[kTypeOf[n.address & kKindBits]].name;
    const std::uint8_t flags = layout::refcountIsImmortal(refcount) ? wire::kObjectImmortal : 0;
    if (!encoder.beginObject(
            reinterpret_cast<std::uintptr_t>(o), name, sizeOf(n, o, sizer), refcount, flags, labelOf(n, o, labels)))
        return false;
    encoder.endObject();
    ++objects_;
    return true;
}

bool HeldLeaves::write(ObjectLabeler& labels, const ShallowSizer& sizer, SnapshotEncoder& encoder)
{
    if (!hold_) {
        // A frozen heap: each object is read once, in address order, for its note as it was.
        const bool written = frozen_.forEach(
            [&](std::uintptr_t address) {
                const Note n = describe(reinterpret_cast<PyObject*>(address));
                return writeOne(n, n.refcount, labels, sizer, encoder);
            },
            [](std::uintptr_t address) { __builtin_prefetch(reinterpret_cast<const void*>(address)); });
        return written && !encoder.failed();
    }
    if (!sortByAddress())
        return false;
    const std::size_t count = notes_.size();
    const Note* notes = notes_.data();
    // The references to give back, in address order, apart: release() then reads nothing else.
    for (std::size_t i = 0; i < count; ++i) {
        if ((notes[i].address & kKindBits) == kHeldStr
            && !heldStrs_.push_back(reinterpret_cast<PyObject*>(notes[i].address))) {
            heldStrs_.clear();
            return false;
        }
    }
    strsListed_ = true;
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < count;) {
        if (i + kAhead < count && (notes[i + kAhead].address & kKindBits) == kHeldStr)
            __builtin_prefetch(reinterpret_cast<const void*>(notes[i + kAhead].address));
        const Note& first = notes[i];
        Py_ssize_t refcount = first.refcount;
        for (++i; i < count && notes[i].address == first.address; ++i)
            refcount = notes[i].refcount < refcount ? notes[i].refcount : refcount;
        if (!writeOne(first, refcount, labels, sizer, encoder))
            return false;
    }
    return !encoder.failed();
}

void HeldLeaves::release()
{
    constexpr std::size_t kAhead = 16;
    if (!hold_) {
        // Nothing was held.
    } else if (strsListed_) {
        const std::size_t count = heldStrs_.size();
        PyObject* const* held = heldStrs_.data();
        for (std::size_t i = 0; i < count; ++i) {
            if (i + kAhead < count)
                __builtin_prefetch(held[i + kAhead], 1);
            decref(held[i]);
        }
    } else {
        const std::size_t count = notes_.size();
        const Note* notes = notes_.data();
        for (std::size_t i = 0; i < count; ++i) {
            if (i + kAhead < count && (notes[i + kAhead].address & kKindBits) == kHeldStr)
                __builtin_prefetch(reinterpret_cast<const void*>(notes[i + kAhead].address), 1);
            if ((notes[i].address & kKindBits) == kHeldStr)
                decref(reinterpret_cast<PyObject*>(notes[i].address));
        }
    }
    // Unmapped with the snapshot, not while the target waits.
    notes_.clear();
    heldStrs_.clear();
    strsListed_ = false;
    for (PyObject*& recent : recent_)
        recent = nullptr;
}

} // namespace gcscope::agent
