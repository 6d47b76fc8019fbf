#include "profiler_connection.h"

#include "agent_lifecycle.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {
// The uid a process of an outer user namespace shows as when its own has no mapping in ours
// (/proc/sys/kernel/overflowuid, 65534 unless changed).
uid_t overflowUid()
{
    uid_t uid = 65534;
    if (FILE* f = std::fopen("/proc/sys/kernel/overflowuid", "re")) {
        unsigned value = 0;
        if (std::fscanf(f, "%u", &value) == 1)
            uid = static_cast<uid_t>(value);
        std::fclose(f);
    }
    return uid;
}

// The profiler must be our own user or root. In a rootless container it is the host's root, which
// our user namespace cannot name: it shows as the overflow uid, from outside our PID namespace
// (pid 0). A process inside the container always has a pid here.
bool trustedPeer(const ucred& peer)
{
    if (peer.uid == geteuid() || peer.uid == 0)
        return true;
    return peer.pid == 0 && peer.uid == overflowUid();
}

constexpr int kSendTimeoutSeconds = 2;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxFramesPerRead = 64;
} // namespace

bool ProfilerConnection::connect(const std::string& path, std::string& error)
{
    close();
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        error = "socket path too long";
        return false;
    }
    std::memcpy(address.sun_path, path.data(), path.size());

    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    timeval timeout { kSendTimeoutSeconds, 0 };
    // On Unix sockets the send timeout also bounds connect().
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    int rc;
    do
        rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        error = std::string("connect: ") + std::strerror(errno);
        close();
        return false;
    }
    ucred peer {};
    socklen_t length = sizeof peer;
    if (getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &peer, &length) < 0 || !trustedPeer(peer)) {
        error = "the socket's owner is neither our user nor root";
        close();
        return false;
    }
    noteConnectionFd(fd_);
    return true;
}

bool ProfilerConnection::sendFrame(wire::MessageType type, std::string_view prefix, std::string_view body)
{
    const std::size_t length = prefix.size() + body.size();
    if (fd_ < 0 || length > wire::kMaxPayload)
        return false;
    const std::string header = wire::encodeHeader(type, static_cast<std::uint32_t>(length));
    iovec parts[3] = {
        { const_cast<char*>(header.data()), header.size() },
        { const_cast<char*>(prefix.data()), prefix.size() },
        { const_cast<char*>(body.data()), body.size() },
    };
    iovec* next = parts;
    std::size_t count = 3;
    while (count > 0) {
        msghdr message {};
        message.msg_iov = next;
        message.msg_iovlen = count;
        ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; // EAGAIN here is the 2 s timeout: the profiler stopped reading
        // Drop what was written: whole parts, then the front of a partly written one.
        auto written = static_cast<std::size_t>(n);
        while (count > 0 && written >= next->iov_len) {
            written -= next->iov_len;
            ++next;
            --count;
        }
        if (count > 0) {
            next->iov_base = static_cast<char*>(next->iov_base) + written;
            next->iov_len -= written;
        }
    }
    return true;
}

ProfilerConnection::ReadResult ProfilerConnection::readAvailable(std::vector<IncomingFrame>& frames, std::string& error)
{
    if (fd_ < 0)
        return ReadResult::Closed;
    char chunk[kReadChunk];
    for (;;) {
        std::size_t want = std::min(reader_.wanted(), sizeof chunk);
        ssize_t n = ::recv(fd_, chunk, want, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return ReadResult::Ok;
        if (n < 0) {
            error = std::string("recv: ") + std::strerror(errno);
            return ReadResult::Closed;
        }
        if (n == 0)
            return ReadResult::Closed;
        reader_.append(std::string_view(chunk, static_cast<std::size_t>(n)));
        IncomingFrame frame;
        for (;;) {
            auto result = reader_.next(frame, error);
            if (result == FrameReader::Result::Bad)
                return ReadResult::Bad;
            if (result == FrameReader::Result::NeedMore)
                break;
            frames.push_back(std::move(frame));
        }
        if (frames.size() >= kMaxFramesPerRead)
            return ReadResult::Ok; // poll() says when there is more
    }
}

void ProfilerConnection::close()
{
    if (fd_ >= 0) {
        noteConnectionFd(-1); // before close(): a fork in between must not close a reused number
        ::close(fd_);
    }
    fd_ = -1;
    reader_ = FrameReader {};
}

} // namespace gcscope::agent
