// The unreachable rule against the real collector: a CPython 3.11 process dumps its own heap
// through tp_traverse (gc.get_referents) with refcounts, then runs gc.collect(); the analysis of
// the dump must predict exactly what gc.collect() returned.
#include "analysis/HeapAnalysis.h"
#include "analysis/HeapGraphBuilder.h"
#include "analysis/RetentionPaths.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

using namespace gcscope::analysis;
namespace fs = std::filesystem;

namespace {
const char* const kSystemPython = "/usr/bin/python3";
const char* const kPyenvPython = "/root/.pyenv/versions/3.11.7/bin/python3.11";

struct Dump {
    HeapGraph graph;
    std::map<std::string, std::uint64_t> named; // K lines
    std::int64_t collected = -1;
    std::uint64_t unresolved = 0;
};

std::string run(const std::string& command)
{
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p)
        return out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p))
        out += buf;
    pclose(p);
    return out;
}

Dump dumpHeapOf(const char* python, const char* mode)
{
    const fs::path file = fs::temp_directory_path() / ("gcscope-heapdump-" + std::to_string(getpid()) + ".txt");
    const std::string script = std::string(GCSCOPE_SOURCE_DIR) + "/tests/unit/analysis/heap_dump.py";
    const std::string output = run(std::string(python) + " " + script + " " + file.string() + " " + mode);

    Dump d;
    std::istringstream(output.substr(output.find("collected") == std::string::npos ? 0 : output.find("collected") + 10))
        >> d.collected;
    HeapGraphBuilder b;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string kind;
        std::getline(fields, kind, '\t');
        if (kind == "O") {
            std::string address, type, size, refcount, flags;
            std::getline(fields, address, '\t');
            std::getline(fields, type, '\t');
            std::getline(fields, size, '\t');
            std::getline(fields, refcount, '\t');
            std::getline(fields, flags, '\t');
            b.addObject({ std::stoull(address), type, std::stoull(size), std::stoll(refcount),
                static_cast<std::uint8_t>(std::stoul(flags)) });
        } else if (kind == "E") {
            std::string from, to;
            std::getline(fields, from, '\t');
            std::getline(fields, to, '\t');
            b.addEdgeByAddress(std::stoull(from), std::stoull(to));
        } else if (kind == "K") {
            std::string address, name;
            std::getline(fields, address, '\t');
            std::getline(fields, name, '\t');
            d.named[name] = std::stoull(address);
        }
    }
    fs::remove(file);
    d.graph = b.build();
    d.unresolved = b.unresolvedEdges();
    return d;
}

std::size_t countOfType(const HeapGraph& g, const std::vector<ObjectId>& ids, const std::string& type)
{
    std::size_t n = 0;
    for (ObjectId id : ids)
        n += g.typeName(id) == type;
    return n;
}

void expectAnalysisPredictsTheCollector(const char* python)
{
    if (!fs::exists(python))
        GTEST_SKIP() << python << " is not installed here";
    Dump d = dumpHeapOf(python, "plain");
    ASSERT_GT(d.graph.objectCount(), 1000u) << "the dump did not run";
    ASSERT_GE(d.collected, 0) << "the dump did not report gc.collect()";
    EXPECT_EQ(d.unresolved, 0u);

    HeapAnalysis a = analyzeHeap(d.graph);
    const auto& u = a.unreachable;
    EXPECT_EQ(static_cast<std::int64_t>(u.count()), d.collected);

    // The garbage the script built, by type.
    EXPECT_EQ(countOfType(d.graph, u.objects, "__main__.Node"), 5u);
    EXPECT_EQ(countOfType(d.graph, u.objects, "__main__.Person"), 2u);
    EXPECT_EQ(countOfType(d.graph, u.withFinalizers, "__main__.Person"), 2u);
    std::size_t garbageCycles = 0;
    bool nodeRing = false;
    bool personPair = false;
    for (const auto& cycle : a.cycles.cycles) {
        if (!cycle.unreachable)
            continue;
        ++garbageCycles;
        nodeRing = nodeRing || (cycle.memberCount == 5 && d.graph.typeNames[cycle.types[0].type] == "__main__.Node");
        personPair = personPair || (cycle.memberCount == 2 && cycle.hasFinalizer);
    }
    EXPECT_EQ(garbageCycles, 4u); // the self-loop list, the dict pair, the node ring, the persons
    EXPECT_TRUE(nodeRing);
    EXPECT_TRUE(personPair);

    // The live cycle in KEEP is reachable, and a path explains it from a root.
    const ObjectId keep = d.graph.find(d.named.at("KEEP"));
    ASSERT_NE(keep, kNoObject);
    EXPECT_FALSE(u.contains(keep));
    RetentionPathFinder finder(d.graph, a.roots, a.referrers);
    auto why = finder.find(keep);
    ASSERT_TRUE(why.reachable);
    ASSERT_EQ(why.paths.size(), 1u);
    EXPECT_TRUE(a.roots.isRoot(why.paths[0].steps.front().object));
    EXPECT_TRUE(a.dominators.isReachable(keep));
    EXPECT_GE(a.dominators.retained[keep], d.graph.size[keep]);
}
} // namespace

TEST(RealPython, GivenKnownGarbageInDebianPython_WhenItsDumpIsAnalysed_ThenTheUnreachableCountEqualsGcCollect)
{
    expectAnalysisPredictsTheCollector(kSystemPython);
}

TEST(RealPython, GivenKnownGarbageInPyenvPython_WhenItsDumpIsAnalysed_ThenTheUnreachableCountEqualsGcCollect)
{
    expectAnalysisPredictsTheCollector(kPyenvPython);
}

TEST(RealPython, GivenAnObjectWhoseDelResurrectsIt_WhenItsDumpIsAnalysed_ThenWeCountItButTheCollectorDoesNot)
{
    // The documented limit (Unreachable.h): a snapshot cannot know what __del__ will do.
    if (!fs::exists(kSystemPython))
        GTEST_SKIP() << kSystemPython << " is not installed here";
    Dump d = dumpHeapOf(kSystemPython, "resurrect");
    ASSERT_GE(d.collected, 0);
    HeapAnalysis a = analyzeHeap(d.graph);
    EXPECT_EQ(static_cast<std::int64_t>(a.unreachable.count()), d.collected + 1);
    EXPECT_EQ(countOfType(d.graph, a.unreachable.withFinalizers, "__main__.Phoenix"), 1u);
}
