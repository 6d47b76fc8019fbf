// Leak evidence from heap snapshots alone, by object identity.
//
// CPython never moves an object, so an object of the same type at the same address in two
// snapshots is, almost always, the same object. Every reachable object of the last snapshot gets a
// birth: the first snapshot of the unbroken run of snapshots, ending with the last, that holds it.
// Birth 0 means it was there when the evidence starts; birth k >= 1 that it appeared between
// snapshots k-1 and k. (A freed object whose address a new object of the same type took counts as
// old: births are only ever undercounted.)
//
// A new object's owner is where it accumulates: the first ancestor in the last snapshot's dominator
// tree that is older than the object, when that is a collection (list, dict, set, deque...); when
// it is not (the object is held from two places, or inside a wrapper object), the first older
// collection among the object's direct referrers. New objects held by a namespace (a module's
// globals, an instance's attributes) or by nothing older have no owner. An owner's items are its
// new objects whose chain up to it holds no other new object (a dict's new keys and values, not
// what those values hold).
//
// A group is one owner and one item type. It is a leak suspect when:
//   - its items appeared in every interval between snapshots (steady, not a burst),
//   - with three or more snapshots, some of them outlived a whole further interval ("kept"),
//   - the owner itself grew: its references, counted in every snapshot, rose in every interval, by
//     at least minOwnerGrowth of the owner's new items in all (a bounded cache replaces what it holds
//     and does not grow; one that fills up and then churns stops growing; a cache that filled before
//     the first snapshot adds nothing),
//   - and there are enough of them (minCountDelta items, or items retaining minSizeDelta bytes).
// With two snapshots the evidence is the same test without "kept": weaker, and said as such.
//
// Accumulation points: with any snapshot, the collections that retain the most memory, shown as
// such; one snapshot cannot tell a large cache from a leak. Registries whose largest item is a
// module, a class or a namespace (sys.modules) are left out: they retain the program itself.
#pragma once

#include "analysis/HeapGraph.h"
#include "report/HeapContext.h"
#include "report/LeakReport.h"
#include "report/Suspects.h"
#include "snapshot/snapshot_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace gcscope::report {

struct EvidenceCriteria {
    std::uint64_t minCountDelta = 100; // new items in the group
    std::uint64_t minSizeDelta = 64u * 1024; // or what they retain
    double minOwnerGrowth = 0.5; // owner's reference growth / the owner's new items
    std::size_t maxSuspects = 10;
    std::size_t maxAccumulations = 5;
    double minAccumulationShare = 0.01; // of the reachable bytes
};

// The earlier snapshots of a session, each reduced to what identity needs: address, type and the
// number of references an object holds. 12 bytes per object (snapshot::ObjectIdentity; 16 for a
// snapshot whose addresses do not fit it), or nothing for a graph the caller shares (it is read in
// place).
class SnapshotHistory {
public:
    // In time order, all before the last snapshot. A copy of what identity needs.
    void addEarlier(const analysis::HeapGraph& graph, std::int64_t takenNs);
    // The same, reading a graph the caller shares (gcscope-gui's, held for its other views) where it
    // is, kept alive here: at 10M objects the copy was half a gigabyte of fresh memory, a second
    // of work.
    void addEarlier(std::shared_ptr<const analysis::HeapGraph> graph, std::int64_t takenNs);
    // The same from a snapshot's objects read without its graph (snapshot::loadObjects), taken as
    // they are: they are already in address order.
    void addEarlier(
        std::vector<snapshot::ObjectIdentity> objects, const std::vector<std::string>& typeNames, std::int64_t takenNs);
    std::size_t earlierCount() const { return earlier_.size(); }

    // type: the id in this history's own type table.
    struct Entry {
        std::uint64_t address;
        std::uint32_t type;
        std::uint32_t references;
    };
    // The object of this type (by name id) at this address in earlier snapshot i, or nothing.
    std::optional<Entry> find(std::size_t i, std::uint64_t address, std::uint32_t type) const;
    // The same, for a caller asking in ascending address order: `cursor` (0 at first, then kept
    // between calls for snapshot i) only moves forward, so a pass over a whole snapshot is linear.
    std::optional<Entry> findNext(std::size_t i, std::size_t& cursor, std::uint64_t address, std::uint32_t type) const;
    std::int64_t takenNs(std::size_t i) const { return earlier_[i].takenNs; }
    // The id of a type name, or UINT32_MAX when no earlier snapshot had that type.
    std::uint32_t typeId(const std::string& name) const;
    // Per object of the last snapshot: the first snapshot of the unbroken run ending with the last
    // that held it (the same address and type), 0 to earlierCount(). Reads the graph alone, so it
    // is worked out while the last snapshot's analyses are computed.
    std::vector<std::uint8_t> births(const analysis::HeapGraph& last) const;

private:
    // One of three forms, by address: objects packed with their own type indices, a shared graph,
    // or (a graph copied whose addresses do not pack) whole entries in this history's type ids.
    struct Snapshot {
        std::int64_t takenNs = 0;
        std::vector<snapshot::ObjectIdentity> packed;
        std::shared_ptr<const analysis::HeapGraph> graph; // read in place, by its byAddress()
        std::vector<Entry> wide;
        std::vector<std::uint32_t> typeIds; // packed's or the graph's type indices in this history's ids

        std::size_t size() const
        {
            return graph ? graph->byAddress().size() : packed.empty() ? wide.size() : packed.size();
        }
        std::uint64_t addressAt(std::size_t k) const
        {
            return graph         ? graph->address[graph->byAddress()[k]]
                : packed.empty() ? wide[k].address
                                 : packed[k].address();
        }
        Entry at(std::size_t k) const;
    };
    std::vector<std::uint32_t> typeIdsOf(const std::vector<std::string>& typeNames);

    std::unordered_map<std::string, std::uint32_t> typeIds_;
    std::vector<Snapshot> earlier_;
};

// Suspects the snapshots name, most retained first, each with SnapshotEvidence, evidence =
// "snapshots", series = the owner's references per snapshot. Empty without earlier snapshots.
// `births`, when given, is history.births(last.graph).
std::vector<Suspect> suspectsFromSnapshots(const SnapshotHistory& history, const HeapContext& last,
    std::int64_t lastTakenNs, const EvidenceCriteria& criteria = {}, const std::vector<std::uint8_t>* births = nullptr);

// Adds what the snapshots found to the trend's suspects: a snapshot suspect with the same owner, the
// same type, or a type among a suspect's companions confirms it (evidence "trend+snapshots"); the
// others join as suspects of their own. Keeps the order: retained size, then size growth.
void mergeSnapshotSuspects(std::vector<Suspect>& suspects, std::vector<Suspect> fromSnapshots, std::size_t maxSuspects);

// The largest accumulation points of one snapshot: collections by retained size, none inside
// another one listed.
std::vector<Accumulation> findAccumulations(const HeapContext& heap, const EvidenceCriteria& criteria = {});

} // namespace gcscope::report
