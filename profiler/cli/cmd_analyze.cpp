// Analyses of stored heap snapshots: `diff`, `cycles`, `paths`, `top`. Their JSON shapes are a
// public contract, documented in docs/cli-json.md.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "analysis/Cycles.h"
#include "analysis/Diff.h"
#include "analysis/Dominators.h"
#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"
#include "analysis/Unreachable.h"
#include "snapshot/kept_dominators.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <cstdio>
#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace gcscope::cli {
namespace {

using nlohmann::json;
using namespace gcscope::analysis;

std::string hexAddress(std::uint64_t a)
{
    return fmt::format("0x{:x}", a);
}

// The snapshot the user named, or the newest one.
std::int64_t pickSnapshot(const storage::Database& db, std::optional<std::int64_t> wanted)
{
    const auto snapshots = storage::Reader(db).snapshots();
    if (snapshots.empty())
        throw std::runtime_error(db.path() + ": holds no snapshots (take one with 'gcscope snapshot')");
    if (!wanted)
        return snapshots.back().id;
    for (const auto& s : snapshots)
        if (s.id == *wanted)
            return s.id;
    throw std::runtime_error(db.path() + ": no snapshot " + std::to_string(*wanted));
}

json objectJson(const HeapGraph& g, ObjectId id)
{
    return { { "address", hexAddress(g.address[id]) }, { "type", g.typeName(id) }, { "label", g.labelText(id) },
        { "size", g.size[id] }, { "refcount", g.isImmortal(id) ? json(nullptr) : json(g.refcount[id]) },
        { "immortal", g.isImmortal(id) } };
}

std::string shortLabel(const HeapGraph& g, ObjectId id)
{
    const std::string_view l = g.labelText(id);
    return (l.empty() ? std::string() : " " + std::string(l)) + (g.isImmortal(id) ? " [immortal]" : "");
}

// ---- diff ----
int runDiff(const std::string& path, std::optional<std::int64_t> from, std::optional<std::int64_t> to, bool asJson,
    std::size_t limit)
{
    auto db = storage::Database::openForReading(path);
    const auto snapshots = storage::Reader(db).snapshots();
    if (snapshots.empty())
        throw std::runtime_error(path + ": holds no snapshots (take one with 'gcscope snapshot')");
    const std::int64_t toId = pickSnapshot(db, to);
    std::optional<std::int64_t> fromId = from;
    if (!fromId && snapshots.size() > 1 && snapshots.front().id != toId)
        fromId = snapshots.front().id;
    if (fromId)
        pickSnapshot(db, fromId); // validates it
    TypeCensus before;
    if (fromId)
        before = snapshot::loadCensus(db, *fromId);
    const auto rows = diffCensus(before, snapshot::loadCensus(db, toId));
    if (asJson) {
        json types = json::array();
        for (const auto& r : rows)
            types.push_back({ { "type", r.type }, { "count_from", r.countFrom }, { "count_to", r.countTo },
                { "count_delta", r.countDelta }, { "size_from", r.sizeFrom }, { "size_to", r.sizeTo },
                { "size_delta", r.sizeDelta } });
        json out { { "from", fromId ? json(*fromId) : json(nullptr) }, { "to", toId }, { "types", types } };
        fmt::print("{}\n", out.dump(2));
        return kOk;
    }
    fmt::print("Snapshot {} -> {} (by size growth)\n", fromId ? std::to_string(*fromId) : "(empty)", toId);
    fmt::print("{:<50} {:>10} {:>10} {:>12} {:>12}\n", "TYPE", "COUNT", "Δ COUNT", "SIZE", "Δ SIZE");
    std::size_t shown = 0;
    for (const auto& r : rows) {
        if (r.countDelta == 0 && r.sizeDelta == 0)
            continue;
        if (++shown > limit)
            break;
        fmt::print("{:<50} {:>10} {:>+10} {:>12} {:>12}\n", r.type.substr(0, 50), r.countTo, r.countDelta,
            formatBytes(static_cast<long long>(r.sizeTo)),
            (r.sizeDelta >= 0 ? "+" : "-") + formatBytes(std::llabs(r.sizeDelta)));
    }
    if (shown == 0)
        fmt::print("no change\n");
    return kOk;
}

// ---- cycles ----
int runCycles(const std::string& path, std::optional<std::int64_t> wanted, bool asJson, std::size_t limit)
{
    auto db = storage::Database::openForReading(path);
    const auto id = pickSnapshot(db, wanted);
    const auto graph = snapshot::loadSnapshot(db, id);
    const auto roots = findRoots(graph);
    const auto unreachable = findUnreachable(graph, roots);
    auto report = findCycles(graph, unreachable);
    orderGarbageFirst(report); // what the user came for first
    if (asJson) {
        json cycles = json::array();
        for (const auto& c : report.cycles) {
            json types = json::object();
            for (const auto& t : c.types)
                types[graph.typeNames[t.type]] = t.count;
            cycles.push_back({ { "objects", c.memberCount }, { "size", c.totalSize }, { "types", types },
                { "has_finalizer", c.hasFinalizer }, { "unreachable", c.unreachable } });
        }
        json out { { "snapshot", id }, { "unreachable_objects", unreachable.count() },
            { "unreachable_size", unreachable.totalSize }, { "cycles", cycles } };
        fmt::print("{}\n", out.dump(2));
        return kOk;
    }
    fmt::print("Snapshot {}: {} objects; the next full collection would free {} objects ({}).\n", id,
        graph.objectCount(), unreachable.count(), formatBytes(static_cast<long long>(unreachable.totalSize)));
    fmt::print("{} reference cycles ({} unreachable).\n", report.cycles.size(),
        std::count_if(report.cycles.begin(), report.cycles.end(), [](const Cycle& c) { return c.unreachable; }));
    std::size_t shown = 0;
    for (const auto& c : report.cycles) {
        if (++shown > limit) {
            fmt::print("... {} more (use --limit)\n", report.cycles.size() - limit);
            break;
        }
        std::string types;
        for (std::size_t i = 0; i < c.types.size() && i < 4; ++i)
            types += (i ? ", " : "") + fmt::format("{}×{}", c.types[i].count, graph.typeNames[c.types[i].type]);
        if (c.types.size() > 4)
            types += ", ...";
        fmt::print("  {:>7} objects {:>10}  {}{}{}\n", c.memberCount, formatBytes(static_cast<long long>(c.totalSize)),
            c.unreachable ? "[garbage] " : "", c.hasFinalizer ? "[__del__] " : "", types);
    }
    return kOk;
}

// ---- paths ----
std::uint64_t parseAddress(const std::string& text)
{
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
        v = std::stoull(text, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || used == 0)
        throw std::runtime_error("not an object address: " + text + " (use hex like 0x7f12ab34cd50)");
    return v;
}

int runPaths(const std::string& path, std::optional<std::int64_t> wanted, const std::string& objectText,
    const std::string& typeName, bool asJson, std::size_t maxPaths)
{
    auto db = storage::Database::openForReading(path);
    const auto id = pickSnapshot(db, wanted);
    const auto graph = snapshot::loadSnapshot(db, id);
    const auto roots = findRoots(graph);
    const auto referrers = buildReferrers(graph);
    RetentionPathFinder finder(graph, roots, referrers);

    ObjectId target = kNoObject;
    if (!objectText.empty()) {
        target = graph.find(parseAddress(objectText));
        if (target == kNoObject)
            throw std::runtime_error("snapshot " + std::to_string(id) + " has no object at " + objectText);
    } else {
        // A representative instance: the reachable one of that type farthest from the roots is
        // usually the most telling (it shows the whole chain that keeps the others alive too).
        std::uint32_t best = 0;
        bool anyOfType = false;
        for (ObjectId o = 0; o < graph.objectCount(); ++o) {
            if (graph.typeName(o) != typeName)
                continue;
            anyOfType = true;
            const auto d = finder.distance(o);
            if (d != kNoDistance && (target == kNoObject || d > best)) {
                target = o;
                best = d;
            }
            if (target == kNoObject && d == kNoDistance)
                target = o;
        }
        if (!anyOfType)
            throw std::runtime_error("snapshot " + std::to_string(id) + " has no object of type " + typeName);
    }
    const auto found = finder.find(target, maxPaths);
    if (asJson) {
        json paths = json::array();
        for (const auto& p : found.paths) {
            json steps = json::array();
            for (const auto& s : p.steps)
                steps.push_back({ { "address", hexAddress(graph.address[s.object]) },
                    { "type", graph.typeName(s.object) }, { "label", graph.labelText(s.object) },
                    { "edge", s.edgeLabel == kNoEdgeLabel ? json(nullptr) : json(graph.edgeLabelText(s.edgeLabel)) },
                    { "root", roots.isRoot(s.object) } });
            paths.push_back(steps);
        }
        json out { { "snapshot", id }, { "target", objectJson(graph, target) }, { "reachable", found.reachable },
            { "paths", paths } };
        fmt::print("{}\n", out.dump(2));
        return kOk;
    }
    fmt::print("Snapshot {}: {} at {}{}\n", id, graph.typeName(target), hexAddress(graph.address[target]),
        shortLabel(graph, target));
    if (!found.reachable) {
        fmt::print("No path from a root: the object is unreachable garbage the next full collection frees.\n");
        return kOk;
    }
    for (std::size_t i = 0; i < found.paths.size(); ++i) {
        fmt::print("path {} ({} steps):\n", i + 1, found.paths[i].length());
        const auto& steps = found.paths[i].steps;
        for (std::size_t s = 0; s < steps.size(); ++s) {
            const auto o = steps[s].object;
            const bool root = roots.isRoot(o);
            fmt::print("  {}{}{} {}{}\n", s == 0 ? "" : "→ ", root && s == 0 ? "[root] " : "", graph.typeName(o),
                hexAddress(graph.address[o]), shortLabel(graph, o));
            if (steps[s].edgeLabel != kNoEdgeLabel)
                fmt::print("      via {}\n", graph.edgeLabelText(steps[s].edgeLabel));
        }
    }
    return kOk;
}

// ---- top ----
int runTop(const std::string& path, std::optional<std::int64_t> wanted, bool asJson, std::size_t limit)
{
    auto db = storage::Database::openForReading(path);
    const auto id = pickSnapshot(db, wanted);
    const auto graph = snapshot::loadSnapshot(db, id);
    const auto roots = findRoots(graph);
    const auto dominators = snapshot::dominatorsOf(db, id, graph, roots);
    const auto& tree = dominators.tree;
    const auto top = tree.topRetained(limit);
    // Kept once the answer is out: the next `top`, report or GUI view of this snapshot reads it.
    const auto keep = [&] {
        if (dominators.read)
            return;
        std::fflush(stdout);
        db.close(); // a read-only connection: nothing of ours holds the file while the tree is written
        snapshot::keepDominators(path, id, tree);
    };
    if (asJson) {
        json objects = json::array();
        for (auto o : top) {
            auto j = objectJson(graph, o);
            j["retained_size"] = tree.retained[o];
            j["dominator"] = tree.idom[o] == kVirtualRoot || tree.idom[o] == kNoObject
                ? json(nullptr)
                : json(hexAddress(graph.address[tree.idom[o]]));
            objects.push_back(j);
        }
        json out { { "snapshot", id }, { "objects", objects } };
        fmt::print("{}\n", out.dump(2));
        keep();
        return kOk;
    }
    fmt::print("Snapshot {}: largest retained sizes (what would be freed with the object)\n", id);
    fmt::print("{:>12} {:>10}  {:<40} {}\n", "RETAINED", "SHALLOW", "TYPE", "OBJECT");
    for (auto o : top)
        fmt::print("{:>12} {:>10}  {:<40} {}{}\n", formatBytes(static_cast<long long>(tree.retained[o])),
            formatBytes(static_cast<long long>(graph.size[o])), graph.typeName(o).substr(0, 40),
            hexAddress(graph.address[o]), shortLabel(graph, o));
    keep();
    return kOk;
}

CLI::Option* addSnapshotOption(CLI::App* sub, std::shared_ptr<std::int64_t> id, const char* help)
{
    return sub->add_option("--snapshot", *id, help)->check(CLI::PositiveNumber);
}

std::optional<std::int64_t> optionalId(const CLI::Option* opt, std::int64_t value)
{
    return opt->count() ? std::optional<std::int64_t>(value) : std::nullopt;
}

} // namespace

