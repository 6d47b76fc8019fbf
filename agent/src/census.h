// A census of the GC-tracked heap: gc.get_objects() counted per type with shallow sizes. The count
// runs with the GIL (and reports how long it held it); merging, sorting and encoding happen after.
#pragma once

#include "agent_objects.h"
#include "gc_module.h"
#include "object_size.h"
#include "type_name.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::agent {

struct TypeTally {
    std::string type;
    std::uint64_t count = 0;
    std::uint64_t size = 0;
};

// What the GIL-held part produces: only plain values, safe to use once the GIL is released.
struct CensusCount {
    std::int64_t timeNs = 0;
    std::int64_t pauseNs = 0;
    std::uint64_t objects = 0;
    std::vector<TypeTally> tallies; // possibly several per name (two classes both called Node)
    bool ok = false;
};

class CensusTaker {
public:
    bool open(); // GIL held
    void close(); // GIL held

    // GIL held. The agent's own objects are left out of the count.
    CensusCount count(GcModule& gc, const AgentObjects& ours) const;

private:
    ShallowSizer sizer_;
    TypeNamer namer_;
};

// Merges tallies of the same name, largest first, keeping the frame under the protocol's limit.
wire::CensusRecord buildCensusRecord(CensusCount&& count);

} // namespace gcscope::agent
