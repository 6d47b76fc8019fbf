#include "discovery/elf_symbols.h"
#include "discovery/proc_maps.h"
#include "discovery/python_binary.h"
#include "test_support.h"

#include <dlfcn.h>
#include <elf.h>
#include <filesystem>
#include <gnu/libc-version.h>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace gcscope::discovery;
using namespace gcscope::test;

namespace {

std::uint32_t pyVersionIn(const std::string& elfPath)
{
    std::string error;
    auto elf = ElfSymbols::load(elfPath, error, ElfSymbols::Tables::Dynamic);
    if (!elf) {
        ADD_FAILURE() << error;
        return 0;
    }
    const ElfSymbol* symbol = elf->find("Py_Version");
    if (!symbol) {
        ADD_FAILURE() << "no Py_Version in " << elfPath;
        return 0;
    }
    auto bytes = elf->readAt(symbol->value, 4);
    if (!bytes) {
        ADD_FAILURE() << "Py_Version not in the file's data";
        return 0;
    }
    return (*bytes)[0] | (*bytes)[1] << 8 | (*bytes)[2] << 16 | static_cast<std::uint32_t>((*bytes)[3]) << 24;
}

std::uint32_t hexversionReportedBy(const std::string& python)
{
    return static_cast<std::uint32_t>(std::stoul(run(python + " -c 'import sys; print(sys.hexversion)'")));
}

} // namespace

TEST(ElfSymbols, GivenDebiansStaticPython_WhenPyVersionIsReadFromTheFile_ThenItEqualsSysHexversion)
{
    const std::string python = "/usr/bin/python3.11";
    if (!std::filesystem::exists(python))
        GTEST_SKIP() << python << " is not installed";
    EXPECT_EQ(pyVersionIn(python), hexversionReportedBy(python));
}

TEST(ElfSymbols, GivenPyenvsSharedLibpython_WhenPyVersionIsReadFromTheFile_ThenItEqualsSysHexversion)
{
    const std::string root = "/root/.pyenv/versions/3.11.7";
    if (!std::filesystem::exists(root + "/lib/libpython3.11.so"))
        GTEST_SKIP() << "pyenv's Python 3.11.7 (shared libpython) is not installed";
    EXPECT_EQ(pyVersionIn(root + "/lib/libpython3.11.so"), hexversionReportedBy(root + "/bin/python3.11"));
}

TEST(ElfSymbols, GivenGlibc_WhenDlopenIsLookedUp_ThenTheDefaultVersionIsChosenAndMatchesOurLoadedDlopen)
{
    // Find our own libc through our maps: the same search the injector makes in a target.
    std::string error;
    auto maps = readProcMaps(::getpid(), error);
    ASSERT_TRUE(maps) << error;
    const Mapping* libc = nullptr;
    for (const Mapping* file : mappedFiles(*maps)) {
        if (file->path.find("/libc.so") != std::string::npos)
            libc = file;
    }
    ASSERT_NE(libc, nullptr);
    auto elf = ElfSymbols::load(libc->path, error);
    ASSERT_TRUE(elf) << error;

    const ElfSymbol* dlopenSymbol = elf->find("dlopen");
    ASSERT_NE(dlopenSymbol, nullptr);
    EXPECT_TRUE(dlopenSymbol->defaultVersion);
    EXPECT_EQ(dlopenSymbol->type, STT_FUNC);
    if (gnu_get_libc_version()[0] == '2' && std::stoi(gnu_get_libc_version() + 2) >= 34) {
        EXPECT_EQ(dlopenSymbol->version, "GLIBC_2.34");
    }

    auto bias = loadBias(*firstMappingOf(*maps, *libc), *elf);
    ASSERT_TRUE(bias);
    // Through libc's own handle: with ASan, the global scope's dlopen is the sanitizer's wrapper.
    void* libcHandle = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    ASSERT_NE(libcHandle, nullptr);
    void* ours = ::dlsym(libcHandle, "dlopen");
    ::dlclose(libcHandle);
    EXPECT_EQ(*bias + dlopenSymbol->value, reinterpret_cast<std::uint64_t>(ours));
}

TEST(ElfSymbols, GivenAnAddressInsideMalloc_WhenNamed_ThenEveryAliasIsReturned)
{
    std::string error;
    auto elf = ElfSymbols::load("/lib/x86_64-linux-gnu/libc.so.6", error);
    ASSERT_TRUE(elf) << error;
    const ElfSymbol* malloc = elf->find("malloc");
    ASSERT_NE(malloc, nullptr);
    auto names = elf->functionNamesAt(malloc->value + malloc->size / 2);
    EXPECT_NE(std::find(names.begin(), names.end(), "malloc"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "__libc_malloc"), names.end());
    const auto before = elf->functionNamesAt(malloc->value - 1);
    EXPECT_EQ(std::find(before.begin(), before.end(), "malloc"), before.end());
}

TEST(ElfSymbols, GivenFilesThatAreNotElf_WhenLoaded_ThenTheErrorNamesTheFile)
{
    std::string error;
    EXPECT_FALSE(ElfSymbols::load("/nonexistent/libnothing.so", error));
    EXPECT_NE(error.find("/nonexistent/libnothing.so"), std::string::npos) << error;
    EXPECT_FALSE(ElfSymbols::load(targetScript(), error));
    EXPECT_NE(error.find("not an ELF file"), std::string::npos) << error;
}

TEST(ElfSymbols, GivenFileNames_WhenParsedForAVersion_ThenOnlyPythonNamesGiveOne)
{
    EXPECT_EQ(versionFromFileName("/usr/lib/libpython3.10.so.1.0")->str(), "3.10");
    EXPECT_EQ(versionFromFileName("python3.9")->minor, 9);
    EXPECT_EQ(versionFromFileName("libpython3.6m.so")->minor, 6);
    EXPECT_EQ(versionFromFileName("libpython3.13t.so.1.0")->minor, 13);
    EXPECT_FALSE(versionFromFileName("python3"));
    EXPECT_FALSE(versionFromFileName("python3.11-config"));
    EXPECT_FALSE(versionFromFileName("libc.so.6"));
    EXPECT_EQ(versionFromHex(0x030b02f0).str(), "3.11.2");
    EXPECT_EQ(versionFromHex(0x030d00c1).str(), "3.13.0rc1");
}
