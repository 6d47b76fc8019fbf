#include "frame_reader.h"

namespace gcscope::agent {

std::size_t FrameReader::wanted() const
{
    if (buffer_.size() < wire::kHeaderSize)
        return wire::kHeaderSize - buffer_.size();
    wire::FrameHeader header;
    if (wire::decodeHeader(buffer_.data(), header) != wire::HeaderError::None)
        return 1; // next() reports it
    std::size_t total = wire::kHeaderSize + header.length;
    return buffer_.size() < total ? total - buffer_.size() : 1;
}

FrameReader::Result FrameReader::next(IncomingFrame& frame, std::string& error)
{
    if (buffer_.size() < wire::kHeaderSize)
        return Result::NeedMore;
    wire::FrameHeader header;
    if (auto e = wire::decodeHeader(buffer_.data(), header); e != wire::HeaderError::None) {
        error = wire::describe(e);
        return Result::Bad;
    }
    if (buffer_.size() < wire::kHeaderSize + header.length)
        return Result::NeedMore;
    frame.type = header.type;
    frame.payload.assign(buffer_, wire::kHeaderSize, header.length);
    buffer_.erase(0, wire::kHeaderSize + header.length);
    return Result::Frame;
}

} // namespace gcscope::agent
