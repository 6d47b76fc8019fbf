#include "util/private_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace gcscope::util {

PrivateDirectory::PrivateDirectory(uid_t owner)
    : owner_(owner)
{
    std::string base = "/tmp";
    // $XDG_RUNTIME_DIR belongs to the profiler's user; the target of another user could not enter it.
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg && owner == geteuid())
        base = xdg;
    create(base);
    insidePath_ = path_;
}

PrivateDirectory::PrivateDirectory(uid_t owner, const std::string& base, const std::string& insideBase)
    : owner_(owner)
{
    create(base);
    insidePath_ = insideBase + path_.substr(base.size());
}

void PrivateDirectory::create(const std::string& base)
{
    const uid_t owner = owner_;
    std::string templ = base + "/gcscope-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) // mkdtemp creates it 0700
        throw std::runtime_error("cannot create a private directory in " + base + ": " + std::strerror(errno));
    path_ = buf.data();
    if (owner != geteuid() && chown(path_.c_str(), owner, static_cast<gid_t>(-1)) != 0) {
        int err = errno;
        rmdir(path_.c_str());
        throw std::runtime_error(
            "cannot hand " + path_ + " to uid " + std::to_string(owner) + ": " + std::strerror(err));
    }
}

PrivateDirectory::~PrivateDirectory()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace gcscope::util
