#include "util/oom_priority.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gcscope::util {

namespace {

constexpr int kFirst = 1000; // the top of the scale: ended before any process not set so

std::mutex& startLock()
{
    static std::mutex lock;
    return lock;
}

std::optional<int>& startedWith() // set once raised
{
    static std::optional<int> value;
    return value;
}

bool writeAdjustment(int value)
{
    const int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const std::string text = std::to_string(value);
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return written;
}

} // namespace

std::optional<int> oomScoreAdjustment()
{
    const int fd = ::open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    char text[16] = {};
    const ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0)
        return std::nullopt;
    return std::atoi(text);
}

bool goFirstWhenMemoryRunsOut()
{
    std::lock_guard lock(startLock());
    if (startedWith())
        return true;
    const auto now = oomScoreAdjustment();
    if (!now || !writeAdjustment(kFirst))
        return false;
    startedWith() = *now;
    return true;
}

ProgramStart::ProgramStart()
    : lock_(startLock())
{
    if (const auto& original = startedWith(); original && *original != kFirst)
        lowered_ = writeAdjustment(*original);
}

ProgramStart::~ProgramStart()
{
    if (lowered_)
        writeAdjustment(kFirst);
}

} // namespace gcscope::util