Command addDiffCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("diff", "Per-type count and size change between two snapshots");
    auto path = std::make_shared<std::string>();
    auto from = std::make_shared<std::int64_t>(0), to = std::make_shared<std::int64_t>(0);
    auto json = std::make_shared<bool>(false);
    auto limit = std::make_shared<std::size_t>(40);
    sub->add_option("file", *path, "A gcscope database")->required();
    auto* fromOpt
        = sub->add_option("--from", *from, "Earlier snapshot id (default: the first)")->check(CLI::PositiveNumber);
    auto* toOpt = sub->add_option("--to", *to, "Later snapshot id (default: the last)")->check(CLI::PositiveNumber);
    sub->add_flag("--json", *json, "Print JSON");
    sub->add_option("--limit", *limit, "Rows to print (text)")->capture_default_str();
    return { sub, [=] { return runDiff(*path, optionalId(fromOpt, *from), optionalId(toOpt, *to), *json, *limit); } };
}

Command addCyclesCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("cycles", "Reference cycles and what the next full collection would free");
    auto path = std::make_shared<std::string>();
    auto id = std::make_shared<std::int64_t>(0);
    auto json = std::make_shared<bool>(false);
    auto limit = std::make_shared<std::size_t>(30);
    sub->add_option("file", *path, "A gcscope database")->required();
    auto* idOpt = addSnapshotOption(sub, id, "Snapshot id (default: the last)");
    sub->add_flag("--json", *json, "Print JSON");
    sub->add_option("--limit", *limit, "Cycles to print (text)")->capture_default_str();
    return { sub, [=] { return runCycles(*path, optionalId(idOpt, *id), *json, *limit); } };
}

