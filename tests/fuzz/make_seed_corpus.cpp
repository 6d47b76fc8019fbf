// Writes the fuzzers' seed corpus (tests/fuzz/corpus/): wire records and snapshot streams made by
// the real encoders, and small gcscope databases made by the real Recorder and SnapshotWriter,
// rewritten with 512-byte pages so each file stays a few kilobytes. Run by hand when the formats
// change: `gcscope_fuzz_seeds tests/fuzz/corpus`. (database/real-recording is not made here: it is
// a 0.4 s `gcscope record` of tests/targets/reliability/steady.py, VACUUMed to 512-byte pages.)
#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptDominators.h>
#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Recorder.h>
#include <gcscope/storage/SnapshotWriter.h>
#include <gcscope/wire.h>

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace gcscope;
namespace fs = std::filesystem;
using wire::MessageType;

void writeFile(const fs::path& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

template <typename Record> std::string payloadOf(const Record& r)
{
    wire::Encoder e;
    r.encode(e);
    return e.take();
}

// A small heap: a module dict holding a list of three nodes in a ring, strings and ints as leaves.
struct TinyHeap {
    std::vector<std::string> strings { "", "dict", "list", "__main__.Node", "str", "int", "next", "items", "'hello'",
        "<module '__main__'>" };
    wire::SnapshotObjectsRecord objects;

    TinyHeap()
    {
        auto add = [&](std::uint64_t address, std::uint32_t type, std::uint8_t flags, std::uint32_t label,
                       std::vector<wire::SnapshotReference> refs) {
            wire::SnapshotObject o;
            o.address = address;
            o.type = type;
            o.size = 48 + 8 * refs.size();
            o.refcount = 1 + static_cast<std::int64_t>(refs.size());
            o.flags = flags;
            o.label = label;
            o.references = std::move(refs);
            objects.objects.push_back(std::move(o));
        };
        const std::uint8_t tracked = wire::kObjectTracked;
        add(0x1000, 1, tracked | wire::kObjectExplicitRoot, 9, { { 0x2000, 7 } });
        add(0x2000, 2, tracked, 0,
            { { 0x3000, wire::kEdgeIndexBit | 0 }, { 0x3100, wire::kEdgeIndexBit | 1 },
                { 0x3200, wire::kEdgeIndexBit | 2 }, { 0x4000, wire::kEdgeIndexBit | 3 } });
        add(0x3000, 3, tracked | wire::kObjectHasFinalizer, 0, { { 0x3100, 6 }, { 0x5000, 0 } });
        add(0x3100, 3, tracked, 0, { { 0x3200, 6 } });
        add(0x3200, 3, tracked, 0, { { 0x3000, 6 } });
        add(0x4000, 4, 0, 8, {});
        add(0x5000, 5, 0, 0, {});
        // Garbage: a list holding itself.
        add(0x6000, 2, tracked, 0, { { 0x6000, wire::kEdgeIndexBit | 0 } });
    }
};

void writeWireSeeds(const fs::path& dir)
{
    fs::create_directories(dir);
    wire::HelloRecord hello;
    hello.token = std::string(wire::kTokenHexLength, 'a');
    hello.pid = 4242;
    hello.pythonVersionHex = 0x030b02f0;
    hello.agentVersion = wire::kAgentVersion;
    hello.pythonExecutable = "/usr/bin/python3.11";
    hello.clockNs = 1'700'000'000'000'000'000;
    writeFile(dir / "hello", payloadOf(hello));
    writeFile(dir / "hello-frame", wire::frameOf(MessageType::Hello, hello));

    wire::SampleRecord sample;
    sample.timeNs = 1'700'000'000'000'000'000;
    sample.count = { 512, 3, 1 };
    sample.threshold = { 700, 10, 10 };
    sample.stats[0] = { 40, 1200, 0 };
    writeFile(dir / "sample", payloadOf(sample));

    wire::GcEventsRecord events;
    events.dropped = 1;
    events.events
        = { { 1'700'000'000'000'000'000, 250'000, 0, 120, 0 }, { 1'700'000'000'100'000'000, 900'000, 2, 7, 1 } };
    writeFile(dir / "gc-events", payloadOf(events));

    wire::CensusRecord census;
    census.timeNs = 1'700'000'000'000'000'000;
    census.pauseNs = 3'000'000;
    census.objects = 3;
    census.entries = { { "dict", 2, 464 }, { "__main__.Node", 1, 48 } };
    writeFile(dir / "census", payloadOf(census));

    writeFile(dir / "error", payloadOf(wire::ErrorRecord { 22, "snapshot failed: not enough memory" }));
    writeFile(dir / "bye", payloadOf(wire::ByeRecord { "profiler gone" }));
    writeFile(dir / "ack", payloadOf(wire::AckRecord { 67, 0, 12, "" }));
    writeFile(dir / "configure", payloadOf(wire::ConfigureRecord { 100, 5000, 0 }));
    writeFile(dir / "collect", payloadOf(wire::CollectRecord { 2 }));
    writeFile(dir / "snapshot-request", payloadOf(wire::SnapshotRequestRecord { 1, wire::kSnapshotNoStrings, 60 }));
    writeFile(dir / "snapshot-begin",
        payloadOf(wire::SnapshotBeginRecord { 1, 1'700'000'000'000'000'000, 5'000'000, 8, 11 }));

    TinyHeap heap;
    wire::SnapshotStringsRecord strings;
    strings.firstId = 1;
    strings.strings.assign(heap.strings.begin() + 1, heap.strings.end());
    writeFile(dir / "snapshot-strings", payloadOf(strings));
    writeFile(dir / "snapshot-objects", payloadOf(heap.objects));
    writeFile(
        dir / "snapshot-refcounts", payloadOf(wire::SnapshotRefcountsRecord { { { 0x1000, 2 }, { 0x2000, 1 } } }));
    writeFile(dir / "snapshot-end", payloadOf(wire::SnapshotEndRecord { 1, 8, 6, 11, 9 }));
    writeFile(dir / "agent-config", "v=1;sock=/tmp/gcscope-abc123/agent.sock;token=0123456789abcdef0123456789abcdef");
}

// The fuzz_snapshot_stream format: [u8 type selector][u16 length][payload] per frame.
std::string streamFrame(std::uint8_t selector, const std::string& payload)
{
    std::string out;
    out += static_cast<char>(selector);
    out += static_cast<char>(payload.size() & 0xff);
    out += static_cast<char>((payload.size() >> 8) & 0xff);
    return out + payload;
}

void writeStreamSeeds(const fs::path& dir)
{
    fs::create_directories(dir);
    TinyHeap heap;
    wire::SnapshotStringsRecord strings;
    strings.firstId = 1;
    strings.strings.assign(heap.strings.begin() + 1, heap.strings.end());
    std::uint64_t references = 0;
    for (const auto& o : heap.objects.objects)
        references += o.references.size();
    const auto objects = static_cast<std::uint64_t>(heap.objects.objects.size());
    const std::string begin = streamFrame(0, payloadOf(wire::SnapshotBeginRecord { 1, 1, 2, objects, references }));
    const std::string end = streamFrame(3,
        payloadOf(
            wire::SnapshotEndRecord { 1, objects, 6, references, static_cast<std::uint32_t>(strings.strings.size()) }));
    writeFile(
        dir / "whole", begin + streamFrame(1, payloadOf(strings)) + streamFrame(2, payloadOf(heap.objects)) + end);

    // The same heap in two object frames, with a telemetry sample in between.
    wire::SnapshotObjectsRecord first, second;
    first.objects.assign(heap.objects.objects.begin(), heap.objects.objects.begin() + 4);
    second.objects.assign(heap.objects.objects.begin() + 4, heap.objects.objects.end());
    writeFile(dir / "split",
        begin + streamFrame(1, payloadOf(strings)) + streamFrame(2, payloadOf(first))
            + streamFrame(5, payloadOf(wire::SampleRecord {})) + streamFrame(2, payloadOf(second)) + end);
    const wire::SnapshotRefcountsRecord borrowed { { { heap.objects.objects.front().address, 2 } } };
    writeFile(dir / "refcounts",
        begin + streamFrame(1, payloadOf(strings)) + streamFrame(2, payloadOf(heap.objects))
            + streamFrame(6, payloadOf(borrowed)) + end);
    writeFile(dir / "agent-error", begin + streamFrame(4, payloadOf(wire::ErrorRecord { 12, "out of memory" })));
}

void addSession(storage::Database& db, bool complete)
{
    storage::Recorder recorder(db);
    storage::NewSession ns;
    ns.pid = 4242;
    ns.pythonVersion = "3.11.2";
    ns.pythonExecutable = "/usr/bin/python3.11";
    ns.argv = { "python3", "app.py", "--port", "8080" };
    ns.startedNs = 1'700'000'000'000'000'000;
    ns.intervalMs = 100;
    ns.censusEveryMs = 1000;
    ns.hostname = "seed";
    ns.gcscopeVersion = "0.1.0";
    const auto session = recorder.beginSession(ns);
    for (int i = 0; i < 5; ++i) {
        wire::SampleRecord s;
        s.timeNs = ns.startedNs + i * 100'000'000LL;
        s.count = { 100 * i, i, 0 };
        s.threshold = { 700, 10, 10 };
        s.stats[0].collections = i;
        recorder.addSample(session, s);
        recorder.addProcessSample(session, s.timeNs, 20'000'000 + i * 4096, 3, 7);
    }
    recorder.addGcEvents(session,
        { { ns.startedNs + 50'000'000, 200'000, 0, 31, 0 }, { ns.startedNs + 350'000'000, 800'000, 1, 2, 0 } }, 1);
    for (int i = 0; i < 2; ++i) {
        wire::CensusRecord c;
        c.timeNs = ns.startedNs + i * 1'000'000'000LL;
        c.pauseNs = 2'000'000;
        c.objects = 30 + i;
        c.entries = { { "dict", 10u + i, 2320 }, { "list", 12, 672 }, { "__main__.Node", 8u + i, 384 } };
        recorder.addCensus(session, c);
    }
    if (complete)
        recorder.endSession(session, ns.startedNs + 2'000'000'000, true, "duration reached");
    recorder.flush();
}

void addSnapshot(storage::Database& db, std::optional<std::int64_t> session)
{
    TinyHeap heap;
    storage::NewSnapshot ns;
    ns.sessionId = session;
    ns.takenNs = 1'700'000'001'000'000'000;
    ns.pauseNs = 4'000'000;
    ns.pid = 4242;
    ns.pythonVersion = "3.11.2";
    storage::SnapshotWriter writer(db, ns);
    for (std::uint32_t i = 1; i < heap.strings.size(); ++i)
        writer.addString(i, heap.strings[i]);
    std::uint64_t tracked = 0;
    std::uint32_t id = 0;
    std::vector<storage::StoredReference> refs;
    for (const auto& o : heap.objects.objects) {
        refs.clear();
        for (const auto& r : o.references)
            for (std::uint32_t t = 0; t < heap.objects.objects.size(); ++t)
                if (heap.objects.objects[t].address == r.target)
                    refs.push_back({ t, r.label });
        tracked += o.flags & wire::kObjectTracked;
        writer.addObject(id++, o.address, o.type, o.size, o.refcount, o.flags, o.label, refs);
    }
    writer.commit(tracked);
}

// 512-byte pages: the same file in an eighth of the space, so the fuzzer's mutations hit more of it.
void shrink(const fs::path& path)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK
        || sqlite3_exec(db, "PRAGMA page_size = 512; VACUUM;", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "cannot shrink %s: %s\n", path.c_str(), sqlite3_errmsg(db));
        std::exit(1);
    }
    sqlite3_close(db);
}

