// A per-object column of 64-bit values kept in 32 bits: the few values that do not fit (an object
// over 4 GiB, a refcount past 2^32 or below 0) live in a side table.
//
// Shallow sizes and refcounts took 8 bytes each per object: 470 MiB of a 30M-object snapshot,
// where almost every value fits in 32 bits. Reads cost one compare; writes go through set() or
// the reference that the non-const operator[] returns.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gcscope::analysis {

template <class Wide> class CompactColumn {
public:
    // Values stored inline are [0, kSpilled); kSpilled says "look in the side table".
    static constexpr std::uint32_t kSpilled = std::numeric_limits<std::uint32_t>::max();

    class Reference {
    public:
        Reference(CompactColumn& column, std::size_t i)
            : column_(column)
            , i_(i)
        {
        }
        operator Wide() const { return std::as_const(column_)[i_]; }
        Reference& operator=(Wide value)
        {
            column_.set(i_, value);
            return *this;
        }
        Reference& operator+=(Wide add) { return *this = static_cast<Wide>(*this) + add; }
        Reference& operator++() { return *this += 1; }

    private:
        CompactColumn& column_;
        std::size_t i_;
    };

    std::size_t size() const { return narrow_.size(); }
    bool empty() const { return narrow_.empty(); }
    void reserve(std::size_t n) { narrow_.reserve(n); }
    // The inline values' memory, reserved room included: for a Prefaulter to fault in ahead of
    // push_back (populating changes no byte).
    void* reservedData() { return narrow_.data(); }
    std::size_t reservedBytes() const { return narrow_.capacity() * sizeof(std::uint32_t); }
    void push_back(Wide value)
    {
        narrow_.push_back(0);
        set(narrow_.size() - 1, value);
    }
    // Values that did not fit in 32 bits.
    std::size_t spilledCount() const { return spilled_.size(); }

    Wide operator[](std::size_t i) const
    {
        const std::uint32_t v = narrow_[i];
        return v != kSpilled ? static_cast<Wide>(v) : spilled_.at(i);
    }
    Reference operator[](std::size_t i) { return Reference(*this, i); }

    void set(std::size_t i, Wide value)
    {
        if (value >= 0 && static_cast<std::uint64_t>(value) < kSpilled) {
            if (narrow_[i] == kSpilled)
                spilled_.erase(i);
            narrow_[i] = static_cast<std::uint32_t>(value);
        } else {
            narrow_[i] = kSpilled;
            spilled_[i] = value;
        }
    }

    bool operator==(const CompactColumn&) const = default;

private:
    std::vector<std::uint32_t> narrow_;
    std::unordered_map<std::size_t, Wide> spilled_;
};

} // namespace gcscope::analysis
