#include "session/agent_connection.h"

#include <cerrno>
#include <cstring>
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
    , consumed_(std::exchange(other.consumed_, 0))
    , direct_(std::move(other.direct_))
    , directHave_(std::exchange(other.directHave_, 0))
    , directType_(other.directType_)
    , directPending_(std::exchange(other.directPending_, false))
    , error_(std::move(other.error_))
{
}

AgentConnection& AgentConnection::operator=(AgentConnection&& other) noexcept
{
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
        consumed_ = std::exchange(other.consumed_, 0);
        direct_ = std::move(other.direct_);
        directHave_ = std::exchange(other.directHave_, 0);
        directType_ = other.directType_;
        directPending_ = std::exchange(other.directPending_, false);
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

namespace {
// Frames at least this big are read straight into their payload once their header is in.
constexpr std::size_t kDirectBytes = 64 * 1024;
// What one recv into buffer_ asks for.
constexpr std::size_t kReadBytes = 64 * 1024;
} // namespace

bool AgentConnection::takeBufferedFrame(Frame& out, ReadStatus& status)
{
    if (directPending_)
        return takeDirectFrame(out);
    const std::size_t have = buffer_.size() - consumed_;
    if (have < wire::kHeaderSize)
        return false;
    const char* at = buffer_.data() + consumed_;
    wire::FrameHeader h;
    if (auto err = wire::decodeHeader(at, h); err != wire::HeaderError::None) {
        error_ = wire::describe(err);
        status = ReadStatus::ProtocolError;
        return true;
    }
    if (wire::isCommand(h.type)) {
        error_ = "the agent sent a command frame";
        status = ReadStatus::ProtocolError;
        return true;
    }
    const std::size_t whole = wire::kHeaderSize + h.length;
    if (have < whole) {
        if (h.length < kDirectBytes)
            return false;
        // The rest goes straight into the payload; what came of it so far is copied there once.
        direct_.swap(out.payload);
        direct_.resize(h.length);
        directHave_ = have - wire::kHeaderSize;
        std::memcpy(direct_.data(), at + wire::kHeaderSize, directHave_);
        directType_ = h.type;
        directPending_ = true;
        buffer_.clear();
        consumed_ = 0;
        return false;
    }
    out.type = h.type;
    out.payload.assign(at + wire::kHeaderSize, h.length);
    consumed_ += whole;
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    }
    status = ReadStatus::Frame;
    return true;
}

bool AgentConnection::takeDirectFrame(Frame& out)
{
    if (directHave_ < direct_.size())
        return false;
    out.type = directType_;
    out.payload.swap(direct_); // the caller's old payload is the next big frame's room
    directPending_ = false;
    directHave_ = 0;
    return true;
}

AgentConnection::ReadStatus AgentConnection::read(Frame& out, std::chrono::milliseconds timeout)
{
    ReadStatus status = ReadStatus::Frame;
    if (takeBufferedFrame(out, status))
        return status;
    if (fd_ < 0)
        return ReadStatus::Closed;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p { fd_, POLLIN, 0 };
        int r = poll(&p, 1, static_cast<int>(left < 0 ? 0 : left));
        if (r < 0 && errno == EINTR)
            return ReadStatus::Timeout; // let the caller look at its signal flags
        if (r <= 0)
            return ReadStatus::Timeout;
        ssize_t n;
        if (directPending_) {
            n = ::recv(fd_, direct_.data() + directHave_, direct_.size() - directHave_, MSG_DONTWAIT);
            if (n > 0)
                directHave_ += static_cast<std::size_t>(n);
        } else {
            if (consumed_ > 0) { // what is left of the last read (less than a frame) to the front
                buffer_.erase(0, consumed_);
                consumed_ = 0;
            }
            const std::size_t old = buffer_.size();
            buffer_.resize(old + kReadBytes);
            n = ::recv(fd_, buffer_.data() + old, kReadBytes, MSG_DONTWAIT);
            buffer_.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            return ReadStatus::Closed;
        if (takeBufferedFrame(out, status))
            return status;
        if (Clock::now() >= deadline)
            return ReadStatus::Timeout;
    }
}

} // namespace gcscope::session
