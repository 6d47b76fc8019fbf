// Writing into (and reading strings from) the memory of a process we have ptrace-attached, through
// /proc/PID/mem, which also writes pages the target itself could not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace gcscope::inject {

class RemoteMemory {
public:
    explicit RemoteMemory(pid_t pid);
    ~RemoteMemory();
    RemoteMemory(const RemoteMemory&) = delete;
    RemoteMemory& operator=(const RemoteMemory&) = delete;

    void write(std::uint64_t address, const void* data, std::size_t size); // throws InjectError
    void writeString(std::uint64_t address, const std::string& s); // with its terminating NUL

    // The NUL-terminated string at `address`, at most `maxLength` bytes; throws when unreadable.
    std::string readString(std::uint64_t address, std::size_t maxLength = 4096) const;

private:
    pid_t pid_;
    int fd_ = -1;
};

} // namespace gcscope::inject
