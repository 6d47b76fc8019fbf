// Gives a container's memory back to the allocator.
//
// `v = {}` does not: for a std::vector, `{}` picks the initializer_list assignment, which empties
// the vector and keeps its capacity. On a 10M-object heap that kept 117 MiB to 460 MiB of arrays
// alive past their last use (measured with snapshot_analysis_bench's phase peaks).
#pragma once

namespace gcscope::util {

template <class Container> void release(Container& c)
{
    Container().swap(c);
}

} // namespace gcscope::util
