#include "report/SnapshotEvidence.h"

#include "report/Attribution.h"
#include "report/Format.h"
#include "util/release.h"

#include <algorithm>
#include <fmt/core.h>
#include <limits>
#include <map>
#include <unordered_map>

namespace gcscope::report {

using namespace analysis;

std::vector<std::uint32_t> SnapshotHistory::typeIdsOf(const std::vector<std::string>& typeNames)
{
    std::vector<std::uint32_t> ids(typeNames.size());
    for (std::size_t t = 0; t < typeNames.size(); ++t)
        ids[t] = typeIds_.try_emplace(typeNames[t], static_cast<std::uint32_t>(typeIds_.size())).first->second;
    return ids;
}

namespace {
std::uint32_t degreeOf(const HeapGraph& graph, ObjectId o)
{
    const auto degree = graph.edgeBegin[o + 1] - graph.edgeBegin[o];
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(degree, std::numeric_limits<std::uint32_t>::max()));
}
} // namespace

void SnapshotHistory::addEarlier(const HeapGraph& graph, std::int64_t takenNs)
{
    Snapshot s;
    s.takenNs = takenNs;
    s.typeIds = typeIdsOf(graph.typeNames);
    const auto& byAddress = graph.byAddress();
    const bool packs = graph.typeNames.size() <= (std::size_t { 1 } << snapshot::IdentityKey::kTypeBits)
        && std::all_of(graph.address.begin(), graph.address.end(),
            [](std::uint64_t address) { return snapshot::IdentityKey::fits(address, 0); });
    if (packs) {
        s.packed.reserve(byAddress.size());
        for (ObjectId o : byAddress)
            s.packed.push_back({ snapshot::IdentityKey::of(graph.address[o], graph.type[o]), degreeOf(graph, o) });
    } else {
        s.wide.reserve(byAddress.size());
        for (ObjectId o : byAddress)
            s.wide.push_back({ graph.address[o], s.typeIds[graph.type[o]], degreeOf(graph, o) });
        util::release(s.typeIds);
    }
    earlier_.push_back(std::move(s));
}

void SnapshotHistory::addEarlier(std::shared_ptr<const HeapGraph> graph, std::int64_t takenNs)
{
    Snapshot s;
    s.takenNs = takenNs;
    s.typeIds = typeIdsOf(graph->typeNames);
    s.graph = std::move(graph);
    earlier_.push_back(std::move(s));
}

void SnapshotHistory::addEarlier(
    std::vector<snapshot::ObjectIdentity> objects, const std::vector<std::string>& typeNames, std::int64_t takenNs)
{
    Snapshot s;
    s.takenNs = takenNs;
    s.typeIds = typeIdsOf(typeNames);
    s.packed = std::move(objects);
    earlier_.push_back(std::move(s));
}

SnapshotHistory::Entry SnapshotHistory::Snapshot::at(std::size_t k) const
{
    if (graph) {
        const ObjectId o = graph->byAddress()[k];
        return { graph->address[o], typeIds[graph->type[o]], degreeOf(*graph, o) };
    }
    if (packed.empty())
        return wide[k];
    const snapshot::ObjectIdentity& e = packed[k];
    return { e.address(), typeIds[e.type()], e.references };
}

std::optional<SnapshotHistory::Entry> SnapshotHistory::find(
    std::size_t i, std::uint64_t address, std::uint32_t type) const
{
    const Snapshot& s = earlier_[i];
    // The first position whose address is not below `address`, by halving (a partition point over
    // positions: clang 14 cannot compile libstdc++ 12's ranges over iota_view, and the fuzz build uses it).
    std::size_t first = 0;
    for (std::size_t count = s.size(); count > 0;) {
        const std::size_t half = count / 2;
        if (s.addressAt(first + half) < address) {
            first += half + 1;
            count -= half + 1;
        } else {
            count = half;
        }
    }
    return findNext(i, first, address, type); // at the first entry not below the address already
}

std::optional<SnapshotHistory::Entry> SnapshotHistory::findNext(
    std::size_t i, std::size_t& cursor, std::uint64_t address, std::uint32_t type) const
{
    const Snapshot& s = earlier_[i];
    const std::size_t size = s.size();
    while (cursor < size && s.addressAt(cursor) < address)
        ++cursor;
    if (cursor == size || s.addressAt(cursor) != address)
        return std::nullopt;
    const Entry e = s.at(cursor);
    return e.type == type ? std::optional<Entry>(e) : std::nullopt;
}