Command addPathsCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("paths", "Shortest retention paths from a root to an object");
    auto path = std::make_shared<std::string>();
    auto id = std::make_shared<std::int64_t>(0);
    auto object = std::make_shared<std::string>(), type = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto count = std::make_shared<std::size_t>(3);
    sub->add_option("file", *path, "A gcscope database")->required();
    auto* idOpt = addSnapshotOption(sub, id, "Snapshot id (default: the last)");
    auto* objOpt = sub->add_option("--object", *object, "Object address (hex)");
    auto* typeOpt = sub->add_option("--type", *type, "A type name: a representative instance");
    objOpt->excludes(typeOpt);
    sub->add_option("--count", *count, "How many distinct paths")->check(CLI::Range(1, 100))->capture_default_str();
    sub->add_flag("--json", *json, "Print JSON");
    return { sub, [=] {
                if (object->empty() && type->empty())
                    throw CLI::RequiredError("--object or --type");
                return runPaths(*path, optionalId(idOpt, *id), *object, *type, *json, *count);
            } };
}

Command addTopCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("top", "Objects with the largest retained sizes (dominator tree)");
    auto path = std::make_shared<std::string>();
    auto id = std::make_shared<std::int64_t>(0);
    auto json = std::make_shared<bool>(false);
    auto limit = std::make_shared<std::size_t>(25);
    sub->add_option("file", *path, "A gcscope database")->required();
    auto* idOpt = addSnapshotOption(sub, id, "Snapshot id (default: the last)");
    sub->add_flag("--json", *json, "Print JSON");
    sub->add_option("--limit", *limit, "Objects to list")->capture_default_str();
    return { sub, [=] { return runTop(*path, optionalId(idOpt, *id), *json, *limit); } };
}

} // namespace gcscope::cli
