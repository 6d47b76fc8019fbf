// Heap snapshots in and out of a gcscope database, as analysis::HeapGraph.
#pragma once

#include "analysis/Diff.h"
#include "analysis/HeapGraph.h"
#include "snapshot/snapshot_receiver.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::storage {
class Database;
}

namespace gcscope::snapshot {

struct SnapshotMeta {
    std::optional<std::int64_t> sessionId;
    std::int64_t takenNs = 0;
    std::int64_t pauseNs = 0;
    std::int64_t pid = 0;
    std::string pythonVersion;
    bool noStrings = false;
    bool byChild = false; // walked by a copy-on-write child of the target
    std::string methodNote; // why it was walked in the target, when not asked to; how the agent listed the objects,
                            // when not from the collector's lists
    std::uint64_t extraMemoryBytes = 0; // what the child cost in memory
    // Nobody is expected to read the file meanwhile (`gcscope snapshot`): stored with a rollback
    // journal, each byte written once (storage::SnapshotWriter::Journal::Alone).
    bool alone = false;
};

// What a recording session stores with a snapshot it just received from the agent in PID.
// How a snapshot was taken, for people: "a copy-on-write child walked the heap, costing 12.0 MiB", or
// "walked in the target: <why>".
std::string methodText(bool byChild, const std::string& note, std::uint64_t extraMemoryBytes);

SnapshotMeta receivedMeta(const ReceivedSnapshot& snapshot, std::int64_t sessionId, std::int64_t pid,
    std::string pythonVersion, bool noStrings);

// Writes the graph in one transaction; returns the new snapshot's id.
// `progress`, when set, is told the objects stored so far and their total now and then.
// `ready`, when set, says how far the graph is built: saveSnapshot then runs alongside
// HeapGraphBuilder::build and stores each object once its references are final.
std::int64_t saveSnapshot(storage::Database& db, const analysis::HeapGraph& graph, const SnapshotMeta& meta,
    const std::function<void(std::uint64_t stored, std::uint64_t total)>& progress = {},
    const analysis::ReadyObjects* ready = nullptr);

// Reads a stored snapshot back (throws storage::StorageError "FILE: no snapshot N").
// `progress`, when set, is told the objects read so far and their total before and while the
// snapshot's strings are read (0 so far), every 65536 objects, and once more before the graph is
// built; it may throw to stop the load (a cancelled job): the exception passes through, nothing is
// kept.
analysis::HeapGraph loadSnapshot(const storage::Database& db, std::int64_t snapshotId,
    const std::function<void(std::uint64_t read, std::uint64_t total)>& progress = {});

// A stored snapshot's objects as comparing snapshots object by object needs them, read without
// building a graph (report/SnapshotEvidence.h, report/Attribution.h): each object's address, type
// and how many references it holds, 12 bytes an object; and the size of each object whose type
// `keepSizeOf` picks, 16 bytes. Both are in address order, sorted where they were read: no columns,
// no order by address and no copy in that order, all of it fresh memory taken while the leak
// report's analysis of the last snapshot runs beside it. At 30.8M objects, 10.3M of them
// collections, the packed forms take 0.58 GB where a 16-byte identity and a 24-byte size took
// 0.74 GB.
//
// The address and the type index share one word (IdentityKey): the address in 8-byte steps below
// 2^48, the type index below 2^19. Sorting on the word sorts by address.
struct IdentityKey {
    static constexpr unsigned kTypeBits = 19;
    static constexpr bool fits(std::uint64_t address, std::uint32_t type)
    {
        return (address & 7) == 0 && address < (std::uint64_t { 1 } << 48) && type < (std::uint32_t { 1 } << kTypeBits);
    }
    static constexpr std::uint64_t of(std::uint64_t address, std::uint32_t type)
    {
        return (address >> 3) << kTypeBits | type;
    }
    static constexpr std::uint64_t addressOf(std::uint64_t key) { return key >> kTypeBits << 3; }
    static constexpr std::uint32_t typeOf(std::uint64_t key)
    {
        return static_cast<std::uint32_t>(key & ((std::uint64_t { 1 } << kTypeBits) - 1));
    }
};
#pragma pack(push, 4)
struct ObjectIdentity {
    std::uint64_t key; // IdentityKey
    std::uint32_t references; // how many it holds
    std::uint64_t address() const { return IdentityKey::addressOf(key); }
    std::uint32_t type() const { return IdentityKey::typeOf(key); } // index into StoredObjects::typeNames
};
#pragma pack(pop)
static_assert(sizeof(ObjectIdentity) == 12);
struct ObjectSize {
    std::uint64_t key; // IdentityKey
    std::uint64_t size;
    std::uint64_t address() const { return IdentityKey::addressOf(key); }
    std::uint32_t type() const { return IdentityKey::typeOf(key); } // index into StoredObjects::typeNames
};
struct StoredObjects {
    std::vector<std::string> typeNames;
    std::vector<ObjectIdentity> objects; // every object, by address
    std::vector<ObjectSize> sizes; // the objects of the types picked, by address
    // False when an address or a type index does not fit an IdentityKey (an address not 8-byte
    // aligned or at or above 2^48; 2^19 types or more): `objects` and `sizes` are then empty, and
    // the caller reads the snapshot's graph instead.
    bool packed = true;
};

// Throws storage::StorageError for a damaged snapshot, std::runtime_error when two objects share an
// address.
StoredObjects loadObjects(const storage::Database& db, std::int64_t snapshotId,
    const std::function<bool(std::string_view typeName)>& keepSizeOf = {});

// A stored snapshot's objects and bytes per type: the totals stored with it, or for a snapshot
// stored without them (before schema 6), counted from its objects.
analysis::TypeCensus loadCensus(const storage::Database& db, std::int64_t snapshotId);

} // namespace gcscope::snapshot
