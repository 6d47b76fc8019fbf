#include "report/CyclicGarbage.h"

#include "analysis/Cycles.h"
#include "analysis/Roots.h"
#include "analysis/Unreachable.h"
#include "report/HeapContext.h"

#include <algorithm>
#include <unordered_map>

namespace gcscope::report {

using namespace analysis;

void GarbageTally::add(const HeapGraph& graph, std::int64_t timeNs, const RootSet* knownRoots)
{
    ++snapshots_;
    std::optional<RootSet> found;
    if (!knownRoots)
        knownRoots = &found.emplace(findRoots(graph));
    const auto unreachable = findUnreachable(graph, *knownRoots);
    // Counted by type index, named once per type: a name per object was a string map's look-up
    // for every tracked object (10M of them in a big heap).
    std::vector<std::uint64_t> liveOfType(graph.typeNames.size(), 0);
    for (ObjectId o = 0; o < graph.objectCount(); ++o)
        if (graph.isTracked(o) && !unreachable.contains(o))
            ++liveOfType[graph.type[o]];
    LiveCounts live { timeNs, {} };
    for (std::size_t t = 0; t < liveOfType.size(); ++t)
        if (liveOfType[t] != 0)
            live.byType[graph.typeNames[t]] += liveOfType[t];
    if (!firstLive_)
        firstLive_ = live;
    else
        lastLive_ = std::move(live);
    for (ObjectId o : unreachable.objects) {
        auto& t = byType_[graph.typeName(o)];
        ++t.objects;
        t.size += graph.size[o];
    }
    objects_ += unreachable.count();
    size_ += unreachable.totalSize;
    if (unreachable.count() == 0)
        return;

    const auto report = findCycles(graph, unreachable);
    for (const auto& cycle : report.cycles) {
        if (!cycle.unreachable)
            continue;
        std::string key;
        std::vector<std::pair<std::string, std::uint64_t>> types;
        for (const auto& t : cycle.types) {
            types.emplace_back(graph.typeNames[t.type], t.count);
            key += std::to_string(t.count) + " " + graph.typeNames[t.type] + ", ";
        }
        auto& g = groups_[key];
        g.types = std::move(types);
        ++g.cycles;
        g.objects += cycle.memberCount;
        g.size += cycle.totalSize;
        g.hasFinalizer = g.hasFinalizer || cycle.hasFinalizer;

        // Attribute a materialised instance __dict__'s references to the instance's type.
        const auto members = report.members(cycle);
        std::unordered_map<ObjectId, ObjectId> dictOwner;
        for (ObjectId m : members) {
            const auto targets = graph.referents(m);
            const auto labels = graph.referentLabels(m);
            for (std::size_t i = 0; i < targets.size(); ++i)
                if (isNameLabel(labels[i]) && graph.strings[labels[i]] == "__dict__")
                    dictOwner[targets[i]] = m;
        }
        for (ObjectId m : members) {
            const auto targets = graph.referents(m);
            const auto labels = graph.referentLabels(m);
            const auto owner = dictOwner.find(m);
            const ObjectId source = owner == dictOwner.end() ? m : owner->second;
            for (std::size_t i = 0; i < targets.size(); ++i) {
                if (!isNameLabel(labels[i]) || !report.inCycle(targets[i], cycle))
                    continue;
                const std::string_view name = graph.strings[labels[i]];
                if (name == "__dict__" || name == "__class__" || isContainerTypeName(graph.typeName(source)))
                    continue;
                const std::string edge = graph.typeName(source) + "." + std::string(name);
                ++g.edges[edge];
                if (!isContainerTypeName(graph.typeName(targets[i])))
                    ++g.directEdges[edge];
            }
        }
    }
}

std::optional<LiveGrowth> GarbageTally::liveGrowth() const
{
    if (!firstLive_ || !lastLive_ || lastLive_->timeNs <= firstLive_->timeNs)
        return std::nullopt;
    const double minutes = static_cast<double>(lastLive_->timeNs - firstLive_->timeNs) / 60e9;
    LiveGrowth g;
    for (const auto& [type, n] : lastLive_->byType) {
        const auto before = firstLive_->byType.find(type);
        const double delta
            = static_cast<double>(n) - (before == firstLive_->byType.end() ? 0.0 : static_cast<double>(before->second));
        g.perMinute[type] = delta / minutes;
    }
    for (const auto& [type, n] : firstLive_->byType)
        if (!lastLive_->byType.count(type))
            g.perMinute[type] = -static_cast<double>(n) / minutes;
    return g;
}

std::vector<TypeObjects> GarbageTally::byType() const
{
    std::vector<TypeObjects> out;
    for (const auto& [type, t] : byType_)
        out.push_back({ type, t.objects, t.size,
            objects_ ? static_cast<double>(t.objects) / static_cast<double>(objects_) : 0.0 });
    std::stable_sort(out.begin(), out.end(), [](const TypeObjects& a, const TypeObjects& b) {
        return a.objects != b.objects ? a.objects > b.objects : a.size > b.size;
    });
    return out;
}

std::vector<CycleGroup> GarbageTally::groups() const
{
    const auto byCount
        = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
    std::vector<CycleGroup> out;
    for (const auto& [key, g] : groups_) {
        CycleGroup c;
        c.types = g.types;
        c.cycles = g.cycles;
        c.objects = g.objects;
        c.size = g.size;
        c.hasFinalizer = g.hasFinalizer;
        c.edges.assign(g.edges.begin(), g.edges.end());
        std::stable_sort(c.edges.begin(), c.edges.end(), byCount);
        std::vector<std::pair<std::string, std::uint64_t>> direct(g.directEdges.begin(), g.directEdges.end());
        std::stable_sort(direct.begin(), direct.end(), byCount);
        if (!direct.empty())
            c.breakEdge = direct.front().first;
        else if (!c.edges.empty())
            c.breakEdge = c.edges.front().first;
        out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const CycleGroup& a, const CycleGroup& b) {
        return a.objects != b.objects ? a.objects > b.objects : a.size > b.size;
    });
    return out;
}

} // namespace gcscope::report
