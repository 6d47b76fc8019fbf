#include "Writeback.h"

#include <fcntl.h>
#include <unistd.h>

namespace gcscope::storage {

namespace {
constexpr std::size_t kNudgeEvery = std::size_t { 8 } << 20;
}

Writeback::Writeback(std::string path)
    : path_(std::move(path))
{
}

Writeback::~Writeback()
{
    for (const int fd : fds_)
        if (fd >= 0)
            ::close(fd);
}

void Writeback::wrote(std::size_t bytes)
{
    pending_ += bytes;
    if (pending_ < kNudgeEvery)
        return;
    pending_ = 0;
    nudge();
}

void Writeback::nudge()
{
    if (!opened_) {
        opened_ = true;
        // Read-only descriptors of our own: writeback works on the file, whoever wrote it.
        fds_[0] = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        fds_[1] = ::open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    }
    for (const int fd : fds_)
        if (fd >= 0)
            ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); // best effort: an error only loses the head start
}

} // namespace gcscope::storage
