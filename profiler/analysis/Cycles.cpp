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
    std::vector<std::uint32_t> cyclic; // the components that are cycles
    for (std::uint32_t c = 0; c < count; ++c) {
        auto members = components.component(c);
        if (members.size() == 1 && !refersToItself(graph, members[0]))
            continue;
        cyclic.push_back(c);
        Cycle cycle;
        cycle.memberCount = members.size();
        for (ObjectId id : members) {
            cycle.totalSize += graph.size[id];
            cycle.hasFinalizer = cycle.hasFinalizer || graph.hasFinalizer(id);
        }
        cycle.types = countTypes(graph, members);
        cycle.unreachable = unreachable.contains(members[0]);
        report.cycles.push_back(std::move(cycle));
    }
    std::vector<std::uint32_t> order(report.cycles.size());
    for (std::uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    auto firstOf = [&](std::uint32_t i) { return components.component(cyclic[i])[0]; };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (report.cycles[a].totalSize != report.cycles[b].totalSize)
            return report.cycles[a].totalSize > report.cycles[b].totalSize;
        return firstOf(a) < firstOf(b);
    });
    std::vector<Cycle> sorted;
    sorted.reserve(order.size());
    for (std::uint32_t i : order) {
        Cycle cycle = std::move(report.cycles[i]);
        cycle.firstMember = report.memberList.size();
        const auto members = components.component(cyclic[i]);
        report.memberList.insert(report.memberList.end(), members.begin(), members.end());
        sorted.push_back(std::move(cycle));
    }
    report.cycles = std::move(sorted);
    return report;
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
