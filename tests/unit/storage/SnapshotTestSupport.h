// Generated heap graphs for the snapshot tests: deterministic, with every kind of edge label,
// objects without references, and references to random objects anywhere in the graph.
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/storage/StringTable.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::storage {
class Database;
}

namespace gcscope::storage::test {

struct GraphObject {
    std::uint64_t address = 0;
    std::uint32_t type = 0;
    std::uint64_t size = 0;
    std::int64_t refcount = 0;
    std::uint8_t flags = 0;
    std::uint32_t label = 0;
    std::vector<StoredReference> refs;
};

struct Graph {
    std::vector<std::string> strings; // indexed by string id; [0] is ""
    std::vector<GraphObject> objects; // indexed by object id
    std::uint64_t tracked = 0;
    std::uint64_t references() const;
};

// n objects with about referencesPerObject references each (0 to twice that), to uniformly random
// targets; labels: a third none, a third list indexes, a third names.
Graph makeGraph(std::uint32_t n, double referencesPerObject = 3, std::uint32_t seed = 42);

NewSnapshot makeNewSnapshot(std::optional<std::int64_t> sessionId = {});

// Writes the graph as one committed snapshot and returns its id.
std::int64_t writeSnapshot(Database& db, const Graph& graph, const NewSnapshot& snapshot = makeNewSnapshot(),
    SnapshotWriter::Journal journal = SnapshotWriter::Journal::Shared);

// The snapshot as the Reader returns it, in the Graph shape, for comparing with EXPECT_EQ.
// The table as one std::string per id, for comparisons.
std::vector<std::string> asVector(const StringTable& strings);
Graph readSnapshot(const Database& db, std::int64_t snapshotId);

bool operator==(const GraphObject& a, const GraphObject& b);

} // namespace gcscope::storage::test
