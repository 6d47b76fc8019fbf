#include "discovery/python_binary.h"

#include "discovery/elf_symbols.h"

#include <algorithm>

namespace gcscope::discovery {

namespace {
std::string_view baseName(std::string_view path)
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Py_Version is `const unsigned long` (8 bytes on x86-64) holding PY_VERSION_HEX.
std::optional<PythonVersion> readPyVersion(const ElfSymbols& elf)
{
    const ElfSymbol* symbol = elf.find("Py_Version");
    if (!symbol || symbol->size < 4 || symbol->size > 8)
        return std::nullopt;
    auto bytes = elf.readAt(symbol->value, static_cast<std::size_t>(symbol->size));
    if (!bytes)
        return std::nullopt;
    std::uint32_t hex = 0;
    for (std::size_t i = 0; i < 4; ++i)
        hex |= static_cast<std::uint32_t>((*bytes)[i]) << (8 * i);
    return versionFromHex(hex);
}

// The executable first: when it embeds the interpreter it is the one that counts.
std::vector<const Mapping*> candidates(const std::vector<Mapping>& maps, const std::string& exePath)
{
    std::vector<const Mapping*> result;
    for (const Mapping* file : mappedFiles(maps)) {
        const bool isExe = file->path == exePath;
        const bool isLibpython = baseName(file->path).starts_with("libpython");
        if (isExe)
            result.insert(result.begin(), file);
        else if (isLibpython)
            result.push_back(file);
    }
    return result;
}
} // namespace

std::optional<PythonBinary> findPythonBinary(pid_t pid, const std::vector<Mapping>& maps, const std::string& exePath)
{
    std::optional<PythonBinary> byName;
    for (const Mapping* file : candidates(maps, exePath)) {
        std::string error;
        auto elf = ElfSymbols::load(openablePathOf(pid, *file), error, ElfSymbols::Tables::Dynamic);
        if (!elf)
            continue;
        PythonBinary binary;
        binary.path = file->path;
        if (const ElfSymbol* runtime = elf->find("_PyRuntime")) {
            const Mapping* first = firstMappingOf(maps, *file);
            if (auto bias = loadBias(*first, *elf))
                binary.runtimeAddress = *bias + runtime->value;
        }
        // Free-threaded builds (3.13t and later) export their shared-refcount functions.
        binary.freeThreaded = elf->find("_Py_DecRefShared") || elf->find("_Py_MergeZeroLocalRefcount");
        if ((binary.version = readPyVersion(*elf)))
            return binary;
        // Before 3.11 there is no Py_Version: the file name (python3.10, libpython3.10.so) tells major.minor.
        if (!byName && (binary.version = versionFromFileName(file->path)))
            byName = binary;
    }
    return byName;
}

} // namespace gcscope::discovery
