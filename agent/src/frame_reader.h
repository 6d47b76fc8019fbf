// Assembles the profiler's frames from whatever bytes the socket delivered. It never holds more
// than one frame (header + at most kMaxPayload) and rejects a bad header as soon as it is complete.
#pragma once

#include <gcscope/wire.h>

#include <string>
#include <string_view>

namespace gcscope::agent {

struct IncomingFrame {
    wire::MessageType type {};
    std::string payload;
};

class FrameReader {
public:
    enum class Result { Frame, NeedMore, Bad };

    void append(std::string_view bytes) { buffer_.append(bytes); }
    // How many more bytes complete the frame being read (at least 1), to bound the next read.
    std::size_t wanted() const;
    // Takes one complete frame off the buffer. On Bad, `error` says what was wrong.
    Result next(IncomingFrame& frame, std::string& error);

private:
    std::string buffer_;
};

} // namespace gcscope::agent
