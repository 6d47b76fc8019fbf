#include "census.h"

#include "clock.h"

#include <algorithm>
#include <unordered_map>

namespace gcscope::agent {

namespace {

struct TypeCounter {
    PyTypeObject* type;
    SizeRule rule;
    std::uint64_t count = 0;
    std::uint64_t size = 0;
};

} // namespace

bool CensusTaker::open()
{
    return sizer_.open() && namer_.open();
}

void CensusTaker::close()
{
    sizer_.close();
    namer_.close();
}

CensusCount CensusTaker::count(GcModule& gc, const AgentObjects& ours) const
{
    CensusCount result;
    const std::int64_t start = monotonicNs();
    result.timeNs = realtimeNs();

    // gc.get_objects() leaves its own list out; we leave out our own objects as well.
    PyObject* objects = gc.objects();
    if (objects) {
        std::vector<TypeCounter> counters;
        std::unordered_map<PyTypeObject*, std::size_t> index;
        PyTypeObject* lastType = nullptr;
        std::size_t last = 0;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); ++i) {
            PyObject* o = PyList_GET_ITEM(objects, i);
            if (ours.contains(o) || o == objects)
                continue;
            PyTypeObject* type = Py_TYPE(o);
            if (type != lastType) {
                auto [it, inserted] = index.try_emplace(type, counters.size());
                if (inserted)
                    counters.push_back({ type, sizer_.ruleFor(type) });
                lastType = type;
                last = it->second;
            }
            auto& counter = counters[last];
            ++counter.count;
            counter.size += sizer_.measure(o, counter.rule);
            ++result.objects;
        }
        decref(objects);
        result.tallies.reserve(counters.size());
        for (const auto& c : counters)
            result.tallies.push_back({ namer_.nameOf(c.type), c.count, c.size });
        result.ok = true;
    }
    result.pauseNs = monotonicNs() - start;
    return result;
}

wire::CensusRecord buildCensusRecord(CensusCount&& count)
{
    wire::CensusRecord record;
    record.timeNs = count.timeNs;
    record.pauseNs = count.pauseNs;
    record.objects = count.objects;

    std::unordered_map<std::string, std::size_t> byName;
    for (auto& tally : count.tallies) {
        auto [it, inserted] = byName.try_emplace(tally.type, record.entries.size());
        if (inserted) {
            record.entries.push_back({ std::move(tally.type), tally.count, tally.size });
        } else {
            record.entries[it->second].count += tally.count;
            record.entries[it->second].size += tally.size;
        }
    }
    std::sort(record.entries.begin(), record.entries.end(),
        [](const auto& a, const auto& b) { return a.size != b.size ? a.size > b.size : a.type < b.type; });

    // Header fields and the entry count, then per entry a string length and two u64.
    std::size_t bytes = 8 + 8 + 8 + 4;
    std::size_t keep = 0;
    for (; keep < record.entries.size(); ++keep) {
        std::size_t entryBytes = 4 + std::min(record.entries[keep].type.size(), wire::kMaxString) + 16;
        if (bytes + entryBytes > wire::kMaxPayload)
            break;
        bytes += entryBytes;
    }
    record.entries.resize(keep);
    return record;
}

} // namespace gcscope::agent
