#include "discovery/remote_read.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/uio.h>
#include <unistd.h>

namespace gcscope::discovery {

bool readRemote(pid_t pid, std::uint64_t address, void* out, std::size_t size)
{
    iovec local { out, size };
    iovec remote { reinterpret_cast<void*>(address), size };
    if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(size))
        return true;

    const int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(address));
    const int savedErrno = errno;
    ::close(fd);
    errno = savedErrno;
    if (n >= 0 && static_cast<std::size_t>(n) != size)
        errno = EIO;
    return n == static_cast<ssize_t>(size);
}

} // namespace gcscope::discovery