void writeDatabaseSeeds(const fs::path& dir)
{
    fs::create_directories(dir);
    const auto make = [&](const char* name, auto fill) {
        const fs::path path = dir / name;
        fs::remove(path);
        {
            auto db = storage::Database::openForWriting(path);
            fill(db);
            db.close();
        }
        shrink(path);
    };
    make("recording", [](storage::Database& db) { addSession(db, true); });
    make("recording-with-snapshot", [](storage::Database& db) {
        addSession(db, false);
        addSnapshot(db, 1);
    });
    make("snapshot-only", [](storage::Database& db) {
        addSnapshot(db, std::nullopt);
        addSnapshot(db, std::nullopt);
    });
    // A snapshot whose dominator tree the file keeps (schema 7): every kind of dominator entry.
    const fs::path kept = dir / "snapshot-with-kept-tree";
    fs::remove(kept);
    {
        auto db = storage::Database::openForWriting(kept);
        addSnapshot(db, std::nullopt);
        db.close();
    }
    const std::size_t objects = TinyHeap().objects.objects.size();
    std::vector<std::uint32_t> idom(objects, storage::kKeptVirtualRoot);
    std::vector<std::uint64_t> retained(objects, 64);
    idom.back() = storage::kKeptNoDominator;
    for (std::size_t i = 1; i + 1 < objects; i += 2)
        idom[i] = static_cast<std::uint32_t>(i - 1);
    if (const auto why = storage::keepDominators(kept, 1, 1, objects - 1, idom, retained); !why.empty()) {
        std::fprintf(stderr, "cannot keep a tree in %s: %s\n", kept.c_str(), why.c_str());
        std::exit(1);
    }
    // And its garbage summary (schema 8), as a report reads it for an earlier snapshot.
    const storage::GarbageToKeep summary {
        1, objects,
        R"({"bytes":640,"untracked_bytes":64,"live":{"list":2},"garbage":{"objects":2,"bytes":128,)"
        R"("by_type":{"__main__.Node":[2,128]}},"cycles":[{"types":[["__main__.Node",2]],"cycles":1,"objects":2,)"
        R"("bytes":128,"finalizer":false,"edges":{"__main__.Node.peer":2},"direct_edges":{"__main__.Node.peer":2}}]})"
    };
    if (const auto why = storage::keepGarbage(kept, 1, std::span(&summary, 1)); !why.empty()) {
        std::fprintf(stderr, "cannot keep a garbage summary in %s: %s\n", kept.c_str(), why.c_str());
        std::exit(1);
    }
    shrink(kept);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    writeWireSeeds(root / "wire");
    writeStreamSeeds(root / "snapshot_stream");
    writeDatabaseSeeds(root / "database");
    return 0;
}
