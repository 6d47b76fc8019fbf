#include "GraphSupport.h"

#include <string>

namespace gcscope::analysis::test {

ObjectId HandHeap::add(std::string_view type, std::uint64_t size, std::int64_t held, std::uint8_t flags)
{
    held_.push_back(held);
    flags_.push_back(flags);
    // Addresses are distinct and deliberately not in id order.
    const std::uint64_t address = 0x7f0000100000ull - 0x40ull * held_.size();
    return builder_.addObject({ address, type, size, 0, flags });
}

ObjectId HandHeap::tracked(std::string_view type, std::uint64_t size, std::int64_t held, std::uint8_t extraFlags)
{
    return add(type, size, held, static_cast<std::uint8_t>(Tracked | extraFlags));
}

ObjectId HandHeap::leaf(std::string_view type, std::uint64_t size, std::int64_t held)
{
    return add(type, size, held, 0);
}

void HandHeap::attr(ObjectId from, ObjectId to, std::string_view name)
{
    builder_.addEdge(from, to, builder_.internString(name));
    edges_.emplace_back(from, to);
}

void HandHeap::item(ObjectId from, ObjectId to, std::uint64_t index)
{
    builder_.addEdge(from, to, indexLabel(index));
    edges_.emplace_back(from, to);
}

void HandHeap::ref(ObjectId from, ObjectId to)
{
    builder_.addEdge(from, to);
    edges_.emplace_back(from, to);
}

HeapGraph HandHeap::build()
{
    HeapGraph g = builder_.build();
    for (ObjectId id = 0; id < g.objectCount(); ++id)
        g.refcount[id] = held_[id];
    for (auto [from, to] : edges_)
        if (flags_[from] & Tracked)
            ++g.refcount[to];
    return g;
}

HeapGraph randomHeap(std::mt19937_64& rng, const RandomHeapOptions& o)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> pick(0, o.objects - 1);
    std::uniform_int_distribution<std::uint64_t> size(16, 256);
    std::uniform_int_distribution<std::size_t> type(0, o.typeCount - 1);

    HeapGraphBuilder b;
    const std::size_t all = o.objects + o.sinks;
    std::vector<std::uint8_t> flags(all);
    std::vector<std::int64_t> held(all, 0);
    for (std::size_t i = 0; i < all; ++i) {
        std::uint8_t f = unit(rng) < o.leafShare ? 0 : Tracked;
        if (unit(rng) < o.explicitRootShare)
            f |= ExplicitRoot;
        if ((f & Tracked) && unit(rng) < o.finalizerShare)
            f |= HasFinalizer;
        if ((f & Tracked) && unit(rng) < o.heldShare)
            held[i] = 1 + static_cast<std::int64_t>(unit(rng) * 3);
        flags[i] = f;
        b.addObject(0x1000 + 0x20 * i, b.internType("T" + std::to_string(type(rng))), size(rng), 0, f);
    }
    std::vector<std::int64_t> internal(all, 0);
    const auto edges = static_cast<std::size_t>(o.edgesPerObject * static_cast<double>(o.objects));
    for (std::size_t e = 0; e < edges; ++e) {
        auto from = static_cast<ObjectId>(pick(rng));
        auto to = static_cast<ObjectId>(pick(rng));
        b.addEdge(from, to, unit(rng) < 0.5 ? indexLabel(e) : kNoEdgeLabel);
        if (flags[from] & Tracked)
            ++internal[to];
    }
    std::uniform_int_distribution<std::size_t> referrers(1, std::max<std::size_t>(1, o.mostSinkReferrers));
    for (std::size_t s = 0; s < o.sinks; ++s) {
        const auto to = static_cast<ObjectId>(o.objects + s);
        for (std::size_t k = referrers(rng); k > 0; --k) {
            auto from = static_cast<ObjectId>(pick(rng));
            b.addEdge(from, to);
            if (flags[from] & Tracked)
                ++internal[to];
        }
    }
    HeapGraph g = b.build();
    for (std::size_t i = 0; i < all; ++i) {
        g.refcount[i] = internal[i] + held[i];
        if (internal[i] > 0 && unit(rng) < o.inconsistentShare)
            g.refcount[i] = internal[i] - 1;
    }
    return g;
}

} // namespace gcscope::analysis::test
