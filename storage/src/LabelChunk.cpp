#include "LabelChunk.h"

#include <charconv>
#include <stdexcept>

namespace gcscope::storage {

namespace {
void putNumber(std::vector<unsigned char>& out, std::uint64_t value)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.insert(out.end(), digits, end);
    out.push_back(',');
}
} // namespace

void LabelChunkBuilder::add(std::uint32_t id, std::string_view text)
{
    if (strings_ == 0) { // a new chunk: the last one's blob goes
        blob_.clear();
        firstId_ = lastId_ = id;
    } else if (id <= lastId_) {
        throw std::invalid_argument("label ids must increase within a chunk");
    }
    putNumber(blob_, id - lastId_);
    putNumber(blob_, text.size());
    blob_.insert(blob_.end(), text.begin(), text.end());
    lastId_ = id;
    ++strings_;
}

const std::vector<unsigned char>& LabelChunkBuilder::finish()
{
    strings_ = 0;
    return blob_;
}

} // namespace gcscope::storage
