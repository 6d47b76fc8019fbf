#include "snapshot/snapshot_store.h"

#include "analysis/AddressOrder.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/RadixSort.h"
#include "report/CyclicGarbage.h"
#include "util/phase_trace.h"
#include "util/release.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/storage/TypeIds.h>
#include <gcscope/wire.h>

#include <cstdio>
#include <future>
#include <limits>
#include <span>
#include <stdexcept>

namespace gcscope::snapshot {

// One string table per stored snapshot: the graph's strings keep their ids (0 is ""), type names
// follow them. The objects go first, so that they can follow a graph still being built (`ready`);
// the strings need every reference label, and so the finished graph.
std::int64_t saveSnapshot(storage::Database& db, const analysis::HeapGraph& graph, const SnapshotMeta& meta,
    const std::function<void(std::uint64_t stored, std::uint64_t total)>& progress, const analysis::ReadyObjects* ready)
{
    storage::NewSnapshot ns;
    ns.sessionId = meta.sessionId;
    ns.takenNs = meta.takenNs;
    ns.pauseNs = meta.pauseNs;
    ns.pid = meta.pid;
    ns.pythonVersion = meta.pythonVersion;
    ns.flags = meta.noStrings ? wire::kSnapshotNoStrings : 0;
    ns.byChild = meta.byChild;
    ns.methodNote = meta.methodNote;
    ns.extraMemoryBytes = meta.extraMemoryBytes;
    storage::SnapshotWriter writer(
        db, ns, meta.alone ? storage::SnapshotWriter::Journal::Alone : storage::SnapshotWriter::Journal::Shared);
    const auto typeBase = static_cast<std::uint32_t>(graph.strings.size());

    // What needs the whole graph but not the file, worked out on threads of their own from the
    // moment its references are final, while the objects are still being encoded and inserted (at
    // 10M objects, the stored objects came 1.0 to 1.4 s after the references were resolved):
    //  - what a leak report needs of this snapshot once it is an earlier one, kept with it (schema 8):
    //    a report over many snapshots then loads none of the earlier ones;
    //  - which strings references carry as names (attributes, dict keys): they stay rows of
    //    snapshot_strings, where SQL finds them at once; the rest, millions of previews and numbers
    //    on a big heap, are labels only and go by chunks.
    const auto whole = [ready] {
        if (ready)
            ready->waitForAll();
    };
    auto garbage = std::async(std::launch::async, [&graph, whole] {
        whole();
        return report::encodeGarbage(report::summarizeGarbage(graph));
    });
    auto names = std::async(std::launch::async, [&graph, whole] {
        whole();
        std::vector<bool> referenceName(graph.strings.size(), false);
        for (const auto label : graph.edgeLabel)
            if (analysis::isNameLabel(label) && label < referenceName.size())
                referenceName[label] = true;
        return referenceName;
    });

    std::uint64_t tracked = 0;
    const std::size_t objects = graph.objectCount();
    std::size_t final = ready ? 0 : objects; // objects whose references are final
    for (analysis::ObjectId id = 0; id < objects; ++id) {
        if (id >= final)
            final = ready->waitFor(std::size_t { id } + 1);
        tracked += graph.isTracked(id) ? 1 : 0;
        writer.addObject(id, graph.address[id], typeBase + graph.type[id], graph.size[id], graph.refcount[id],
            graph.flags[id], graph.label[id], graph.referents(id), graph.referentLabels(id));
        if (progress && (id & 0xffff) == 0)
            progress(id, objects);
    }
    whole();
    util::markPhase("objects stored");

    const std::vector<bool> referenceName = names.get();
    for (std::uint32_t i = 1; i < graph.strings.size(); ++i) {
        if (referenceName[i])
            writer.addString(i, graph.strings[i]);
        else
            writer.addLabel(i, graph.strings[i]);
    }
    for (std::uint32_t t = 0; t < graph.typeNames.size(); ++t)
        writer.addString(typeBase + t, graph.typeNames[t]);
    if (progress)
        progress(objects, objects);
    util::markPhase("strings stored");
    writer.keepGarbage(report::kGarbageRule, garbage.get());
    util::markPhase("garbage summed");
    const auto id = writer.commit(tracked);
    util::markPhase("committed");
    return id;
}

analysis::HeapGraph loadSnapshot(const storage::Database& db, std::int64_t snapshotId,
    const std::function<void(std::uint64_t read, std::uint64_t total)>& progress)
{
    storage::Reader reader(db);
    const auto info = reader.snapshot(snapshotId);
    const std::uint64_t total = info ? info->objects : 0;
    // The strings take a second at 30M objects: a caller may stop before and while they are read.
    std::function<void()> reading;
    if (progress) {
        reading = [&] { progress(0, total); };
        reading();
    }
    auto strings = reader.readSnapshotStrings(snapshotId, reading);
    storage::TypeIds typeOf;
    analysis::HeapGraphBuilder builder;
    auto type = [&](std::uint32_t id) {
        return typeOf.of(id, [&](std::uint32_t stringId) {
            if (stringId >= strings.size())
                throw std::out_of_range("a type name's string id past the snapshot's strings");
            return builder.internType(strings[stringId]);
        });
    };
    // Labels keep their string ids: the graph takes the snapshot's string table as it is (the
    // reader has checked every id against it).
    if (info) {
        builder.reserve(info->objects, info->references);
        builder.prefaultReserved();
    }
    try {
        std::uint64_t read = 0;
        reader.forEachSnapshotObject(snapshotId, [&](const storage::StoredObject& o) {
            const auto id = builder.addObject(o.address, type(o.type), o.size, o.refcount, o.flags, o.label);
            for (const auto& r : o.refs)
                builder.addEdge(id, r.target, r.label);
            if (progress && (++read & 0xffff) == 0)
                progress(read, total);
        });
        if (progress)
            progress(read, total);
        util::markPhase("snapshot read");
        builder.adoptStrings(std::move(strings));
        auto graph = builder.build();
        util::markPhase("graph built");
        return graph;
    } catch (const std::out_of_range&) {
        throw std::runtime_error(
            db.path() + ": corrupt (snapshot " + std::to_string(snapshotId) + " refers to a string it does not hold)");
    } catch (const std::invalid_argument& e) { // the builder's word on ids or addresses that do not add up
        throw std::runtime_error(
            db.path() + ": corrupt (snapshot " + std::to_string(snapshotId) + ": " + e.what() + ")");
    }
}

StoredObjects loadObjects(const storage::Database& db, std::int64_t snapshotId,
    const std::function<bool(std::string_view typeName)>& keepSizeOf)
{
    storage::Reader reader(db);
    StoredObjects out;
    if (const auto info = reader.snapshot(snapshotId)) {
        out.objects.reserve(info->objects);
        // Room for every object, of which only the pages written are ever touched: no vector grown
        // by doubling, no copies as it grows.
        if (keepSizeOf)
            out.sizes.reserve(info->objects);
    }
    std::vector<char> keepSize; // by type index
    storage::TypeIds typeOf;
    struct DoesNotFit { };
    try {
        reader.forEachSnapshotRecord(snapshotId, [&](const storage::StoredRecord& o) {
            const std::uint32_t type = typeOf.of(o.type, [&](std::uint32_t stringId) {
                out.typeNames.push_back(reader.snapshotString(snapshotId, stringId));
                keepSize.push_back(keepSizeOf && keepSizeOf(out.typeNames.back()));
                return static_cast<std::uint32_t>(out.typeNames.size() - 1);
            });
            if (!IdentityKey::fits(o.address, type))
                throw DoesNotFit {};
            const std::uint64_t key = IdentityKey::of(o.address, type);
            out.objects.push_back({ key, o.references });
            if (keepSize[type])
                out.sizes.push_back({ key, o.size });
        });
    } catch (const DoesNotFit&) {
        util::release(out.objects);
        util::release(out.sizes);
        out.packed = false;
        return out;
    }
    util::markPhase("snapshot objects read");
    // By the address alone: sorting on the type's bits too took two more passes (addresses do not
    // repeat; two that do are refused below).
    const auto key = [](const auto& o) { return o.key >> IdentityKey::kTypeBits; };
    analysis::sortInPlaceByKey(std::span(out.objects), key);
    try {
        for (std::size_t k = 1; k < out.objects.size(); ++k)
            if (out.objects[k].address() == out.objects[k - 1].address())
                analysis::throwSharedAddress();
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(
            db.path() + ": corrupt (snapshot " + std::to_string(snapshotId) + ": " + e.what() + ")");
    }
    analysis::sortInPlaceByKey(std::span(out.sizes), key);
    util::markPhase("snapshot objects sorted");
    return out;
}

analysis::TypeCensus loadCensus(const storage::Database& db, std::int64_t snapshotId)
{
    const auto totals = storage::Reader(db).snapshotTypeTotals(snapshotId);
    if (!totals)
        return analysis::censusOf(loadSnapshot(db, snapshotId));
    analysis::TypeCensus census;
    for (const auto& t : *totals) {
        auto& entry = census[t.type];
        entry.count += t.objects;
        entry.size += t.size;
    }
    return census;
}

std::string methodText(bool byChild, const std::string& note, std::uint64_t extraMemoryBytes)
{
    if (byChild) {
        char text[96];
        std::snprintf(text, sizeof text, "a copy-on-write child walked the heap, costing %.1f MiB",
            static_cast<double>(extraMemoryBytes) / (1024.0 * 1024.0));
        return note.empty() ? std::string(text) : text + ("; " + note);
    }
    return note.empty() ? std::string("walked in the target") : "walked in the target: " + note;
}

SnapshotMeta receivedMeta(const ReceivedSnapshot& snapshot, std::int64_t sessionId, std::int64_t pid,
    std::string pythonVersion, bool noStrings)
{
    SnapshotMeta meta;
    meta.sessionId = sessionId;
    meta.takenNs = snapshot.begin.timeNs;
    meta.pauseNs = snapshot.begin.pauseNs;
    meta.pid = pid;
    meta.pythonVersion = std::move(pythonVersion);
    meta.noStrings = noStrings;
    meta.byChild = snapshot.begin.method == wire::SnapshotMethod::Child;
    meta.methodNote = snapshot.begin.methodNote;
    meta.extraMemoryBytes = snapshot.end.extraMemoryBytes;
    return meta;
}

} // namespace gcscope::snapshot
