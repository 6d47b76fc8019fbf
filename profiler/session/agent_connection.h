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
    bool takeDirectFrame(Frame& out);
    int fd_ = -1;
    // What was read and not yet taken: buffer_ from consumed_ on.
    std::string buffer_;
    std::size_t consumed_ = 0;
    // A big frame (a snapshot's chunks are about 1 MiB) is read straight into its payload, which
    // takes the capacity of the caller's last one: no copy through buffer_, no fresh memory a frame.
    std::string direct_;
    std::size_t directHave_ = 0;
    wire::MessageType directType_ {};
    bool directPending_ = false;
    std::string error_;
};

} // namespace gcscope::session
