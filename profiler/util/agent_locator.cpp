#include "util/agent_locator.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace gcscope::util {

namespace {
constexpr std::string_view kPrefix = "libgcscope_agent_";
constexpr std::string_view kSuffix = ".so";

std::vector<std::string> formsIn(const fs::path& directory)
{
    std::vector<std::string> forms;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > kPrefix.size() + kSuffix.size() && name.starts_with(kPrefix) && name.ends_with(kSuffix)
            && entry.is_regular_file(ec))
            forms.push_back(name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size()));
    }
    std::sort(forms.begin(), forms.end());
    return forms;
}
} // namespace

std::string AgentLibraries::fileFor(const std::string& form) const
{
    if (!overrideFile.empty())
        return overrideFile;
    return (fs::path(directory) / (std::string(kPrefix) + form + std::string(kSuffix))).string();
}

std::string executableDirectory()
{
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : exe.parent_path().string();
}

AgentLibraries locateAgentLibraries()
{
    AgentLibraries found;
    if (const char* env = std::getenv("GCSCOPE_AGENT"); env && *env) {
        std::error_code ec;
        if (fs::is_regular_file(env, ec)) {
            found.overrideFile = fs::canonical(env).string();
            found.directory = fs::path(found.overrideFile).parent_path().string();
            found.forms = formsIn(found.directory);
            return found;
        }
        if (!fs::is_directory(env, ec))
            throw std::runtime_error(
                std::string("GCSCOPE_AGENT names ") + env + ", which is neither a file nor a folder");
        found.directory = fs::canonical(env).string();
        found.forms = formsIn(found.directory);
        if (found.forms.empty())
            throw std::runtime_error(
                std::string("GCSCOPE_AGENT names ") + env + ", which holds no libgcscope_agent_*.so");
        return found;
    }
    const fs::path installed = fs::path(executableDirectory()) / GCSCOPE_AGENT_RELATIVE_TO_BIN;
    const fs::path built = GCSCOPE_BUILD_AGENT_DIR;
    for (const auto& candidate : { installed, built }) {
        auto forms = formsIn(candidate);
        if (!forms.empty()) {
            found.directory = fs::canonical(candidate).string();
            found.forms = std::move(forms);
            return found;
        }
    }
    throw std::runtime_error("cannot find the gcscope agent (looked in " + installed.lexically_normal().string()
        + " and " + built.string() + "); set GCSCOPE_AGENT to its folder");
}

std::string forcedAgentForm()
{
    const char* env = std::getenv("GCSCOPE_AGENT_FORM");
    return env ? std::string(env) : std::string {};
}

} // namespace gcscope::util
