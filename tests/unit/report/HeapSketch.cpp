#include "HeapSketch.h"

#include "analysis/HeapGraphBuilder.h"

namespace gcscope::report::test {

using namespace analysis;

HeapSketch::Id HeapSketch::object(const std::string& type, const std::string& label, std::uint64_t size)
{
    objects_.push_back({ type, label, size, Tracked });
    return static_cast<Id>(objects_.size() - 1);
}

HeapSketch::Id HeapSketch::module(const std::string& name)
{
    const Id m = object("module", name, 72);
    objects_[m].flags |= ExplicitRoot;
    return m;
}

HeapSketch::Id HeapSketch::namespaceOf(Id owner)
{
    if (objects_[owner].dict == UINT32_MAX) {
        const Id d = object("dict", {}, 1200);
        objects_[owner].dict = d;
        ref(owner, d, "__dict__");
    }
    return objects_[owner].dict;
}

HeapSketch::Id HeapSketch::klass(Id globals, const std::string& qualname)
{
    const Id cls = object("type", qualname, 1064);
    const Id mro = object("tuple", {}, 56);
    ref(globals, cls, qualname);
    ref(cls, mro, "__mro__");
    item(mro, cls, 0);
    namespaceOf(cls);
    return cls;
}

void HeapSketch::ref(Id from, Id to, const std::string& name)
{
    edges_.push_back({ from, to, name, 0, 0 });
}

void HeapSketch::item(Id from, Id to, std::uint32_t index)
{
    edges_.push_back({ from, to, {}, index, 1 });
}

void HeapSketch::plain(Id from, Id to)
{
    edges_.push_back({ from, to, {}, 0, 2 });
}

void HeapSketch::at(Id id, std::uint64_t address)
{
    objects_[id].address = address;
}

void HeapSketch::untracked(Id id)
{
    objects_[id].flags &= static_cast<std::uint8_t>(~Tracked);
}

HeapGraph HeapSketch::build() const
{
    std::vector<std::int64_t> incoming(objects_.size(), 0);
    for (const auto& e : edges_)
        ++incoming[e.to];
    HeapGraphBuilder b;
    for (std::size_t i = 0; i < objects_.size(); ++i) {
        const auto& o = objects_[i];
        // A module is also held by sys.modules, outside the sketch: that makes it a refcount root,
        // as real modules are, so the unreachable rule sees the program's objects as alive.
        const std::int64_t external = o.type == "module" ? 1 : 0;
        b.addObject(
            { o.address ? o.address : 0x10000 + i * 0x40, o.type, o.size, incoming[i] + external, o.flags, o.label });
    }
    for (const auto& e : edges_) {
        std::uint32_t label = kNoEdgeLabel;
        if (e.kind == 0)
            label = b.internString(e.name);
        else if (e.kind == 1)
            label = indexLabel(e.index);
        b.addEdge(e.from, e.to, label);
    }
    return b.build();
}

} // namespace gcscope::report::test
