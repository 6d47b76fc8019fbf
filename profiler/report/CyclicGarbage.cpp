#include "report/CyclicGarbage.h"

#include "analysis/Cycles.h"
#include "analysis/Roots.h"
#include "analysis/Unreachable.h"
#include "report/HeapContext.h"
#include "report/MemoryGrowth.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

namespace gcscope::report {

using namespace analysis;

SnapshotGarbage summarizeGarbage(const HeapGraph& graph, const RootSet* knownRoots)
{
    SnapshotGarbage out;
    const auto totals = totalsOf(graph, 0);
    out.bytes = totals.bytes;
    out.untrackedBytes = totals.untrackedBytes;
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
    for (std::size_t t = 0; t < liveOfType.size(); ++t)
        if (liveOfType[t] != 0)
            out.liveByType[graph.typeNames[t]] += liveOfType[t];
    for (ObjectId o : unreachable.objects) {
        auto& t = out.byType[graph.typeName(o)];
        ++t.objects;
        t.size += graph.size[o];
    }
    out.objects = unreachable.count();
    out.size = unreachable.totalSize;
    if (unreachable.count() == 0)
        return out;

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
        auto& g = out.groups[key];
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
    return out;
}

namespace {
using json = nlohmann::json;

json countsJson(const std::map<std::string, std::uint64_t>& counts)
{
    json out = json::object();
    for (const auto& [name, n] : counts)
        out[name] = n;
    return out;
}

// A JSON count: an unsigned integer, else the summary is not one of ours.
std::uint64_t countOf(const json& value)
{
    if (!value.is_number_unsigned())
        throw std::invalid_argument("not a count");
    return value.get<std::uint64_t>();
}

std::map<std::string, std::uint64_t> countsOf(const json& value)
{
    if (!value.is_object())
        throw std::invalid_argument("not an object");
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, n] : value.items())
        out[name] = countOf(n);
    return out;
}

// The key a shape is tallied under: "2 __main__.A, 1 list, ".
std::string shapeKey(const std::vector<std::pair<std::string, std::uint64_t>>& types)
{
    std::string key;
    for (const auto& [name, n] : types)
        key += std::to_string(n) + " " + name + ", ";
    return key;
}
} // namespace

std::string encodeGarbage(const SnapshotGarbage& g)
{
    json byType = json::object();
    for (const auto& [name, t] : g.byType)
        byType[name] = json::array({ t.objects, t.size });
    json cycles = json::array();
    for (const auto& [key, c] : g.groups) {
        json types = json::array();
        for (const auto& [name, n] : c.types)
            types.push_back(json::array({ name, n }));
        cycles.push_back({ { "types", std::move(types) }, { "cycles", c.cycles }, { "objects", c.objects },
            { "bytes", c.size }, { "finalizer", c.hasFinalizer }, { "edges", countsJson(c.edges) },
            { "direct_edges", countsJson(c.directEdges) } });
    }
    const json out { { "bytes", g.bytes }, { "untracked_bytes", g.untrackedBytes },
        { "live", countsJson(g.liveByType) },
        { "garbage", { { "objects", g.objects }, { "bytes", g.size }, { "by_type", std::move(byType) } } },
        { "cycles", std::move(cycles) } };
    return out.dump(-1, ' ', false, json::error_handler_t::replace); // a type or key name need not be UTF-8
}

std::optional<SnapshotGarbage> decodeGarbage(std::string_view text)
{
    try {
        const json in = json::parse(text);
        SnapshotGarbage g;
        g.bytes = countOf(in.at("bytes"));
        g.untrackedBytes = countOf(in.at("untracked_bytes"));
        g.liveByType = countsOf(in.at("live"));
        const json& garbage = in.at("garbage");
        g.objects = countOf(garbage.at("objects"));
        g.size = countOf(garbage.at("bytes"));
        const json& byType = garbage.at("by_type");
        if (!byType.is_object())
            return std::nullopt;
        for (const auto& [name, t] : byType.items()) {
            if (!t.is_array() || t.size() != 2)
                return std::nullopt;
            g.byType[name] = { countOf(t[0]), countOf(t[1]) };
        }
        const json& cycles = in.at("cycles");
        if (!cycles.is_array())
            return std::nullopt;
        for (const json& c : cycles) {
            SnapshotGarbage::Group group;
            const json& types = c.at("types");
            if (!types.is_array() || types.empty())
                return std::nullopt;
            for (const json& t : types) {
                if (!t.is_array() || t.size() != 2 || !t[0].is_string())
                    return std::nullopt;
                group.types.emplace_back(t[0].get<std::string>(), countOf(t[1]));
            }
            group.cycles = countOf(c.at("cycles"));
            group.objects = countOf(c.at("objects"));
            group.size = countOf(c.at("bytes"));
            if (!c.at("finalizer").is_boolean())
                return std::nullopt;
            group.hasFinalizer = c.at("finalizer").get<bool>();
            group.edges = countsOf(c.at("edges"));
            group.directEdges = countsOf(c.at("direct_edges"));
            if (!g.groups.emplace(shapeKey(group.types), std::move(group)).second)
                return std::nullopt; // one shape twice
        }
        return g;
    } catch (const std::exception&) { // not JSON, a member missing or of another kind
        return std::nullopt;
    }
}

void GarbageTally::add(const HeapGraph& graph, std::int64_t timeNs, const RootSet* knownRoots)
{
    add(summarizeGarbage(graph, knownRoots), timeNs);
}

void GarbageTally::add(const SnapshotGarbage& garbage, std::int64_t timeNs)
{
    ++snapshots_;
    LiveCounts live { timeNs, garbage.liveByType };
    if (!firstLive_)
        firstLive_ = std::move(live);
    else
        lastLive_ = std::move(live);
    for (const auto& [type, t] : garbage.byType) {
        auto& total = byType_[type];
        total.objects += t.objects;
        total.size += t.size;
    }
    objects_ += garbage.objects;
    size_ += garbage.size;
    for (const auto& [key, g] : garbage.groups) {
        auto& total = groups_[key];
        total.types = g.types;
        total.cycles += g.cycles;
        total.objects += g.objects;
        total.size += g.size;
        total.hasFinalizer = total.hasFinalizer || g.hasFinalizer;
        for (const auto& [edge, n] : g.edges)
            total.edges[edge] += n;
        for (const auto& [edge, n] : g.directEdges)
            total.directEdges[edge] += n;
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