std::uint32_t SnapshotHistory::typeId(const std::string& name) const
{
    const auto it = typeIds_.find(name);
    return it == typeIds_.end() ? std::numeric_limits<std::uint32_t>::max() : it->second;
}

std::vector<std::uint8_t> SnapshotHistory::births(const analysis::HeapGraph& g) const
{
    const std::size_t n = earlier_.size() + 1;
    std::vector<std::uint8_t> birth(g.objectCount(), 0);
    if (n < 2 || n >= 0xff) // 0xff: unreachable, in suspectsFromSnapshots
        return birth;
    std::vector<std::uint32_t> typeIds(g.typeNames.size());
    for (std::size_t t = 0; t < g.typeNames.size(); ++t)
        typeIds[t] = typeId(g.typeNames[t]);
    // In address order, so that each earlier snapshot is read once, front to back.
    std::vector<std::size_t> cursors(n - 1, 0);
    for (analysis::ObjectId o : g.byAddress()) {
        std::size_t k = n - 1;
        while (k > 0 && findNext(k - 1, cursors[k - 1], g.address[o], typeIds[g.type[o]]))
            --k;
        birth[o] = static_cast<std::uint8_t>(k);
    }
    return birth;
}

namespace {

constexpr std::uint8_t kUnreachable = 0xff;

// A class of the user's, as far as a type name tells: defined in a module, and not one of the
// standard library's or the interpreter's own.
bool isUserClassName(const std::string& type)
{
    const auto dot = type.find('.');
    if (dot == std::string::npos)
        return false; // builtins are bare
    static const char* const kLibrary[] = { "collections", "weakref", "_weakrefset", "_thread", "threading", "asyncio",
        "functools", "re", "typing", "enum", "logging", "builtins", "_io", "io", "socket", "selectors", "queue",
        "contextlib", "abc", "_abc", "types", "dataclasses", "concurrent", "email", "http", "json", "encodings",
        "codecs", "_collections", "_functools", "itertools", "operator", "_asyncio", "ssl", "_ssl", "pathlib", "os",
        "posixpath", "sre_compile", "_sre", "importlib", "_frozen_importlib", "_frozen_importlib_external", "zipimport",
        "_contextvars", "decimal", "_decimal", "datetime", "uuid", "string", "warnings", "traceback", "linecache",
        "inspect", "ast", "dis", "tokenize", "subprocess", "signal", "select", "array", "_struct", "struct" };
    const std::string module = type.substr(0, type.find('.'));
    return std::none_of(std::begin(kLibrary), std::end(kLibrary), [&](const char* m) { return module == m; });
}

struct Group {
    std::vector<std::uint64_t> perInterval;
    std::uint64_t items = 0;
    std::uint64_t retained = 0;
    ObjectId representative = kNoObject; // the oldest item: it has stayed longest
    std::uint8_t representativeBirth = kUnreachable;
};

struct OwnerData {
    std::map<std::uint32_t, Group> groups; // by item type (graph type index)
    std::uint64_t items = 0; // of every type
    std::map<std::uint32_t, std::uint64_t> contents; // every new object under it, by type
};

std::string plural(std::uint64_t n, const char* one, const char* many)
{
    return n == 1 ? one : many;
}

} // namespace

