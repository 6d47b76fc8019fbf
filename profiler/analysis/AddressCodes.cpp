#include "analysis/AddressCodes.h"

namespace gcscope::analysis {

std::uint32_t* AddressCodes::newSpan(std::uint64_t address)
{
    if (spans_.empty())
        spans_.resize(kSpans);
    auto& regions = spans_[address >> kSpanBits];
    regions = std::make_unique<std::uint32_t[]>(kRegionsPerSpan); // zeroed: no region numbered
    return regions.get() + regionInSpan(address);
}

} // namespace gcscope::analysis
