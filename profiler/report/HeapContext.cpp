#include "report/HeapContext.h"

#include <algorithm>
#include <array>
#include <future>

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
    Owned(const HeapGraph& g, const DominatorSource& source)
        : roots(findRoots(g))
        , referrers(buildReferrers(g))
        , dominators(source ? source(roots) : computeDominators(g, roots))
        , paths(g, roots, referrers)
    {
    }
    const RootSet roots;
    const Referrers referrers;
    const DominatorTree dominators;
    const RetentionPathFinder paths;
};

struct HeapContext::Made {
    std::unique_ptr<const Owned> owned;
    std::unique_ptr<const GraphIndex> index;
};

GraphIndex::GraphIndex(const HeapGraph& g)
    : graph(g)
    , namer(g)
    , byType(g.typeNames.size())
    , namespaceDict(g.objectCount(), 0)
{
    // Each type's list sized first: grown by doubling, they copied and touched about twice the memory.
    std::vector<std::size_t> ofType(g.typeNames.size(), 0);
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        ++ofType[g.type[o]];
    for (std::size_t t = 0; t < ofType.size(); ++t)
        byType[t].reserve(ofType[t]);
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        byType[g.type[o]].push_back(o);
    const auto dictLabels = g.stringIdsOf("__dict__");
    if (dictLabels.empty())
        return;
    for (ObjectId o = 0; o < g.objectCount(); ++o) {
        const auto targets = g.referents(o);
        const auto labels = g.referentLabels(o);
        for (std::size_t i = 0; i < targets.size(); ++i)
            if (std::find(dictLabels.begin(), dictLabels.end(), labels[i]) != dictLabels.end())
                namespaceDict[targets[i]] = 1;
    }
}

HeapContext::HeapContext(const HeapGraph& g, const DominatorSource& dominators)
    : HeapContext(g, [&g, &dominators] {
        // The index beside the analyses: both read the graph only.
        auto index = std::async(std::launch::async, [&g] { return std::make_unique<const GraphIndex>(g); });
        auto owned = std::make_unique<const Owned>(g, dominators);
        return Made { std::move(owned), index.get() };
    }())
{
}

HeapContext::HeapContext(const HeapGraph& g, Made made)
    : owned_(std::move(made.owned))
    , index_(std::move(made.index))
    , graph(g)
    , roots(owned_->roots)
    , referrers(owned_->referrers)
    , dominators(owned_->dominators)
    , paths(owned_->paths)
    , namer(index_->namer)
{
}

HeapContext::HeapContext(const HeapGraph& g, const RootSet& r, const Referrers& refs, const DominatorTree& d,
    const RetentionPathFinder& p, std::unique_ptr<const GraphIndex> index)
    : index_(index && &index->graph == &g ? std::move(index) : std::make_unique<const GraphIndex>(g))
    , graph(g)
    , roots(r)
    , referrers(refs)
    , dominators(d)
    , paths(p)
    , namer(index_->namer)
{
}

HeapContext::~HeapContext() = default;

const std::vector<ObjectId>& HeapContext::instancesOf(std::string_view typeName) const
{
    const auto it = std::find(graph.typeNames.begin(), graph.typeNames.end(), typeName);
    return it == graph.typeNames.end() ? kNone : index_->byType[static_cast<std::size_t>(it - graph.typeNames.begin())];
}

bool HeapContext::isNamespace(ObjectId id) const
{
    if (id >= graph.objectCount())
        return true; // the virtual root: everything's namespace
    const auto& type = graph.typeName(id);
    return index_->namespaceDict[id] || type == "module" || namer.isClass(id);
}

bool HeapContext::isCollection(ObjectId id) const
{
    return id < graph.objectCount() && !index_->namespaceDict[id] && isCollectionTypeName(graph.typeName(id));
}

} // namespace gcscope::report