std::vector<Suspect> suspectsFromSnapshots(const SnapshotHistory& history, const HeapContext& last,
    std::int64_t lastTakenNs, const EvidenceCriteria& c, const std::vector<std::uint8_t>* births)
{
    std::vector<Suspect> out;
    const auto& g = last.graph;
    const std::size_t n = history.earlierCount() + 1;
    if (n < 2 || n >= kUnreachable)
        return out;
    const std::size_t objects = g.objectCount();
    const auto& idom = last.dominators.idom;

    std::vector<std::uint32_t> typeIds(g.typeNames.size());
    for (std::size_t t = 0; t < g.typeNames.size(); ++t)
        typeIds[t] = history.typeId(g.typeNames[t]);

    // Births: the first snapshot of the unbroken run ending with the last one; only the reachable
    // objects count.
    std::vector<std::uint8_t> birth = births && births->size() == objects ? *births : history.births(g);
    for (ObjectId o = 0; o < objects; ++o)
        if (!last.dominators.isReachable(o))
            birth[o] = kUnreachable;

    const auto older = [&](ObjectId a, ObjectId than) { return a < objects && birth[a] < birth[than]; };
    // The owner of a new object, and whether the object is one of its items (held directly).
    const auto ownerOf = [&](ObjectId o, bool& item) -> ObjectId {
        ObjectId p = idom[o];
        for (int steps = 0; p < objects && !older(p, o) && steps < 256; ++steps)
            p = idom[p];
        if (p < objects && older(p, o) && last.isCollection(p)) {
            item = idom[o] == p;
            if (!item)
                for (ObjectId r : last.referrers.of(o))
                    item = item || r == p;
            return p;
        }
        for (ObjectId r : last.referrers.of(o))
            if (older(r, o) && last.isCollection(r)) {
                item = true;
                return r;
            }
        if (p < objects && older(p, o) && !last.isNamespace(p)) {
            item = idom[o] == p;
            return p;
        }
        return kNoObject;
    };

    std::unordered_map<ObjectId, OwnerData> owners;
    std::vector<std::uint64_t> newOfType(g.typeNames.size(), 0);
    for (ObjectId o = 0; o < objects; ++o) {
        if (birth[o] == kUnreachable || birth[o] == 0)
            continue;
        ++newOfType[g.type[o]];
        bool item = false;
        const ObjectId owner = ownerOf(o, item);
        if (owner == kNoObject)
            continue;
        auto& data = owners[owner];
        ++data.contents[g.type[o]];
        if (!item)
            continue;
        auto& group = data.groups[g.type[o]];
        if (group.perInterval.empty())
            group.perInterval.assign(n - 1, 0);
        ++group.perInterval[birth[o] - 1];
        ++group.items;
        ++data.items;
        group.retained += last.dominators.retained[o];
        if (birth[o] < group.representativeBirth) {
            group.representative = o;
            group.representativeBirth = birth[o];
        }
    }

    std::vector<std::int64_t> times;
    for (std::size_t i = 0; i + 1 < n; ++i)
        times.push_back(history.takenNs(i));
    times.push_back(lastTakenNs);
    const double windowS = static_cast<double>(lastTakenNs - times.front()) / 1e9;
    const double windowMin = std::max(windowS, 1e-3) / 60.0;

    for (const auto& [owner, data] : owners) {
        // The owner's references in every snapshot: it must have grown, and never shrunk much.
        std::vector<std::uint64_t> refs;
        const auto ownerType = typeIds[g.type[owner]];
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const auto e = ownerType == std::numeric_limits<std::uint32_t>::max()
                ? std::nullopt
                : history.find(i, g.address[owner], ownerType);
            refs.push_back(e ? e->references : 0);
        }
        refs.push_back(g.edgeBegin[owner + 1] - g.edgeBegin[owner]);
        const auto growth = static_cast<std::int64_t>(refs.back()) - static_cast<std::int64_t>(refs.front());
        if (growth <= 0 || static_cast<double>(growth) < c.minOwnerGrowth * static_cast<double>(data.items))
            continue;
        bool steadyOwner = true; // it grew in every interval: a cache that filled and then only churns did not
        for (std::size_t i = 1; i < refs.size(); ++i)
            if (refs[i] <= refs[i - 1])
                steadyOwner = false;
        if (!steadyOwner)
            continue;

        // The owner's groups that qualify; the one retaining most is the suspect, the others beside it.
        std::vector<std::pair<std::uint32_t, const Group*>> qualified;
        for (const auto& [type, group] : data.groups) {
            const bool everyInterval
                = std::all_of(group.perInterval.begin(), group.perInterval.end(), [](auto k) { return k > 0; });
            std::uint64_t kept = 0;
            for (std::size_t i = 0; i + 1 < group.perInterval.size(); ++i)
                kept += group.perInterval[i];
            const bool enough = group.items >= c.minCountDelta || group.retained >= c.minSizeDelta;
            if (everyInterval && enough && (n == 2 || kept > 0))
                qualified.emplace_back(type, &group);
        }
        if (qualified.empty())
            continue;
        std::stable_sort(qualified.begin(), qualified.end(),
            [](const auto& a, const auto& b) { return a.second->retained > b.second->retained; });
        const auto [type, group] = qualified.front();

        Suspect s;
        s.type = g.typeNames[type];
        s.evidence = "snapshots";
        s.countDelta = static_cast<std::int64_t>(group->items);
        s.sizeDelta = static_cast<std::int64_t>(group->retained);
        s.countPerMinute = static_cast<double>(group->items) / windowMin;
        s.sizePerMinute = static_cast<double>(group->retained) / windowMin;
        s.instances = last.instancesOf(s.type).size();
        s.retainedSize = group->retained;
        s.userClass = userClassOf(last, s.type);
        s.owner = ownerDescription(last, owner, s.ownerExpression);
        s.ownerType = g.typeName(owner);
        s.ownerAddress = g.address[owner];
        s.ownerShare = newOfType[type] ? static_cast<double>(group->items) / static_cast<double>(newOfType[type]) : 0;
        s.ownerMethod = "snapshots";
        if (group->representative != kNoObject)
            s.retentionPath = toPathSteps(last, group->representative);
        for (std::size_t i = 1; i < qualified.size(); ++i)
            s.companions.push_back(
                { g.typeNames[qualified[i].first], static_cast<std::int64_t>(qualified[i].second->items),
                    static_cast<std::int64_t>(qualified[i].second->retained), "held with" });

        SnapshotEvidence e;
        e.snapshots = static_cast<std::uint32_t>(n);
        e.confidence = n >= 3 ? "strong" : "weak";
        e.timesNs = times;
        e.newPerInterval = group->perInterval;
        for (std::size_t i = 0; i + 1 < group->perInterval.size(); ++i)
            e.kept += group->perInterval[i];
        e.newItems = group->items;
        e.newRetained = group->retained;
        e.ownerReferences = refs;
        e.ownerGrowth = growth;
        for (std::size_t i = 0; i < n; ++i)
            s.series.emplace_back(times[i], refs[i]);

        // What the items hold that the user wrote, when the item itself is a builtin kind.
        std::string holding;
        if (!isUserClassName(s.type)) {
            std::uint64_t best = 0;
            for (const auto& [t, count] : data.contents)
                if (t != type && isUserClassName(g.typeNames[t]) && count > best) {
                    best = count;
                    holding
                        = fmt::format(", holding {} {}", formatCount(static_cast<std::int64_t>(count)), g.typeNames[t]);
                }
            if (s.userClass.empty() && best > 0)
                for (const auto& [t, count] : data.contents)
                    if (count == best && isUserClassName(g.typeNames[t])) {
                        s.userClass = "holding " + g.typeNames[t];
                        break;
                    }
        }
        const std::string what
            = s.userClass.empty() || s.userClass.rfind("holding ", 0) == 0 ? s.type : s.type + " (" + s.userClass + ")";
        const std::string ownerGrew = fmt::format("{} holds them and grew from {} to {} references", s.owner,
            formatCount(static_cast<std::int64_t>(refs.front())), formatCount(static_cast<std::int64_t>(refs.back())));
        if (n >= 3)
            s.why = fmt::format("{} {} {} ({} retained{}) were added between the first and the last of {} snapshots "
                                "({:.0f} s apart), some in every interval, and are still alive, {} of them after more "
                                "than {:.0f} s: {}.",
                formatCount(s.countDelta), what, plural(group->items, "object", "objects"), formatBytes(s.sizeDelta),
                holding, n, windowS, formatCount(static_cast<std::int64_t>(e.kept)),
                static_cast<double>(lastTakenNs - times[n - 2]) / 1e9, ownerGrew);
        else
            s.why = fmt::format("{} {} {} ({} retained{}) were added between two snapshots {:.0f} s apart and are "
                                "still alive: {}. Two snapshots are weaker evidence than three: take one more to see "
                                "them stay.",
                formatCount(s.countDelta), what, plural(group->items, "object", "objects"), formatBytes(s.sizeDelta),
                holding, windowS, ownerGrew);
        s.snapshotEvidence = std::move(e);
        out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const Suspect& a, const Suspect& b) {
        if (a.retainedSize != b.retainedSize)
            return a.retainedSize > b.retainedSize;
        return a.type < b.type;
    });
    if (out.size() > c.maxSuspects)
        out.resize(c.maxSuspects);
    return out;
}

