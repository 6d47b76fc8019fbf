#include "report/HeapContext.h"

#include <algorithm>
#include <array>

namespace gcscope::report {

using namespace analysis;

namespace {

constexpr std::array kCollections = { std::string_view("list"), std::string_view("dict"), std::string_view("set"),
    std::string_view("frozenset"), std::string_view("collections.deque"), std::string_view("collections.OrderedDict"),
    std::string_view("collections.defaultdict"), std::string_view("collections.Counter"),
    std::string_view("bytearray") };

const std::vector<ObjectId> kNone;

} // namespace

bool isCollectionTypeName(std::string_view typeName)
{
    return std::find(kCollections.begin(), kCollections.end(), typeName) != kCollections.end();
}

bool isContainerTypeName(std::string_view typeName)
{
    return isCollectionTypeName(typeName) || typeName == "tuple" || typeName == "cell";
}

struct HeapContext::Owned {
    explicit Owned(const HeapGraph& g)
        : roots(findRoots(g))
        , referrers(buildReferrers(g))
        , dominators(computeDominators(g, roots))
        , paths(g, roots, referrers)
    {
    }
    const RootSet roots;
    const Referrers referrers;
    const DominatorTree dominators;
    const RetentionPathFinder paths;
};

HeapContext::HeapContext(const HeapGraph& g)
    : owned_(std::make_unique<const Owned>(g))
    , graph(g)
    , roots(owned_->roots)
    , referrers(owned_->referrers)
    , dominators(owned_->dominators)
    , paths(owned_->paths)
    , namer(g)
    , byType_(g.typeNames.size())
    , namespaceDict_(g.objectCount(), 0)
{
    index();
}

HeapContext::HeapContext(
    const HeapGraph& g, const RootSet& r, const Referrers& refs, const DominatorTree& d, const RetentionPathFinder& p)
    : graph(g)
    , roots(r)
    , referrers(refs)
    , dominators(d)
    , paths(p)
    , namer(g)
    , byType_(g.typeNames.size())
    , namespaceDict_(g.objectCount(), 0)
{
    index();
}

HeapContext::~HeapContext() = default;

void HeapContext::index()
{
    const auto& g = graph;
    // Each type's list sized first: grown by doubling, they copied and touched about twice the memory.
    std::vector<std::size_t> ofType(g.typeNames.size(), 0);
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        ++ofType[g.type[o]];
    for (std::size_t t = 0; t < ofType.size(); ++t)
        byType_[t].reserve(ofType[t]);
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        byType_[g.type[o]].push_back(o);
    const auto dictLabels = g.stringIdsOf("__dict__");
    if (dictLabels.empty())
        return;
    for (ObjectId o = 0; o < g.objectCount(); ++o) {
        const auto targets = g.referents(o);
        const auto labels = g.referentLabels(o);
        for (std::size_t i = 0; i < targets.size(); ++i)
            if (std::find(dictLabels.begin(), dictLabels.end(), labels[i]) != dictLabels.end())
                namespaceDict_[targets[i]] = 1;
    }
}

const std::vector<ObjectId>& HeapContext::instancesOf(std::string_view typeName) const
{
    const auto it = std::find(graph.typeNames.begin(), graph.typeNames.end(), typeName);
    return it == graph.typeNames.end() ? kNone : byType_[static_cast<std::size_t>(it - graph.typeNames.begin())];
}

bool HeapContext::isNamespace(ObjectId id) const
{
    if (id >= graph.objectCount())
        return true; // the virtual root: everything's namespace
    const auto& type = graph.typeName(id);
    return namespaceDict_[id] || type == "module" || namer.isClass(id);
}

bool HeapContext::isCollection(ObjectId id) const
{
    return id < graph.objectCount() && !namespaceDict_[id] && isCollectionTypeName(graph.typeName(id));
}

} // namespace gcscope::report
