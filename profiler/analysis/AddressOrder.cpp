#include "analysis/AddressOrder.h"

#include "analysis/RadixSort.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

namespace gcscope::analysis {

void throwSharedAddress()
{
    throw std::invalid_argument("two objects in one heap snapshot share an address");
}

namespace {
// Orders `ids` by address. Each id becomes one 64-bit key: the bits where the addresses of these
// objects differ, above the bits of its place in `ids`. When those do not fit 64 bits (heap
// addresses differ in about 43 and places take 25 at 30M objects), the ids are first dealt into
// buckets by their top address bits and each bucket is ordered on its own. `keys` and `spare` hold
// at least ids.size() entries.
void orderByAddress(const std::vector<std::uint64_t>& address, std::span<ObjectId> ids, std::span<std::uint64_t> keys,
    std::span<std::uint64_t> spare)
{
    const std::size_t m = ids.size();
    if (m < 2)
        return;
    constexpr std::size_t kSmall = 1024; // below this, a radix pass costs more than it sorts
    if (m < kSmall) {
        std::sort(ids.begin(), ids.end(), [&](ObjectId a, ObjectId b) { return address[a] < address[b]; });
        for (std::size_t i = 1; i < m; ++i)
            if (address[ids[i]] == address[ids[i - 1]])
                throwSharedAddress();
        return;
    }
    std::uint64_t differ = 0;
    const std::uint64_t first = address[ids[0]];
    for (const ObjectId id : ids)
        differ |= address[id] ^ first;
    if (differ == 0)
        throwSharedAddress();
    const int low = std::countr_zero(differ), high = 64 - std::countl_zero(differ);
    const int span = high - low;
    const int placeBits = std::bit_width(m - 1);
    if (span + placeBits <= 64) {
        const std::uint64_t spanMask = (std::uint64_t { 1 } << span) - 1; // span < 64: placeBits >= 1
        for (std::size_t i = 0; i < m; ++i)
            keys[i] = (((address[ids[i]] >> low) & spanMask) << placeBits) | i;
        radixSort(keys.first(m), spare, placeBits, placeBits + span);
        const std::uint64_t placeMask = (std::uint64_t { 1 } << placeBits) - 1;
        for (std::size_t i = 1; i < m; ++i)
            if ((keys[i] >> placeBits) == (keys[i - 1] >> placeBits))
                throwSharedAddress();
        for (std::size_t i = 0; i < m; ++i)
            spare[i] = ids[i];
        for (std::size_t i = 0; i < m; ++i)
            ids[i] = static_cast<ObjectId>(spare[keys[i] & placeMask]);
        return;
    }
    // Deal by the top bits (a stable counting placement), then order each bucket.
    const int bucketBits = std::min(16, span + placeBits - 64);
    const int shift = high - bucketBits;
    const std::uint64_t bucketMask = (std::uint64_t { 1 } << bucketBits) - 1;
    std::vector<std::size_t> begin((std::size_t { 1 } << bucketBits) + 1, 0);
    for (const ObjectId id : ids)
        ++begin[((address[id] >> shift) & bucketMask) + 1];
    for (std::size_t b = 1; b < begin.size(); ++b)
        begin[b] += begin[b - 1];
    std::vector<std::size_t> place(begin.begin(), begin.end() - 1);
    for (const ObjectId id : ids)
        keys[place[(address[id] >> shift) & bucketMask]++] = id;
    for (std::size_t i = 0; i < m; ++i)
        ids[i] = static_cast<ObjectId>(keys[i]);
    for (std::size_t b = 0; b + 1 < begin.size(); ++b)
        orderByAddress(address, ids.subspan(begin[b], begin[b + 1] - begin[b]), keys, spare);
}
} // namespace

std::vector<ObjectId> sortedByAddress(const std::vector<std::uint64_t>& address, std::span<std::uint64_t> scratch)
{
    const auto n = address.size();
    // A stored snapshot ends with its leaves in address order (the agent sorts them: a third of a
    // service heap's objects): only the objects before them are sorted, then the two runs merged.
    std::size_t ascending = n == 0 ? 0 : n - 1; // where the strictly ascending tail begins
    while (ascending > 0 && address[ascending - 1] < address[ascending])
        --ascending;
    const std::size_t sorted = n - ascending < n / 8 ? n : ascending; // the objects the radix sort takes
    std::vector<ObjectId> ids(n);
    for (std::size_t i = 0; i < n; ++i)
        ids[i] = static_cast<ObjectId>(i);
    // Scratch for all n, as for a whole sort, though only `sorted` entries are written: the pages
    // past them are never touched, and the analyses after the sort find the same room freed.
    std::vector<std::uint64_t> own;
    if (scratch.size() < 2 * n) {
        own.resize(2 * n);
        scratch = own;
    }
    const auto keys = scratch.first(n), spare = scratch.subspan(n, n);
    orderByAddress(address, std::span(ids).first(sorted), keys, spare);
    if (sorted == n || sorted == 0)
        return ids;
    // The sorted part, then the tail, merged back into ids.
    for (std::size_t i = 0; i < sorted; ++i)
        spare[i] = ids[i];
    std::size_t a = 0, b = sorted, out = 0;
    while (a < sorted && b < n) {
        const std::uint64_t x = address[spare[a]], y = address[b];
        if (x == y)
            throwSharedAddress();
        ids[out++] = x < y ? static_cast<ObjectId>(spare[a++]) : static_cast<ObjectId>(b++);
    }
    while (a < sorted)
        ids[out++] = static_cast<ObjectId>(spare[a++]);
    return ids; // the rest of the tail is in place already
}

AddressOrder::AddressOrder()
    : state_(std::make_unique<State>())
{
}

AddressOrder::AddressOrder(const AddressOrder& other)
    : AddressOrder()
{
    *this = other;
}

AddressOrder& AddressOrder::operator=(const AddressOrder& other)
{
    if (this == &other)
        return *this;
    if (!state_)
        state_ = std::make_unique<State>();
    std::vector<ObjectId> ids;
    const bool made = other.made();
    if (made)
        ids = other.state_->ids; // read-only once made
    const std::lock_guard lock(state_->mutex);
    state_->ids = std::move(ids);
    state_->made.store(made, std::memory_order_release);
    return *this;
}

const std::vector<ObjectId>& AddressOrder::get(const std::vector<std::uint64_t>& address) const
{
    static const std::vector<ObjectId> kNone;
    if (!state_)
        return kNone;
    if (state_->made.load(std::memory_order_acquire))
        return state_->ids;
    const std::lock_guard lock(state_->mutex);
    if (!state_->made.load(std::memory_order_relaxed)) {
        state_->ids = sortedByAddress(address);
        state_->made.store(true, std::memory_order_release);
    }
    return state_->ids;
}

void AddressOrder::set(std::vector<ObjectId> ids)
{
    if (!state_)
        state_ = std::make_unique<State>();
    const std::lock_guard lock(state_->mutex);
    state_->ids = std::move(ids);
    state_->made.store(true, std::memory_order_release);
}

} // namespace gcscope::analysis
