// One heap snapshot with the analyses the report needs on it: roots, referrers, dominator tree,
// retention paths, instances by type, and Python-style names for objects. Built once per report
// for the last snapshot; it borrows the graph, which must outlive it. It computes the analyses
// itself, or borrows them from a caller that holds them already (gcscope-gui's views: a 10M-object
// snapshot's analyses take about 1.4 GiB, and the report must not hold a second copy).
#pragma once

#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"
#include "analysis/RetentionPaths.h"
#include "analysis/Roots.h"
#include "report/ObjectNamer.h"

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace gcscope::report {

// What the report reads off the graph alone: Python-style names, the instances of each type, the
// dicts that are namespaces. It needs none of the analyses, so it is made beside them, on another
// core (at 10M objects it took 0.7 s after them).
struct GraphIndex {
    explicit GraphIndex(const analysis::HeapGraph& graph);
    const analysis::HeapGraph& graph;
    const ObjectNamer namer;
    std::vector<std::vector<analysis::ObjectId>> byType; // indexed like graph.typeNames
    std::vector<std::uint8_t> namespaceDict; // per object: a dict reached through a "__dict__" reference
};

class HeapContext {
    struct Owned; // the analyses, when this context computed them
    struct Made;
    std::unique_ptr<const Owned> owned_; // first: the references below may point into it
    std::unique_ptr<const GraphIndex> index_;

public:
    // Gives the dominator tree of the graph over its roots: one kept in the file, or computed.
    using DominatorSource = std::function<analysis::DominatorTree(const analysis::RootSet& roots)>;
    // Computes the analyses (the dominator tree by `dominators` when given), and the graph's index
    // beside them.
    explicit HeapContext(const analysis::HeapGraph& graph, const DominatorSource& dominators = {});
    // Borrows analyses of `graph` that outlive this context: roots by findRoots(graph), referrers
    // by buildReferrers(graph), dominators by computeDominators(graph, roots), paths over those.
    // `index`, when given, is of this very graph (made while the analyses were computed).
    HeapContext(const analysis::HeapGraph& graph, const analysis::RootSet& roots, const analysis::Referrers& referrers,
        const analysis::DominatorTree& dominators, const analysis::RetentionPathFinder& paths,
        std::unique_ptr<const GraphIndex> index = nullptr);
    ~HeapContext();
    HeapContext(const HeapContext&) = delete;
    HeapContext& operator=(const HeapContext&) = delete;

    const analysis::HeapGraph& graph;
    const analysis::RootSet& roots;
    const analysis::Referrers& referrers;
    const analysis::DominatorTree& dominators;
    const analysis::RetentionPathFinder& paths;
    const ObjectNamer& namer;

    // The objects of one type, by name (empty when the snapshot has none), ascending ids.
    const std::vector<analysis::ObjectId>& instancesOf(std::string_view typeName) const;

    // A module, a class, or the __dict__ of a module, class or instance: a place names live in,
    // never a collection that accumulates things.
    bool isNamespace(analysis::ObjectId id) const;
    // A builtin collection that can hold any number of items (list, dict, set, deque, ...) and is
    // not a namespace.
    bool isCollection(analysis::ObjectId id) const;

private:
    HeapContext(const analysis::HeapGraph& graph, Made made);
};

// Builtin container types by name: a tuple, list, dict... grows with what it holds, so a growing
// container type is usually a companion of the type it holds, not the culprit.
bool isContainerTypeName(std::string_view typeName);
// A collection type that can grow without bound (a tuple cannot).
bool isCollectionTypeName(std::string_view typeName);

} // namespace gcscope::report
