// Python-style names for objects in a snapshot: "__main__.AuditLog.entries",
// "__main__.cache._entries", "logging.root.manager.loggerDict['app'].handlers".
//
// How: one breadth-first search forward from every module at once (`__main__` first), keeping each
// object's BFS parent, so the name of an object is its shortest reference path from some module,
// rendered step by step: the module's name; a reference labelled "__dict__" into a namespace dict
// adds nothing; an attribute or a key of a namespace dict adds ".name"; a key of an ordinary dict
// adds "['key']"; a list or tuple index adds "[i]"; an unlabelled reference adds "[?]" (an item of
// a set, a dict value under a non-str key, ...). Objects no module reaches have no name.
#pragma once

#include "analysis/HeapGraph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gcscope::report {

class ObjectNamer {
public:
    explicit ObjectNamer(const analysis::HeapGraph& graph);

    // The expression, or "" when no module reaches the object.
    std::string expression(analysis::ObjectId id) const;

    bool isModule(analysis::ObjectId id) const;
    // A class object: it refers to its __mro__ (any metaclass), or its type is "type".
    bool isClass(analysis::ObjectId id) const;
    // A class object, whichever way the snapshot shows it (for callers without a namer).
    static bool isClassObject(const analysis::HeapGraph& graph, analysis::ObjectId id);

private:
    const analysis::HeapGraph& graph_;
    std::vector<std::uint32_t> dictLabels_; // the string indexes of "__dict__"
    std::vector<std::uint32_t> mroLabels_;
    // The label of parent's first reference to object, the one the search followed: looked up for
    // the few objects named rather than kept for all (4 bytes an object, 126 MB at 31.5M objects).
    std::uint32_t labelFrom(analysis::ObjectId parent, analysis::ObjectId object) const;

    std::vector<analysis::ObjectId> parent_; // kNoObject for modules and unreached objects
    std::vector<std::uint8_t> reached_;
};

} // namespace gcscope::report
