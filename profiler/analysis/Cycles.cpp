#include "analysis/Cycles.h"

#include <algorithm>

namespace gcscope::analysis {

namespace {
bool refersToItself(const HeapGraph& graph, ObjectId id)
{
    auto targets = graph.referents(id);
    return std::find(targets.begin(), targets.end(), id) != targets.end();
}

std::vector<TypeCount> countTypes(const HeapGraph& graph, std::span<const ObjectId> members)
{
    std::vector<std::uint32_t> types;
    types.reserve(members.size());
    for (ObjectId id : members)
        types.push_back(graph.type[id]);
    std::sort(types.begin(), types.end());
    std::vector<TypeCount> out;
    for (std::size_t i = 0; i < types.size();) {
        std::size_t j = i;
        while (j < types.size() && types[j] == types[i])
            ++j;
        out.push_back({ types[i], j - i });
        i = j;
    }
    std::stable_sort(out.begin(), out.end(), [](const TypeCount& a, const TypeCount& b) { return a.count > b.count; });
    return out;
}
} // namespace

CycleReport findCycles(const HeapGraph& graph, const UnreachableSet& unreachable)
{
    return findCycles(graph, findStronglyConnectedComponents(graph), unreachable);
}

CycleReport findCycles(
    const HeapGraph& graph, StronglyConnectedComponents components, const UnreachableSet& unreachable)
{
    CycleReport report;
    const auto count = components.componentCount();
    report.componentCount = count;
    for (std::uint32_t c = 0; c < count; ++c) {
        auto members = components.component(c);
        if (members.size() == 1 && !refersToItself(graph, members[0]))
            continue;
        Cycle cycle;
        cycle.firstMember = c; // the component, until the members are copied below
        cycle.memberCount = members.size();
        for (ObjectId id : members) {
            cycle.totalSize += graph.size[id];
            cycle.hasFinalizer = cycle.hasFinalizer || graph.hasFinalizer(id);
        }
        cycle.types = countTypes(graph, members);
        cycle.unreachable = unreachable.contains(members[0]);
        report.cycles.push_back(std::move(cycle));
    }
    auto firstOf
        = [&](const Cycle& cycle) { return components.component(static_cast<std::uint32_t>(cycle.firstMember))[0]; };
    std::sort(report.cycles.begin(), report.cycles.end(), [&](const Cycle& a, const Cycle& b) {
        if (a.totalSize != b.totalSize)
            return a.totalSize > b.totalSize;
        return firstOf(a) < firstOf(b);
    });
    for (Cycle& cycle : report.cycles) {
        const auto members = components.component(static_cast<std::uint32_t>(cycle.firstMember));
        cycle.firstMember = report.memberList.size();
        report.memberList.insert(report.memberList.end(), members.begin(), members.end());
    }
    return report;
}

void orderGarbageFirst(CycleReport& report)
{
    std::stable_sort(report.cycles.begin(), report.cycles.end(), [](const Cycle& a, const Cycle& b) {
        if (a.unreachable != b.unreachable)
            return a.unreachable;
        if (a.hasFinalizer != b.hasFinalizer)
            return a.hasFinalizer;
        return a.totalSize > b.totalSize;
    });
}

bool CycleReport::inCycle(ObjectId id, const Cycle& cycle) const
{
    const auto m = members(cycle);
    return std::binary_search(m.begin(), m.end(), id);
}

const Cycle* CycleReport::cycleOf(ObjectId id) const
{
    for (const Cycle& cycle : cycles)
        if (inCycle(id, cycle))
            return &cycle;
    return nullptr;
}

} // namespace gcscope::analysis
