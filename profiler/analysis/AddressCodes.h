// Object addresses in 32 bits, for a snapshot stream's references while they wait to be resolved
// (HeapGraphBuilder): half the memory of the addresses themselves, and half of what the table that
// resolves them holds per object. At 30.8M objects and 61M references that is 0.43 GB less fresh
// memory for `gcscope snapshot`.
//
// A code is a region number and the address's place in its region: regions of 64 KiB of address
// space, numbered as they are first met, and 8-byte steps in them (13 bits). Every object is at
// least 8-byte aligned and a heap of a few gigabytes touches some tens of thousands of regions, so
// the 2^19 - 1 regions 32 bits leave are room for 32 GiB of touched regions. An address that has no
// code (not 8-byte aligned, at or above 2^48, or past the last region) is told by kNoCode: the
// builder then takes its general path, which keeps whole addresses.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace gcscope::analysis {

class AddressCodes {
public:
    static constexpr std::uint32_t kNoCode = UINT32_MAX;

    // The address's code, numbering its region when it is new; kNoCode when it cannot have one.
    std::uint32_t code(std::uint64_t address)
    {
        if (!codable(address))
            return kNoCode;
        std::uint32_t* slot = slotIn(address);
        if (!slot)
            slot = newSpan(address);
        if (*slot == 0) {
            if (bases_.size() >= kMostRegions)
                return kNoCode;
            bases_.push_back(address & ~kRegionMask);
            *slot = static_cast<std::uint32_t>(bases_.size());
        }
        return codeIn(*slot - 1, address);
    }
    // The same without numbering a new region: kNoCode for an address in none (no object the codes
    // were made for is there).
    std::uint32_t find(std::uint64_t address) const
    {
        const std::uint32_t* slot = codable(address) ? slotIn(address) : nullptr;
        return slot && *slot != 0 ? codeIn(*slot - 1, address) : kNoCode;
    }
    // The address a code stands for.
    std::uint64_t address(std::uint32_t code) const
    {
        return bases_[code >> kOffsetBits] + (std::uint64_t { code & kOffsetMask } << kAlignBits);
    }
    std::size_t regions() const { return bases_.size(); }

private:
    static constexpr unsigned kAlignBits = 3;
    static constexpr unsigned kRegionBits = 16;
    static constexpr unsigned kOffsetBits = kRegionBits - kAlignBits;
    static constexpr std::uint32_t kOffsetMask = (std::uint32_t { 1 } << kOffsetBits) - 1;
    static constexpr std::uint64_t kRegionMask = (std::uint64_t { 1 } << kRegionBits) - 1;
    // Region numbers below 2^19 - 1: the code of the last region's last place would be kNoCode.
    static constexpr std::size_t kMostRegions = (std::size_t { 1 } << (32 - kOffsetBits)) - 1;
    // Two levels of region numbers (+ 1, 0 for none): a table for each 4 GiB of address space that
    // holds a region, found by the address's top bits (48-bit addresses: 65,536 of them).
    static constexpr unsigned kSpanBits = 32;
    static constexpr std::size_t kSpans = std::size_t { 1 } << (48 - kSpanBits);
    static constexpr std::size_t kRegionsPerSpan = std::size_t { 1 } << (kSpanBits - kRegionBits);

    static std::uint32_t codeIn(std::uint32_t region, std::uint64_t address)
    {
        return region << kOffsetBits | static_cast<std::uint32_t>((address & kRegionMask) >> kAlignBits);
    }
    static bool codable(std::uint64_t address)
    {
        return (address & ((std::uint64_t { 1 } << kAlignBits) - 1)) == 0 && (address >> kSpanBits) < kSpans;
    }
    static std::size_t regionInSpan(std::uint64_t address) { return (address >> kRegionBits) & (kRegionsPerSpan - 1); }
    // The slot of a codable address's region number, or null when its span has no table yet.
    std::uint32_t* slotIn(std::uint64_t address) const
    {
        const std::uint64_t span = address >> kSpanBits;
        return span < spans_.size() && spans_[span] ? spans_[span].get() + regionInSpan(address) : nullptr;
    }
    std::uint32_t* newSpan(std::uint64_t address); // makes the table of a codable address's span

    std::vector<std::unique_ptr<std::uint32_t[]>> spans_; // kSpans once the first code is made
    std::vector<std::uint64_t> bases_; // each region's first address, by number
};

} // namespace gcscope::analysis
