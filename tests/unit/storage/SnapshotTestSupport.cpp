#include "SnapshotTestSupport.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/wire.h>

#include <random>

namespace gcscope::storage::test {

std::uint64_t Graph::references() const
{
    std::uint64_t total = 0;
    for (const GraphObject& o : objects)
        total += o.refs.size();
    return total;
}

Graph makeGraph(std::uint32_t n, double referencesPerObject, std::uint32_t seed)
{
    std::mt19937 random(seed);
    Graph g;
    g.strings = { "", "dict", "list", "tuple", "__main__.Node", "function", "str" };
    const std::uint32_t firstName = static_cast<std::uint32_t>(g.strings.size());
    for (int i = 0; i < 200; ++i)
        g.strings.push_back("attribute_" + std::to_string(i));
    const auto strings = static_cast<std::uint32_t>(g.strings.size());

    std::uniform_int_distribution<std::uint32_t> anyObject(0, n - 1);
    std::uniform_int_distribution<int> refCount(0, static_cast<int>(2 * referencesPerObject));
    g.objects.resize(n);
    std::uint64_t address = 0x7f12'3400'0000;
    for (std::uint32_t i = 0; i < n; ++i) {
        GraphObject& o = g.objects[i];
        address += 16 * (1 + random() % 8);
        o.address = address;
        o.type = 1 + random() % 6;
        o.size = 16 + random() % 1000;
        o.refcount = 1 + random() % 40;
        o.flags = random() % 10 < 7 ? wire::kObjectTracked : 0;
        g.tracked += o.flags & wire::kObjectTracked;
        o.label = random() % 5 == 0 ? firstName + random() % (strings - firstName) : 0;
        o.refs.resize(static_cast<std::size_t>(refCount(random)));
        for (StoredReference& r : o.refs) {
            r.target = anyObject(random);
            switch (random() % 3) {
            case 0:
                r.label = 0;
                break;
            case 1:
                r.label = wire::kEdgeIndexBit | (random() % 100);
                break;
            default:
                r.label = firstName + random() % (strings - firstName);
            }
        }
    }
    return g;
}

NewSnapshot makeNewSnapshot(std::optional<std::int64_t> sessionId)
{
    NewSnapshot s;
    s.sessionId = sessionId;
    s.takenNs = 1'700'000'050'000'000'000;
    s.pauseNs = 12'345'678;
    s.pid = 4242;
    s.pythonVersion = "3.11.7";
    s.flags = wire::kSnapshotNoStrings;
    s.label = "after warm-up";
    return s;
}

std::int64_t writeSnapshot(
    Database& db, const Graph& graph, const NewSnapshot& snapshot, SnapshotWriter::Journal journal)
{
    SnapshotWriter writer(db, snapshot, journal);
    for (std::uint32_t id = 1; id < graph.strings.size(); ++id)
        writer.addString(id, graph.strings[id]);
    for (std::uint32_t id = 0; id < graph.objects.size(); ++id) {
        const GraphObject& o = graph.objects[id];
        writer.addObject(id, o.address, o.type, o.size, o.refcount, o.flags, o.label, o.refs);
    }
    return writer.commit(graph.tracked);
}

std::vector<std::string> asVector(const StringTable& strings)
{
    std::vector<std::string> out;
    out.reserve(strings.size());
    for (std::size_t id = 0; id < strings.size(); ++id)
        out.emplace_back(strings[id]);
    return out;
}

Graph readSnapshot(const Database& db, std::int64_t snapshotId)
{
    Reader reader(db);
    Graph g;
    g.strings = asVector(reader.readSnapshotStrings(snapshotId));
    reader.forEachSnapshotObject(snapshotId, [&](const StoredObject& o) {
        g.objects.push_back(
            { o.address, o.type, o.size, o.refcount, o.flags, o.label, { o.refs.begin(), o.refs.end() } });
        g.tracked += o.flags & wire::kObjectTracked;
    });
    return g;
}

bool operator==(const GraphObject& a, const GraphObject& b)
{
    return a.address == b.address && a.type == b.type && a.size == b.size && a.refcount == b.refcount
        && a.flags == b.flags && a.label == b.label && a.refs == b.refs;
}

} // namespace gcscope::storage::test
