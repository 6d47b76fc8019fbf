#include "session/agent_listener.h"

#include "util/random_token.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace gcscope::session {

using Clock = std::chrono::steady_clock;

AgentListener::AgentListener(uid_t targetUid)
    : AgentListener(std::make_unique<util::PrivateDirectory>(targetUid))
{
}

AgentListener::AgentListener(std::unique_ptr<util::PrivateDirectory> directory)
    : dir_(std::move(directory))
    , socketPath_(dir_->path() + "/agent.sock")
    , insideSocketPath_(dir_->insidePath() + "/agent.sock")
    , token_(util::randomTokenHex(wire::kTokenHexLength / 2))
{
    listen();
}

void AgentListener::listen()
{
    const uid_t targetUid = dir_->owner();
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (socketPath_.size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path too long: " + socketPath_);
    std::memcpy(addr.sun_path, socketPath_.c_str(), socketPath_.size() + 1);
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0)
        throw std::runtime_error(std::string("cannot create a socket: ") + std::strerror(errno));
    // Bind with a restrictive umask so the socket is never reachable by others, not even briefly.
    mode_t old = umask(0177);
    int rc = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (rc != 0 || ::listen(fd_, 4) != 0 || chmod(socketPath_.c_str(), 0600) != 0
        || (targetUid != geteuid() && chown(socketPath_.c_str(), targetUid, static_cast<gid_t>(-1)) != 0)) {
        int err = errno;
        ::close(fd_);
        throw std::runtime_error("cannot listen on " + socketPath_ + ": " + std::strerror(err));
    }
}

AgentListener::~AgentListener()
{
    if (fd_ >= 0)
        ::close(fd_);
}

std::string AgentListener::agentConfig() const
{
    return wire::AgentConfig { insideSocketPath_, token_ }.format();
}

AgentConnection AgentListener::accept(
    pid_t pid, std::chrono::milliseconds timeout, wire::HelloRecord& hello, pid_t pidInside)
{
    if (pidInside == 0)
        pidInside = pid;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            throw std::runtime_error("the agent in PID " + std::to_string(pid) + " did not connect within "
                + std::to_string(timeout.count() / 1000) + " s");
        pollfd p { fd_, POLLIN, 0 };
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        int cfd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0)
            continue;
        AgentConnection conn(cfd);
        ucred cred {};
        socklen_t len = sizeof cred;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.pid != pid)
            continue; // not the target: drop it and keep waiting
        Frame f;
        auto helloLeft = std::min<std::chrono::milliseconds>(
            std::chrono::seconds(5), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
        if (conn.read(f, helloLeft) != AgentConnection::ReadStatus::Frame || f.type != wire::MessageType::Hello)
            continue;
        auto h = wire::decodeAs<wire::HelloRecord>(f.payload);
        if (!h || h->token != token_ || h->pid != static_cast<std::uint32_t>(pidInside))
            continue;
        hello = *h;
        return conn;
    }
}

} // namespace gcscope::session
