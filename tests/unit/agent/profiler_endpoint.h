// The test's stand-in for the profiler: a private 0700 directory holding a 0600 listening socket,
// the configuration string handed to the agent, and frame-level reads and writes with timeouts.
#pragma once

#include <gcscope/wire.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gcscope::test {

using namespace std::chrono_literals;

struct Frame {
    wire::MessageType type {};
    std::string payload;

    template <typename Record> Record as() const
    {
        auto r = wire::decodeAs<Record>(payload);
        return r ? *r : Record {};
    }
    template <typename Record> bool decodes() const { return wire::decodeAs<Record>(payload).has_value(); }
};

class ProfilerEndpoint {
public:
    ProfilerEndpoint();
    // Its socket in `directory` (as this process sees it), named `insideDirectory` to the agent.
    ProfilerEndpoint(const std::string& directory, const std::string& insideDirectory);
    ~ProfilerEndpoint();
    ProfilerEndpoint(const ProfilerEndpoint&) = delete;
    ProfilerEndpoint& operator=(const ProfilerEndpoint&) = delete;

    bool listening() const { return listenFd_ >= 0; }
    const std::string& token() const { return token_; }
    std::string config() const;

    // Accepts the next agent connection (closing any previous one).
    bool accept(std::chrono::milliseconds timeout = 5s);
    bool connected() const { return fd_ >= 0; }

    // The next frame, or nullopt on timeout, EOF (then eof() is true) or a bad frame.
    std::optional<Frame> read(std::chrono::milliseconds timeout = 5s);
    // Reads until `match` accepts a frame; the frames seen before it are passed to `seen`.
    std::optional<Frame> readUntil(const std::function<bool(const Frame&)>& match,
        std::chrono::milliseconds timeout = 5s, const std::function<void(const Frame&)>& seen = {});
    std::optional<Frame> readType(wire::MessageType type, std::chrono::milliseconds timeout = 5s);
    bool eof() const { return eof_; }
    // True once the agent closed its end (frames before that are skipped).
    bool waitForClose(std::chrono::milliseconds timeout = 3s);

    bool sendRaw(std::string_view bytes);
    bool send(wire::MessageType type, std::string_view payload = {});
    template <typename Record> bool sendRecord(wire::MessageType type, const Record& record)
    {
        return sendRaw(wire::frameOf(type, record));
    }

    void closeConnection();

private:
    bool fill(std::size_t bytes, std::chrono::steady_clock::time_point deadline);

    void listenIn(const std::string& directory);

    std::string directory_; // made (and removed) by the endpoint itself, when it chose the place
    std::string socketPath_;
    std::string insideSocketPath_;
    std::string token_;
    int listenFd_ = -1;
    int fd_ = -1;
    bool eof_ = false;
    std::string buffer_;
};

} // namespace gcscope::test
