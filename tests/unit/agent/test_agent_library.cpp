// The built library itself: one exported entry point and no CPython symbol bound at load time (so
// dlopen succeeds in any process and the version gate can speak), and no constructor of its own.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>

namespace {

std::string run(const std::string& command)
{
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return output;
    std::array<char, 4096> chunk;
    while (auto n = fread(chunk.data(), 1, chunk.size(), pipe))
        output.append(chunk.data(), n);
    pclose(pipe);
    return output;
}

TEST(AgentLibrary, GivenTheBuiltAgentThenItExportsOnlyItsStartFunction)
{
    auto exported = run(std::string("nm -D --defined-only ") + GCSCOPE_TEST_AGENT + " 2>&1");
    if (exported.find("not found") != std::string::npos)
        GTEST_SKIP() << "nm is not available";
    std::istringstream lines(exported);
    std::string address, kind, name;
    int count = 0;
    while (lines >> address >> kind >> name) {
        ++count;
        EXPECT_EQ(name, "gcscope_agent_start");
    }
    EXPECT_EQ(count, 1);
}

TEST(AgentLibrary, GivenTheBuiltAgentThenNoCPythonSymbolIsBoundAtLoadTime)
{
    auto undefined = run(std::string("nm -D --undefined-only ") + GCSCOPE_TEST_AGENT + " 2>&1");
    if (undefined.find("not found") != std::string::npos)
        GTEST_SKIP() << "nm is not available";
    std::istringstream lines(undefined);
    std::string line;
    while (std::getline(lines, line))
        EXPECT_EQ(line.find(" Py"), std::string::npos) << line;
    EXPECT_EQ(undefined.find("_Py"), std::string::npos) << undefined;
    EXPECT_EQ(undefined.find("libpython"), std::string::npos);
}

TEST(AgentLibrary, GivenTheBuiltAgentThenItNeedsNoCxxRuntimeAndRunsNoConstructorOfItsOwn)
{
    auto dynamic = run(std::string("readelf -d ") + GCSCOPE_TEST_AGENT + " 2>&1");
    if (dynamic.find("not found") != std::string::npos)
        GTEST_SKIP() << "readelf is not available";
    EXPECT_EQ(dynamic.find("libstdc++"), std::string::npos);
    EXPECT_EQ(dynamic.find("libpython"), std::string::npos);
    // One .init_array slot: the toolchain's frame_dummy. Nothing of ours or of the C++ runtime.
    auto sections = run(std::string("readelf -W -S ") + GCSCOPE_TEST_AGENT);
    auto at = sections.find(".init_array");
    ASSERT_NE(at, std::string::npos);
    std::istringstream fields(sections.substr(at, sections.find('\n', at) - at));
    std::string section, type, address, offset, size;
    fields >> section >> type >> address >> offset >> size;
    EXPECT_EQ(std::stoul(size, nullptr, 16), 8u) << sections.substr(at, 120);
}

} // namespace
