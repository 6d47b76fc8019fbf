// libFuzzer target: the database reader on damaged files. Each input is written to a file that
// goes through everything a CLI command or the GUI does with a file it is given:
// Database::openForReading, every Reader query, and loadSnapshot (+ the heap analyses, and the
// dominator tree the file keeps) of every snapshot. A damaged file may only ever produce an exception with a one-line
// message: no crash, no out-of-bounds access, no allocation sized by a number read from the file.
#include "analysis/HeapAnalysis.h"
#include "report/CyclicGarbage.h"
#include "snapshot/kept_dominators.h"
#include "snapshot/snapshot_store.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/KeptGarbage.h>
#include <gcscope/storage/Reader.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

using namespace gcscope;

std::filesystem::path g_scratchDirectory;

void removeScratchDirectory()
{
    std::error_code ec;
    std::filesystem::remove_all(g_scratchDirectory, ec);
}

// One private directory per fuzzing process, in memory when /dev/shm exists, removed at exit.
const std::filesystem::path& scratchFile()
{
    static const std::filesystem::path file = [] {
        std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        std::string templ = base + "/gcscope-fuzz-db-XXXXXX";
        if (!mkdtemp(templ.data()))
            std::abort();
        g_scratchDirectory = templ;
        std::atexit(removeScratchDirectory);
        return g_scratchDirectory / "input.db";
    }();
    return file;
}

void writeFile(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size)
{
    std::error_code ec;
    // Nothing of a previous input may survive: a stray -wal would change how this one is read.
    for (const auto& entry : std::filesystem::directory_iterator(path.parent_path(), ec))
        std::filesystem::remove(entry.path(), ec);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0)
        std::abort();
}

void oneLine(const std::exception& e)
{
    const std::string what = e.what();
    if (what.empty() || what.find('\n') != std::string::npos)
        std::abort(); // the CLI prints what() as its one error line
}

void readEverything(const std::filesystem::path& path)
{
    auto db = storage::Database::openForReading(path);
    storage::Reader reader(db);
    reader.schemaVersion();
    reader.sampleCount();
    reader.gcEventCount();
    reader.censusCount();
    reader.processSampleCount();
    for (const auto& session : reader.sessions()) {
        reader.session(session.id);
        reader.sampleCount(session.id);
        reader.samples(session.id);
        reader.gcEvents(session.id);
        reader.processSamples(session.id);
        reader.censuses(session.id);
        reader.typeGrowth(session.id);
    }
    for (const auto& info : reader.snapshots()) {
        reader.snapshot(info.id);
        try {
            reader.readSnapshotStrings(info.id);
            const auto graph = snapshot::loadSnapshot(db, info.id);
            if (graph.objectCount() <= 20000) {
                const auto analysed = analysis::analyzeHeap(graph);
                // A kept dominator tree is read as the analyses would: taken only when it decodes.
                snapshot::dominatorsOf(db, info.id, graph, analysed.roots);
            }
            // What a report reads of an earlier snapshot instead of its graph: a kept garbage
            // summary (taken only when it decodes) and the objects without their references (with
            // every type's sizes, so that both sorts read what was decoded).
            if (const auto text = storage::readKeptGarbage(db, info.id, report::kGarbageRule))
                report::decodeGarbage(*text);
            snapshot::loadObjects(db, info.id, [](std::string_view) { return true; });
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            oneLine(e); // one damaged snapshot; the next one may still load
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto& path = scratchFile();
    writeFile(path, data, size);
    try {
        readEverything(path);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "an allocation sized by the file failed\n");
        std::abort();
    } catch (const std::exception& e) {
        oneLine(e);
    }
    return 0;
}
