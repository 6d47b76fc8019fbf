// A snapshot's dominator tree, kept in the file once computed (schema 7): opening the snapshot again
// reads it (a fraction of a second at 10M objects) instead of computing it (seconds). The profiler
// computes it; storage only keeps and returns it, with the number of the rule it was computed by, so
// that a gcscope with another rule never takes a tree made by an older one.
//
// Keeping writes into a file that was opened to be read. It is skipped, never an error, where that
// could surprise or harm: a file or folder the user may not write, a file of an older schema (keeping
// would migrate it), one of a newer schema, a WAL-mode file without its -wal (other readers read such
// a file as immutable), or a file another program holds locked for longer than a moment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gcscope::storage {

class Database;

// In idom: no dominator (the root does not reach the object), and the virtual root above every root.
inline constexpr std::uint32_t kKeptNoDominator = 0xFFFFFFFFu;
inline constexpr std::uint32_t kKeptVirtualRoot = 0xFFFFFFFEu;

struct KeptDominators {
    std::uint64_t reachable = 0; // objects the virtual root reaches
    std::vector<std::uint32_t> idom; // per object: its immediate dominator's id, or one of the two above
    std::vector<std::uint64_t> retained; // per object: bytes it retains, itself included
};

// The tree kept for the snapshot by `rule`, for a snapshot of `objects` objects; nullopt when the
// file keeps none (older schema, never computed), keeps one by another rule, or keeps one that does
// not decode into a tree of that many objects (damaged: computing it anew is always possible).
std::optional<KeptDominators> readKeptDominators(
    const Database& db, std::int64_t snapshotId, std::uint32_t rule, std::uint64_t objects);

// Keeps the tree (idom and retained as above, one entry per object) in the file at `path`, replacing
// one kept by another rule or one that does not read back whole, in one transaction, through a
// connection of its own. Returns an empty
// string when the file keeps the tree now (also when it did already), else why it was not kept, in
// a few words ("the file is read-only"): keeping is a convenience, its failure never an error.
std::string keepDominators(const std::filesystem::path& path, std::int64_t snapshotId, std::uint32_t rule,
    std::uint64_t reachable, std::span<const std::uint32_t> idom, std::span<const std::uint64_t> retained);

} // namespace gcscope::storage