void mergeSnapshotSuspects(std::vector<Suspect>& suspects, std::vector<Suspect> fromSnapshots, std::size_t maxSuspects)
{
    for (auto& found : fromSnapshots) {
        Suspect* match = nullptr;
        for (auto& s : suspects)
            if (s.ownerAddress != 0 && s.ownerAddress == found.ownerAddress && s.type == found.type)
                match = &s;
        for (auto& s : suspects)
            if (!match && s.type == found.type)
                match = &s;
        for (auto& s : suspects)
            if (!match && s.ownerAddress != 0 && s.ownerAddress == found.ownerAddress)
                match = &s;
        for (auto& s : suspects)
            if (!match)
                for (const auto& companion : s.companions)
                    if (companion.type == found.type)
                        match = &s;
        if (!match) {
            suspects.push_back(std::move(found));
            continue;
        }
        match->evidence = "trend+snapshots";
        if (match->owner.empty()) {
            match->owner = found.owner;
            match->ownerExpression = found.ownerExpression;
            match->ownerType = found.ownerType;
            match->ownerAddress = found.ownerAddress;
            match->ownerShare = found.ownerShare;
            match->ownerMethod = found.ownerMethod;
            match->retentionPath = found.retentionPath;
        }
        const auto& e = *found.snapshotEvidence;
        match->why += found.type == match->type
            ? fmt::format(" The {} snapshots agree: {} of them appeared between snapshots and are still held by {}.",
                e.snapshots, formatCount(static_cast<std::int64_t>(e.newItems)), found.owner)
            : fmt::format(" The {} snapshots agree: {} {} objects appeared between snapshots and are still held by {}.",
                e.snapshots, formatCount(static_cast<std::int64_t>(e.newItems)), found.type, found.owner);
        match->snapshotEvidence = e;
    }
    sortSuspects(suspects);
    if (suspects.size() > maxSuspects)
        suspects.resize(maxSuspects);
}

