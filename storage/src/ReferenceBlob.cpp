#include "ReferenceBlob.h"

#include "Varint.h"

#include <gcscope/wire.h>

namespace gcscope::storage {

namespace {
// Every value we store fits in 33 bits (a zig-zag delta of two 32-bit ids); 5 varint bytes hold 35.
constexpr int kMaxVarintBytes = 5;
constexpr std::uint64_t kIndexMask = ~wire::kEdgeIndexBit;

std::uint64_t labelCode(std::uint32_t label)
{
    if (label & wire::kEdgeIndexBit)
        return (std::uint64_t { label & kIndexMask } << 1) | 1;
    return std::uint64_t { label } << 1;
}
} // namespace

void encodeReferences(std::uint32_t self, std::span<const StoredReference> refs, std::vector<unsigned char>& out)
{
    out.resize(refs.size() * kMostReferenceBytes);
    unsigned char* at = out.data();
    std::int64_t previous = self;
    for (const StoredReference& r : refs) {
        at = putVarint(zigzagDelta(r.target, previous), at);
        at = putVarint(labelCode(r.label), at);
        previous = r.target;
    }
    out.resize(static_cast<std::size_t>(at - out.data()));
}

unsigned char* encodeReferences(std::uint32_t self, std::span<const std::uint32_t> targets,
    std::span<const std::uint32_t> labels, unsigned char* out)
{
    std::int64_t previous = self;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        out = putVarint(zigzagDelta(targets[i], previous), out);
        out = putVarint(labelCode(labels[i]), out);
        previous = targets[i];
    }
    return out;
}

bool decodeReferences(std::uint32_t self, std::span<const unsigned char> blob, std::vector<StoredReference>& out)
{
    out.clear();
    const unsigned char* p = blob.data();
    const unsigned char* const end = p + blob.size();
    std::int64_t previous = self;
    while (p != end) {
        std::uint64_t zigzag = 0;
        std::uint64_t code = 0;
        if (!getVarint(p, end, zigzag, kMaxVarintBytes) || !getVarint(p, end, code, kMaxVarintBytes))
            return false;
        const std::int64_t target = previous + fromZigzag(zigzag);
        if (target < 0 || target > std::int64_t { UINT32_MAX } || (code >> 1) > kIndexMask)
            return false;
        const auto value = static_cast<std::uint32_t>(code >> 1);
        out.push_back({ static_cast<std::uint32_t>(target), (code & 1) ? (value | wire::kEdgeIndexBit) : value });
        previous = target;
    }
    return true;
}

} // namespace gcscope::storage
