#include "util/agent_locator.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace gcscope::util {

std::string executableDirectory()
{
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : exe.parent_path().string();
}

std::string locateAgentLibrary()
{
    static constexpr const char* kFileName = "libgcscope_agent.so";
    if (const char* env = std::getenv("GCSCOPE_AGENT"); env && *env) {
        if (!fs::is_regular_file(env))
            throw std::runtime_error(std::string("GCSCOPE_AGENT names ") + env + ", which is not a file");
        return fs::canonical(env).string();
    }
    const fs::path installed = fs::path(executableDirectory()) / GCSCOPE_AGENT_RELATIVE_TO_BIN / kFileName;
    const fs::path built = GCSCOPE_BUILD_AGENT_PATH;
    for (const auto& candidate : { installed, built }) {
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec))
            return fs::canonical(candidate).string();
    }
    throw std::runtime_error("cannot find the gcscope agent (looked at " + installed.lexically_normal().string()
        + " and " + built.string() + "); set GCSCOPE_AGENT to its path");
}

} // namespace gcscope::util
