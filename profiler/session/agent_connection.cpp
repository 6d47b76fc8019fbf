#include "session/agent_connection.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace gcscope::session {

using Clock = std::chrono::steady_clock;

AgentConnection::AgentConnection(int fd)
    : fd_(fd)
{
}

AgentConnection::~AgentConnection()
{
    close();
}

AgentConnection::AgentConnection(AgentConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , buffer_(std::move(other.buffer_))
    , error_(std::move(other.error_))
{
}

AgentConnection& AgentConnection::operator=(AgentConnection&& other) noexcept
{
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
        error_ = std::move(other.error_);
    }
    return *this;
}

void AgentConnection::close()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

bool AgentConnection::send(const std::string& frame, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    std::size_t sent = 0;
    while (fd_ >= 0 && sent < frame.size()) {
        ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0)
                return false;
            pollfd p { fd_, POLLOUT, 0 };
            poll(&p, 1, static_cast<int>(left));
            continue;
        }
        return false;
    }
    return fd_ >= 0;
}

bool AgentConnection::takeBufferedFrame(Frame& out, ReadStatus& status)
{
    if (buffer_.size() < wire::kHeaderSize)
        return false;
    wire::FrameHeader h;
    if (auto err = wire::decodeHeader(buffer_.data(), h); err != wire::HeaderError::None) {
        error_ = wire::describe(err);
        status = ReadStatus::ProtocolError;
        return true;
    }
    if (wire::isCommand(h.type)) {
        error_ = "the agent sent a command frame";
        status = ReadStatus::ProtocolError;
        return true;
    }
    if (buffer_.size() < wire::kHeaderSize + h.length)
        return false;
    out.type = h.type;
    out.payload.assign(buffer_, wire::kHeaderSize, h.length);
    buffer_.erase(0, wire::kHeaderSize + h.length);
    status = ReadStatus::Frame;
    return true;
}

AgentConnection::ReadStatus AgentConnection::read(Frame& out, std::chrono::milliseconds timeout)
{
    ReadStatus status = ReadStatus::Timeout;
    if (takeBufferedFrame(out, status))
        return status;
    if (fd_ < 0)
        return ReadStatus::Closed;
    const auto deadline = Clock::now() + timeout;
    char chunk[64 * 1024];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p { fd_, POLLIN, 0 };
        int r = poll(&p, 1, static_cast<int>(left < 0 ? 0 : left));
        if (r < 0 && errno == EINTR)
            return ReadStatus::Timeout; // let the caller look at its signal flags
        if (r <= 0)
            return ReadStatus::Timeout;
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return ReadStatus::Closed;
        if (n > 0)
            buffer_.append(chunk, static_cast<std::size_t>(n));
        if (takeBufferedFrame(out, status))
            return status;
        if (Clock::now() >= deadline)
            return ReadStatus::Timeout;
    }
}

} // namespace gcscope::session
