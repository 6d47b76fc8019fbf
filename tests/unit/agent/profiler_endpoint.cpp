#include "profiler_endpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace gcscope::test {

namespace {

int remainingMs(std::chrono::steady_clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

} // namespace

ProfilerEndpoint::ProfilerEndpoint()
{
    char pattern[] = "/tmp/gcscope-agent-test-XXXXXX";
    if (!mkdtemp(pattern)) // mkdtemp creates it 0700
        return;
    directory_ = pattern;
    listenIn(directory_);
}

ProfilerEndpoint::ProfilerEndpoint(const std::string& directory, const std::string& insideDirectory)
    : insideSocketPath_(insideDirectory + "/agent.sock")
{
    listenIn(directory);
}

void ProfilerEndpoint::listenIn(const std::string& directory)
{
    socketPath_ = directory + "/agent.sock";
    if (insideSocketPath_.empty())
        insideSocketPath_ = socketPath_;

    std::random_device random;
    const char* hex = "0123456789abcdef";
    for (std::size_t i = 0; i < wire::kTokenHexLength; ++i)
        token_ += hex[random() % 16];

    listenFd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socketPath_.c_str());
    if (bind(listenFd_, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0
        || chmod(socketPath_.c_str(), 0600) < 0 || listen(listenFd_, 4) < 0) {
        close(listenFd_);
        listenFd_ = -1;
    }
}

ProfilerEndpoint::~ProfilerEndpoint()
{
    closeConnection();
    if (listenFd_ >= 0)
        close(listenFd_);
    if (!socketPath_.empty())
        unlink(socketPath_.c_str());
    if (!directory_.empty())
        rmdir(directory_.c_str());
}

std::string ProfilerEndpoint::config() const
{
    wire::AgentConfig c;
    c.socketPath = insideSocketPath_;
    c.token = token_;
    return c.format();
}

bool ProfilerEndpoint::accept(std::chrono::milliseconds timeout)
{
    closeConnection();
    pollfd p { listenFd_, POLLIN, 0 };
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1)
        return false;
    fd_ = accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    eof_ = false;
    buffer_.clear();
    return fd_ >= 0;
}

bool ProfilerEndpoint::fill(std::size_t bytes, std::chrono::steady_clock::time_point deadline)
{
    while (buffer_.size() < bytes) {
        if (fd_ < 0)
            return false;
        pollfd p { fd_, POLLIN, 0 };
        int n = poll(&p, 1, remainingMs(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        char chunk[65536];
        ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
}

std::optional<Frame> ProfilerEndpoint::read(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!fill(wire::kHeaderSize, deadline))
        return std::nullopt;
    wire::FrameHeader header;
    if (wire::decodeHeader(buffer_.data(), header) != wire::HeaderError::None)
        return std::nullopt;
    if (!fill(wire::kHeaderSize + header.length, deadline))
        return std::nullopt;
    Frame frame { header.type, buffer_.substr(wire::kHeaderSize, header.length) };
    buffer_.erase(0, wire::kHeaderSize + header.length);
    return frame;
}

std::optional<Frame> ProfilerEndpoint::readUntil(const std::function<bool(const Frame&)>& match,
    std::chrono::milliseconds timeout, const std::function<void(const Frame&)>& seen)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        auto frame = read(left);
        if (!frame)
            return std::nullopt;
        if (match(*frame))
            return frame;
        if (seen)
            seen(*frame);
    }
}

std::optional<Frame> ProfilerEndpoint::readType(wire::MessageType type, std::chrono::milliseconds timeout)
{
    return readUntil([type](const Frame& f) { return f.type == type; }, timeout);
}

bool ProfilerEndpoint::waitForClose(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        buffer_.clear();
        if (!fill(1, deadline) && !eof_)
            return false;
    }
    return true;
}

bool ProfilerEndpoint::sendRaw(std::string_view bytes)
{
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool ProfilerEndpoint::send(wire::MessageType type, std::string_view payload)
{
    return sendRaw(wire::frame(type, payload));
}

void ProfilerEndpoint::closeConnection()
{
    if (fd_ >= 0)
        close(fd_);
    fd_ = -1;
}

} // namespace gcscope::test
