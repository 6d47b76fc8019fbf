#include "inject/target_loader.h"

#include "discovery/elf_symbols.h"

#include <dlfcn.h>

namespace gcscope::inject {

namespace {
constexpr int kRtldDlopen = static_cast<int>(0x80000000u); // glibc's internal __RTLD_DLOPEN

std::string_view baseName(std::string_view path)
{
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool isLibc(std::string_view name)
{
    return name.starts_with("libc.so") || name.starts_with("libc-2.");
}
bool isLibdl(std::string_view name)
{
    return name.starts_with("libdl.so") || name.starts_with("libdl-2.");
}

struct Loaded {
    const discovery::Mapping* mapping;
    discovery::ElfSymbols elf;
    std::uint64_t bias;
};

std::optional<Loaded> load(pid_t pid, const std::vector<discovery::Mapping>& maps, bool (*matches)(std::string_view))
{
    for (const discovery::Mapping* file : discovery::mappedFiles(maps)) {
        if (!matches(baseName(file->path)))
            continue;
        std::string error;
        auto elf = discovery::ElfSymbols::load(
            discovery::openablePathOf(pid, *file), error, discovery::ElfSymbols::Tables::Dynamic);
        auto bias = elf ? discovery::loadBias(*discovery::firstMappingOf(maps, *file), *elf) : std::nullopt;
        if (bias)
            return Loaded { file, std::move(*elf), *bias };
    }
    return std::nullopt;
}

std::uint64_t address(const Loaded& lib, const char* name)
{
    const discovery::ElfSymbol* s = lib.elf.find(name);
    return s ? lib.bias + s->value : 0;
}
} // namespace

std::optional<TargetLoader> findTargetLoader(pid_t pid, const std::vector<discovery::Mapping>& maps, std::string& error)
{
    auto libc = load(pid, maps, isLibc);
    if (!libc) {
        error = "no glibc (libc.so.6) mapped in the target";
        return std::nullopt;
    }
    TargetLoader loader;
    // glibc 2.34+: dlopen lives in libc. Older: in libdl when loaded (CPython links it), else the
    // internal __libc_dlopen_mode, which has no dlerror.
    std::optional<Loaded> libdl;
    const Loaded* provider = &*libc;
    if (!address(*libc, "dlopen") && (libdl = load(pid, maps, isLibdl)) && address(*libdl, "dlopen"))
        provider = &*libdl;
    if ((loader.dlopen = address(*provider, "dlopen"))) {
        loader.dlopenFlags = RTLD_NOW;
        loader.dlerror = address(*provider, "dlerror");
    } else if ((loader.dlopen = address(*libc, "__libc_dlopen_mode"))) {
        provider = &*libc;
        loader.dlopenFlags = RTLD_NOW | kRtldDlopen;
    } else {
        error = libc->mapping->path + " exports neither dlopen nor __libc_dlopen_mode";
        return std::nullopt;
    }
    loader.provider = provider->mapping->path;
    return loader;
}

std::uint64_t targetCLibraryFunction(pid_t pid, const std::vector<discovery::Mapping>& maps, const char* name)
{
    const auto libc = load(pid, maps, isLibc);
    return libc ? address(*libc, name) : 0;
}

} // namespace gcscope::inject
