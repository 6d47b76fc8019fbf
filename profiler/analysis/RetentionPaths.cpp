#include "analysis/RetentionPaths.h"

#include <algorithm>
#include <cstdio>

namespace gcscope::analysis {

RetentionPathFinder::RetentionPathFinder(const HeapGraph& graph, const RootSet& roots, const Referrers& referrers)
    : graph_(graph)
    , roots_(roots)
    , referrers_(referrers)
    , level_(graph.objectCount(), kUnreached)
    , parent_(graph.objectCount(), kNoObject)
{
    // The BFS queue is a vector read from the front: each object enters it once, level by level.
    std::vector<ObjectId> queue;
    queue.reserve(graph.objectCount());
    for (ObjectId root : roots.roots) {
        level_[root] = 0;
        queue.push_back(root);
    }
    std::uint32_t level = 0; // of queue[head]
    for (std::size_t head = 0, levelEnd = queue.size(); head < queue.size(); ++head) {
        if (head == levelEnd) {
            ++level;
            levelEnd = queue.size();
        }
        const ObjectId v = queue[head];
        const auto next = static_cast<std::uint8_t>(std::min<std::uint32_t>(level + 1, kFar));
        for (ObjectId w : graph.referents(v)) {
            if (level_[w] == kUnreached) {
                level_[w] = next;
                parent_[w] = v;
                queue.push_back(w);
            }
        }
    }
}

std::uint32_t RetentionPathFinder::distance(ObjectId id) const
{
    if (level_[id] == kUnreached)
        return kNoDistance;
    // Below kFar the byte is exact; beyond, each step up the BFS tree is one edge nearer a root.
    std::uint32_t steps = 0;
    for (; level_[id] == kFar; id = parent_[id])
        ++steps;
    return level_[id] + steps;
}

std::uint32_t RetentionPathFinder::firstEdgeLabel(ObjectId from, ObjectId to) const
{
    auto targets = graph_.referents(from);
    auto it = std::find(targets.begin(), targets.end(), to);
    return it == targets.end() ? kNoEdgeLabel
                               : graph_.referentLabels(from)[static_cast<std::size_t>(it - targets.begin())];
}

std::vector<PathStep> RetentionPathFinder::treePath(ObjectId last, ObjectId avoid) const
{
    std::vector<PathStep> steps;
    steps.reserve(distance(last) + 2);
    steps.push_back({ last, kNoEdgeLabel });
    for (ObjectId v = last; parent_[v] != kNoObject;) {
        const ObjectId up = parent_[v];
        if (up == avoid)
            return {};
        steps.push_back({ up, firstEdgeLabel(up, v) });
        v = up;
    }
    std::reverse(steps.begin(), steps.end());
    return steps;
}

RetentionPaths RetentionPathFinder::find(ObjectId target, std::size_t maxPaths) const
{
    RetentionPaths out;
    out.target = target;
    out.reachable = level_[target] != kUnreached;
    if (!out.reachable || maxPaths == 0)
        return out;
    if (roots_.isRoot(target))
        out.paths.push_back({ { { target, kNoEdgeLabel } } });

    // Distinct reachable referrers (the index lists them ascending, once per reference) with their
    // distances, nearest first.
    std::vector<std::pair<std::uint32_t, ObjectId>> holders;
    auto sources = referrers_.of(target);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const ObjectId r = sources[i];
        if (r != target && level_[r] != kUnreached && (i == 0 || sources[i - 1] != r))
            holders.push_back({ distance(r), r });
    }
    std::stable_sort(holders.begin(), holders.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

    for (const auto& [d, holder] : holders) {
        if (out.paths.size() >= maxPaths)
            break;
        // A tree path through the target itself would be a loop, not a reason; skip that holder.
        auto steps = treePath(holder, target);
        if (steps.empty())
            continue;
        steps.back().edgeLabel = firstEdgeLabel(holder, target);
        steps.push_back({ target, kNoEdgeLabel });
        out.paths.push_back({ std::move(steps) });
    }
    return out;
}

namespace {
std::string describeObject(const HeapGraph& graph, ObjectId id)
{
    char address[32];
    std::snprintf(address, sizeof address, "@0x%llx", static_cast<unsigned long long>(graph.address[id]));
    return graph.typeName(id) + address;
}
} // namespace

std::string describePath(const HeapGraph& graph, const RetentionPath& path)
{
    std::string out;
    for (const auto& step : path.steps) {
        out += describeObject(graph, step.object);
        if (&step == &path.steps.back())
            break;
        if (step.edgeLabel == kNoEdgeLabel)
            out += " --> ";
        else if (isIndexLabel(step.edgeLabel))
            out += " --" + graph.edgeLabelText(step.edgeLabel) + "--> ";
        else
            out += " --'" + graph.edgeLabelText(step.edgeLabel) + "'--> ";
    }
    return out;
}

std::string describePaths(const HeapGraph& graph, const RetentionPaths& paths)
{
    if (!paths.reachable)
        return "no path: unreachable";
    std::string out;
    for (const auto& path : paths.paths) {
        if (!out.empty())
            out += '\n';
        out += describePath(graph, path);
    }
    return out;
}

} // namespace gcscope::analysis