std::vector<Accumulation> findAccumulations(const HeapContext& heap, const EvidenceCriteria& c)
{
    const auto& g = heap.graph;
    const auto& dom = heap.dominators;
    std::uint64_t reachableBytes = 0;
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        if (dom.isReachable(o))
            reachableBytes += g.size[o];
    // Only collections that retain enough can be listed: a few. Sorting every collection by
    // retained size was 2.4% of `gcscope report`'s time on a two-snapshot 10M-object file.
    const double least = c.minAccumulationShare * static_cast<double>(reachableBytes);
    std::vector<ObjectId> collections;
    for (ObjectId o = 0; o < g.objectCount(); ++o)
        if (dom.isReachable(o) && static_cast<double>(dom.retained[o]) >= least && heap.isCollection(o))
            collections.push_back(o);
    std::stable_sort(collections.begin(), collections.end(),
        [&](ObjectId a, ObjectId b) { return dom.retained[a] > dom.retained[b]; });
    std::vector<Accumulation> out;
    std::vector<ObjectId> picked;
    for (ObjectId o : collections) {
        if (out.size() >= c.maxAccumulations)
            break;
        bool inside = false;
        ObjectId p = dom.idom[o];
        for (int steps = 0; p < g.objectCount() && steps < 256 && !inside; ++steps, p = dom.idom[p])
            inside = std::find(picked.begin(), picked.end(), p) != picked.end();
        if (inside)
            continue;
        // A registry of modules or classes (sys.modules, a subclass list) holds the program itself,
        // not an accumulation of data: what it retains is everything else.
        ObjectId largestItem = kNoObject;
        for (ObjectId r : g.referents(o))
            if (dom.idom[r] == o && (largestItem == kNoObject || dom.retained[r] > dom.retained[largestItem]))
                largestItem = r;
        if (largestItem != kNoObject && heap.isNamespace(largestItem))
            continue;
        picked.push_back(o);
        Accumulation a;
        a.owner = ownerDescription(heap, o, a.ownerExpression);
        a.ownerType = g.typeName(o);
        a.ownerAddress = g.address[o];
        a.items = g.edgeBegin[o + 1] - g.edgeBegin[o];
        std::map<std::uint32_t, std::uint64_t> byType;
        for (ObjectId r : g.referents(o))
            if (dom.idom[r] == o)
                byType[g.type[r]] += dom.retained[r];
        const auto best = std::max_element(
            byType.begin(), byType.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
        if (best != byType.end())
            a.itemType = g.typeNames[best->first];
        a.retainedSize = dom.retained[o];
        a.share = reachableBytes ? static_cast<double>(a.retainedSize) / static_cast<double>(reachableBytes) : 0;
        a.retentionPath = toPathSteps(heap, o);
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace gcscope::report
