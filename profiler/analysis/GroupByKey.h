// Groups values by a small integer key into compressed sparse row form, the way the reverse
// reference index and the dominator tree's children lists are built.
#pragma once

#include "analysis/HeapGraph.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace gcscope::analysis {

// forEachDescending(place) must call place(key, value) for every item, the same items each time,
// values in descending order. Afterwards the values of key k are values[begin[k] .. begin[k + 1]),
// ascending; begin has keys + 1 entries. Each list is filled from its end, so no array of cursors
// is needed (8 bytes per key at the peak): begin[k + 1] counts key k's items, becomes where its
// list ends, and is counted down to where it begins.
template <class Offset, class ForEach>
void groupByKey(
    std::size_t keys, std::vector<Offset>& begin, std::vector<ObjectId>& values, ForEach&& forEachDescending)
{
    begin.assign(keys + 1, 0);
    forEachDescending([&](std::size_t key, ObjectId) { ++begin[key + 1]; });
    for (std::size_t k = 0; k < keys; ++k)
        begin[k + 1] += begin[k];
    values.resize(begin[keys]);
    forEachDescending([&](std::size_t key, ObjectId value) { values[--begin[key + 1]] = value; });
    std::copy(begin.begin() + 1, begin.end(), begin.begin());
    begin[keys] = static_cast<Offset>(values.size());
}

} // namespace gcscope::analysis
