#include "report/Suspects.h"

#include "report/Attribution.h"
#include "report/Format.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/core.h>
#include <map>
#include <set>
#include <span>
#include <string_view>

namespace gcscope::report {

using namespace analysis;

namespace {

struct Candidate {
    TypeGrowth* growth = nullptr;
    bool sizeOnly = false;
    std::string partOf; // the candidate type it hangs inside, "" if none
    std::string relation;
    OwnerResult owner;
    ObjectId largest = kNoObject; // size-only: the largest instance
    bool head = true;
    std::string foldedInto;
    bool garbage = false; // most instances in the snapshot are unreachable: not a leak
};

bool isWeakReferenceType(const std::string& type)
{
    return type == "weakref.ReferenceType" || type == "weakref.KeyedRef" || type == "weakref.ProxyType"
        || type == "weakref.CallableProxyType";
}

bool isCandidate(const TypeGrowth& g, const SuspectCriteria& c, bool& sizeOnly)
{
    sizeOnly = false;
    if (g.countTrend.growing
        && (g.countDelta >= static_cast<std::int64_t>(c.minCountDelta)
            || (g.countDelta > 0 && g.sizeDelta >= static_cast<std::int64_t>(c.minSizeDelta))))
        return true;
    if (!g.countTrend.growing && g.sizeTrend.growing && g.sizeDelta >= static_cast<std::int64_t>(c.minSizeOnlyDelta)) {
        sizeOnly = true;
        return true;
    }
    return false;
}

std::string companionText(const std::vector<Companion>& companions)
{
    std::string out;
    for (std::size_t i = 0; i < companions.size() && i < 4; ++i)
        out += (i ? ", " : "") + companions[i].type;
    if (companions.size() > 4)
        out += ", ...";
    return out;
}

// The class most of a sample of `instances` lead to through `edge` (outgoing, or incoming when
// `incoming`), when at least half of them do; "" otherwise.
std::string mostCommonClassBy(
    const HeapContext& heap, std::span<const ObjectId> instances, std::string_view edge, bool incoming)
{
    std::map<std::string, std::size_t> classes;
    const auto sample = spreadSample(instances, 200);
    for (ObjectId o : sample) {
        const auto neighbours = incoming ? referrersOf(heap.graph, heap.referrers, o) : referentsOf(heap.graph, o);
        for (const auto& n : neighbours)
            if (heap.graph.edgeLabelText(n.label) == edge) {
                ++classes[heap.graph.typeName(n.object)];
                break;
            }
    }
    const auto best = std::max_element(
        classes.begin(), classes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return best != classes.end() && best->second * 2 >= sample.size() ? best->first : std::string();
}

} // namespace

std::string ownerDescription(const HeapContext& heap, ObjectId owner, std::string& expression)
{
    expression = heap.namer.expression(owner);
    const auto& type = heap.graph.typeName(owner);
    if (expression.empty())
        expression = fmt::format("<{} at 0x{:x}>", type, heap.graph.address[owner]);
    return expression + " (" + type + ")";
}

std::string userClassOf(const HeapContext& heap, const std::string& type)
{
    const auto& instances = heap.instancesOf(type);
    if (instances.empty())
        return {};
    if (type == "method")
        if (auto cls = mostCommonClassBy(heap, instances, "__self__", false); !cls.empty())
            return "bound methods of " + cls;
    if (type == "dict")
        if (auto cls = mostCommonClassBy(heap, instances, "__dict__", true);
            !cls.empty() && cls != "type" && cls != "module")
            return "__dict__ of " + cls + " instances";
    // Frames by their function and line ("handle:42", or "handle at several lines"), functions,
    // generators and coroutines by their qualified name ("handle.<locals>.on_done").
    if (type == "frame" || type == "function" || type == "generator" || type == "coroutine"
        || type == "async_generator") {
        const auto sample = spreadSample(instances, 200);
        const auto commonest = [&](bool stripLine) {
            std::map<std::string, std::size_t> labels;
            for (ObjectId o : sample) {
                std::string label(heap.graph.labelText(o));
                if (stripLine)
                    label = label.substr(0, label.rfind(':'));
                if (!label.empty())
                    ++labels[label];
            }
            const auto best = std::max_element(
                labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
            return best != labels.end() && best->second * 2 >= sample.size() ? best->first : std::string();
        };
        if (auto label = commonest(false); !label.empty())
            return label;
        if (type == "frame")
            if (auto function = commonest(true); !function.empty())
                return function + " at several lines";
    }
    return {};
}

namespace {

std::string whyOf(const Suspect& s, bool haveHeap)
{
    std::string why;
    const std::string what = s.userClass.empty() ? s.type : s.type + " (" + s.userClass + ")";
    if (s.sizeOnly)
        why = fmt::format("{} objects did not become more numerous but grew by {} ({}/min)", what,
            formatSignedBytes(s.sizeDelta), formatBytes(static_cast<std::int64_t>(s.sizePerMinute)));
    else
        why = fmt::format("{} new {} objects ({}) were added at a steady {}/min and not freed",
            formatCount(s.countDelta), what, formatSignedBytes(s.sizeDelta), formatNumber(s.countPerMinute));
    if (!s.companions.empty())
        why += fmt::format(", together with their {}", companionText(s.companions));
    if (!s.owner.empty()) {
        if (s.sizeOnly)
            why += fmt::format(": {} keeps getting longer.", s.owner);
        else
            why += fmt::format(": {} holds {} of them.", s.owner,
                s.ownerShare >= 0.995 ? std::string("all") : formatPercent(s.ownerShare));
    } else if (haveHeap) {
        why += "; no single container holds most of them (see the retention path).";
    } else {
        why += "; take a heap snapshot (--snapshot-at-end) to see what holds them.";
    }
    return why;
}

} // namespace

std::vector<PathStep> toPathSteps(const HeapContext& heap, ObjectId target)
{
    std::vector<PathStep> out;
    const auto found = heap.paths.find(target, 1);
    if (!found.reachable || found.paths.empty())
        return out;
    for (const auto& step : found.paths.front().steps) {
        PathStep s;
        s.type = heap.graph.typeName(step.object);
        s.label = heap.graph.labelText(step.object);
        if (step.edgeLabel != kNoEdgeLabel)
            s.edge = heap.graph.edgeLabelText(step.edgeLabel);
        s.address = heap.graph.address[step.object];
        s.root = heap.roots.isRoot(step.object);
        if (out.empty()) {
            // Name where the path starts: a module's globals dict is a root of its own, and "dict" alone
            // would not say which.
            s.name = heap.namer.expression(step.object);
            if (!s.name.empty() && heap.isNamespace(step.object) && s.type == "dict")
                s.name += ".__dict__";
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Suspect> findSuspects(std::vector<TypeGrowth>& growth, const HeapContext* heap, const SuspectCriteria& c,
    const EarlierSizes* earlier, const LiveGrowth* live)
{
    std::map<std::string, Candidate> candidates;
    for (auto& g : growth) {
        bool sizeOnly = false;
        if (isCandidate(g, c, sizeOnly)) {
            Candidate cand { &g, sizeOnly };
            cand.garbage = live && !sizeOnly && live->of(g.type) < c.minLiveShare * g.countTrend.slopePerMinute;
            candidates[g.type] = cand;
        }
    }

    if (heap) {
        // Which snapshot types may enclose others: the non-container count candidates.
        std::vector<std::uint8_t> enclosing(heap->graph.typeNames.size(), 0);
        for (std::size_t t = 0; t < heap->graph.typeNames.size(); ++t) {
            const auto it = candidates.find(heap->graph.typeNames[t]);
            enclosing[t] = it != candidates.end() && !it->second.sizeOnly && !isContainerTypeName(it->first);
        }
        for (auto& [type, cand] : candidates) {
            const auto& instances = heap->instancesOf(type);
            if (instances.empty() || cand.garbage)
                continue;
            if (!cand.sizeOnly && !live) {
                // Growth that is mostly garbage waiting for the collector (the census counts it until a
                // collection runs) is cyclic churn, not a leak.
                const auto reachable = static_cast<std::int64_t>(std::count_if(
                    instances.begin(), instances.end(), [&](ObjectId o) { return heap->dominators.isReachable(o); }));
                if (2 * reachable < cand.growth->countDelta) {
                    cand.garbage = true;
                    continue;
                }
            }
            const double newShare = std::min(
                1.0, static_cast<double>(std::max<std::int64_t>(cand.growth->countDelta, 0)) / instances.size());
            if (!cand.sizeOnly) {
                const auto enc = enclosingType(*heap, instances, enclosing, c.ownerSample);
                if (enc.type != UINT32_MAX
                    && static_cast<double>(enc.votes)
                        >= c.ownerMajority * newShare * static_cast<double>(enc.sampled)) {
                    cand.partOf = heap->graph.typeNames[enc.type];
                    continue;
                }
                cand.owner = findOwner(*heap,
                    { instances, static_cast<std::uint64_t>(std::max<std::int64_t>(cand.growth->countDelta, 0)),
                        c.ownerMajority, c.ownerSample, earlier });
            } else {
                for (ObjectId o : instances)
                    if (cand.largest == kNoObject || heap->graph.size[o] > heap->graph.size[cand.largest])
                        cand.largest = o;
            }
        }
        // Fold: "part of" (transitively), containers that wrap a non-container's instances in the same
        // owner, and size-only types whose growing instance is another suspect's owner.
        for (auto& [type, cand] : candidates) {
            if (cand.partOf.empty())
                continue;
            // Follow "part of" out to the candidate that hangs inside no other one.
            std::string target = cand.partOf;
            std::set<std::string> seen { type };
            bool loop = false;
            for (;;) {
                seen.insert(target);
                const auto& next = candidates.at(target).partOf;
                if (next.empty())
                    break;
                if (seen.count(next)) {
                    loop = true; // instances inside each other both ways: keep them apart
                    break;
                }
                target = next;
            }
            if (!loop) {
                cand.head = false;
                cand.foldedInto = target;
                cand.relation = "part of";
            }
        }
        for (auto& [type, cand] : candidates) {
            if (!cand.head)
                continue;
            for (auto& [otherType, other] : candidates) {
                if (&other == &cand || !other.head || other.garbage || isContainerTypeName(otherType) || other.sizeOnly
                    || other.owner.owner == kNoObject)
                    continue;
                const bool wraps = !cand.sizeOnly && isContainerTypeName(type) && cand.owner.owner == other.owner.owner;
                const bool isOwner = cand.sizeOnly && cand.largest == other.owner.owner;
                if (wraps || isOwner) {
                    cand.head = false;
                    cand.foldedInto = otherType;
                    cand.relation = wraps ? "wraps" : "owner";
                    break;
                }
            }
        }
    }

    // A weak reference lives as long as its referent in a WeakSet or WeakValueDictionary (asyncio's
    // set of all tasks, for one), but refers to it without an edge: fold a growing number of them
    // into the suspect whose growth they match (within 25%).
    for (auto& [type, cand] : candidates) {
        if (!cand.head || cand.garbage || !isWeakReferenceType(type))
            continue;
        const Candidate* match = nullptr;
        for (const auto& [otherType, other] : candidates)
            if (other.head && !other.garbage && !other.sizeOnly && !isWeakReferenceType(otherType)
                && std::abs(other.growth->countDelta - cand.growth->countDelta) * 4 <= other.growth->countDelta
                && (!match || other.growth->countDelta > match->growth->countDelta)) {
                match = &other;
                cand.foldedInto = otherType;
            }
        if (match) {
            cand.head = false;
            cand.relation = "weak references to";
        }
    }

    std::vector<Suspect> suspects;
    std::map<std::string, std::size_t> index;
    for (auto& [type, cand] : candidates) {
        if (!cand.head || cand.garbage)
            continue;
        const auto& g = *cand.growth;
        Suspect s;
        s.type = type;
        s.countDelta = g.countDelta;
        s.sizeDelta = g.sizeDelta;
        s.countPerMinute = g.countTrend.slopePerMinute;
        s.sizePerMinute = g.sizeTrend.slopePerMinute;
        s.sizeOnly = cand.sizeOnly;
        s.trend = cand.sizeOnly ? g.sizeTrend : g.countTrend;
        if (heap) {
            const auto& instances = heap->instancesOf(type);
            s.instances = instances.size();
            s.retainedSize = retainedSizeOf(*heap, instances);
            s.userClass = userClassOf(*heap, type);
            ObjectId owner = cand.sizeOnly ? cand.largest : cand.owner.owner;
            ObjectId representative = cand.owner.representative;
            if (owner != kNoObject) {
                s.owner = ownerDescription(*heap, owner, s.ownerExpression);
                s.ownerType = heap->graph.typeName(owner);
                s.ownerAddress = heap->graph.address[owner];
                s.ownerShare = cand.sizeOnly ? 1.0 : cand.owner.share;
                s.ownerMethod = cand.sizeOnly ? "largest instance" : cand.owner.method;
            }
            if (cand.sizeOnly)
                representative = owner;
            if (representative == kNoObject) { // no owner: the instance farthest from the roots
                std::uint32_t best = 0;
                for (ObjectId o : spreadSample(instances, c.ownerSample)) {
                    const auto d = heap->paths.distance(o);
                    if (d != kNoDistance && (representative == kNoObject || d > best)) {
                        representative = o;
                        best = d;
                    }
                }
            }
            if (representative != kNoObject)
                s.retentionPath = toPathSteps(*heap, representative);
        }
        index[type] = suspects.size();
        suspects.push_back(std::move(s));
    }
    for (auto& [type, cand] : candidates)
        if (!cand.head && index.count(cand.foldedInto))
            suspects[index[cand.foldedInto]].companions.push_back(
                { type, cand.growth->countDelta, cand.growth->sizeDelta, cand.relation });
    for (auto& s : suspects) {
        std::stable_sort(s.companions.begin(), s.companions.end(),
            [](const Companion& a, const Companion& b) { return a.sizeDelta > b.sizeDelta; });
        s.why = whyOf(s, heap != nullptr);
    }
    sortSuspects(suspects);
    if (suspects.size() > c.maxSuspects)
        suspects.resize(c.maxSuspects);
    markSuspects(growth, suspects);
    return suspects;
}

void sortSuspects(std::vector<Suspect>& suspects)
{
    std::stable_sort(suspects.begin(), suspects.end(), [](const Suspect& a, const Suspect& b) {
        if (a.retainedSize != b.retainedSize)
            return a.retainedSize > b.retainedSize;
        return a.sizeDelta > b.sizeDelta;
    });
}

void markSuspects(std::vector<TypeGrowth>& growth, const std::vector<Suspect>& suspects)
{
    std::set<std::string> named;
    for (const auto& s : suspects) {
        named.insert(s.type);
        for (const auto& comp : s.companions)
            named.insert(comp.type);
    }
    for (auto& g : growth)
        g.suspect = named.count(g.type) != 0;
}

} // namespace gcscope::report
