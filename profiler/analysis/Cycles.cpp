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
    report.components = std::move(components);
    const auto count = report.components.componentCount();
    for (std::uint32_t c = 0; c < count; ++c) {
        auto members = report.components.component(c);
        if (members.size() == 1 && !refersToItself(graph, members[0]))
            continue;
        Cycle cycle;
        cycle.component = c;
        cycle.memberCount = members.size();
        for (ObjectId id : members) {
            cycle.totalSize += graph.size[id];
            cycle.hasFinalizer = cycle.hasFinalizer || graph.hasFinalizer(id);
        }
        cycle.types = countTypes(graph, members);
        cycle.unreachable = unreachable.contains(members[0]);
        report.cycles.push_back(std::move(cycle));
    }
    std::sort(report.cycles.begin(), report.cycles.end(), [&](const Cycle& a, const Cycle& b) {
        if (a.totalSize != b.totalSize)
            return a.totalSize > b.totalSize;
        return report.members(a)[0] < report.members(b)[0];
    });
    return report;
}

} // namespace gcscope::analysis
