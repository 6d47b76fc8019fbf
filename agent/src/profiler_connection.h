// The agent's end of the private Unix socket. Sends are blocking with a 2 s timeout and never
// raise SIGPIPE: a send that fails means the profiler is gone. Receives read only what the socket
// holds (after poll said so) and hand back whole frames.
#pragma once

#include "frame_reader.h"

#include <gcscope/wire.h>

#include <string>
#include <string_view>
#include <vector>

namespace gcscope::agent {

class ProfilerConnection {
public:
    ProfilerConnection() = default;
    ~ProfilerConnection() { close(); }
    ProfilerConnection(const ProfilerConnection&) = delete;
    ProfilerConnection& operator=(const ProfilerConnection&) = delete;

    // Connects and checks that the listening process runs as our effective user or root.
    bool connect(const std::string& path, std::string& error);

    bool send(wire::MessageType type, std::string_view payload) { return sendFrame(type, payload, {}); }
    // One frame whose payload is `prefix` followed by `body`, written without joining them.
    bool sendFrame(wire::MessageType type, std::string_view prefix, std::string_view body);
    template <typename Record> bool sendRecord(wire::MessageType type, const Record& record)
    {
        wire::Encoder e;
        record.encode(e);
        return send(type, std::string_view(e.bytes()));
    }

    enum class ReadResult { Ok, Closed, Bad };
    // Reads what is available without blocking and appends complete frames to `frames`.
    ReadResult readAvailable(std::vector<IncomingFrame>& frames, std::string& error);

    int fd() const { return fd_; }
    bool isOpen() const { return fd_ >= 0; }
    void close();

private:
    int fd_ = -1;
    FrameReader reader_;
};

} // namespace gcscope::agent
