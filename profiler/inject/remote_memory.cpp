#include "inject/remote_memory.h"

#include "discovery/remote_read.h"
#include "inject/address_text.h"
#include "inject/inject_error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace gcscope::inject {

RemoteMemory::RemoteMemory(pid_t pid)
    : pid_(pid)
{
}

RemoteMemory::~RemoteMemory()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void RemoteMemory::write(std::uint64_t address, const void* data, std::size_t size)
{
    if (fd_ < 0) {
        fd_ = ::open(("/proc/" + std::to_string(pid_) + "/mem").c_str(), O_RDWR | O_CLOEXEC);
        if (fd_ < 0)
            throw InjectError("cannot open /proc/" + std::to_string(pid_) + "/mem: " + std::strerror(errno));
    }
    const ssize_t n = ::pwrite(fd_, data, size, static_cast<off_t>(address));
    if (n != static_cast<ssize_t>(size))
        throw InjectError("cannot write " + std::to_string(size) + " bytes at " + addressText(address)
            + " in the target: " + (n < 0 ? std::strerror(errno) : "short write"));
}

void RemoteMemory::writeString(std::uint64_t address, const std::string& s)
{
    write(address, s.c_str(), s.size() + 1);
}

std::string RemoteMemory::readString(std::uint64_t address, std::size_t maxLength) const
{
    // Read in small chunks that do not cross a page: the string may end just before an unmapped page.
    constexpr std::uint64_t kPage = 4096;
    std::string s;
    while (s.size() < maxLength) {
        char chunk[256];
        const std::uint64_t toPageEnd = kPage - (address % kPage);
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof chunk, toPageEnd));
        if (!discovery::readRemote(pid_, address, chunk, n))
            throw InjectError("cannot read target memory at " + addressText(address) + ": " + std::strerror(errno));
        const void* nul = std::memchr(chunk, '\0', n);
        s.append(chunk, nul ? static_cast<const char*>(nul) - chunk : n);
        if (nul)
            break;
        address += n;
    }
    if (s.size() > maxLength)
        s.resize(maxLength);
    return s;
}

} // namespace gcscope::inject
