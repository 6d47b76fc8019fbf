// The profiler's end of one agent connection: whole frames in and out, every wait bounded.
#pragma once

#include <gcscope/wire.h>

#include <chrono>
#include <optional>
#include <string>

namespace gcscope::session {

struct Frame {
    wire::MessageType type {};
    std::string payload;
};

class AgentConnection {
public:
    AgentConnection() = default;
    explicit AgentConnection(int fd);
    ~AgentConnection();
    AgentConnection(AgentConnection&& other) noexcept;
    AgentConnection& operator=(AgentConnection&& other) noexcept;
    AgentConnection(const AgentConnection&) = delete;
    AgentConnection& operator=(const AgentConnection&) = delete;

    int fd() const { return fd_; }
    bool open() const { return fd_ >= 0; }
    void close();

    // Sends a whole frame; false when the agent is gone or the send timed out.
    bool send(const std::string& frame, std::chrono::milliseconds timeout = std::chrono::seconds(2));

    enum class ReadStatus { Frame, Timeout, Closed, ProtocolError };
    // Reads what the socket has and returns the next whole frame, waiting at most `timeout`.
    // ProtocolError sets error() (bad magic, version, oversize...).
    ReadStatus read(Frame& out, std::chrono::milliseconds timeout);
    const std::string& error() const { return error_; }

private:
    bool takeBufferedFrame(Frame& out, ReadStatus& status);
    int fd_ = -1;
    std::string buffer_;
    std::string error_;
};

} // namespace gcscope::session
