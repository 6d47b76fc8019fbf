// A snapshot's garbage summary, kept in the file (schema 8): what the next full collection would free
// in it, summed up by type and by cycle shape, with its live objects per type. A leak report over a
// session's snapshots reads these few bytes for every earlier snapshot instead of loading and
// analysing each (seconds apiece at 10M objects, and their memory at once). The profiler computes
// the summary and encodes it (a JSON object, docs/schema.md); storage keeps and returns it as text,
// with the number of the rule it was computed by, so that a gcscope with another rule never takes a
// summary made by an older one.
//
// A snapshot stored by gcscope 8's schema and later has it from the start (SnapshotWriter::keepGarbage);
// an older one gets it the first time a report analyses it. Keeping into a file opened to be read is
// skipped, never an error, in the same cases as a dominator tree's (KeptDominators.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gcscope::storage {

class Database;

// The summary kept for the snapshot by `rule`; nullopt when the file keeps none (older schema, never
// computed) or one by another rule. The text is as it was kept: its reader checks it.
std::optional<std::string> readKeptGarbage(const Database& db, std::int64_t snapshotId, std::uint32_t rule);

struct GarbageToKeep {
    std::int64_t snapshotId = 0;
    std::uint64_t objects = 0; // the snapshot's, to make sure it is the one the summary was made of
    std::string summary;
};

// Keeps these summaries by `rule` in the file at `path`, replacing ones kept by another rule, in one
// transaction, through a connection of its own (one file check for all of them). Returns an empty
// string when the file keeps them now (also when it did already), else why not, in a few words; a
// summary of a snapshot the file does not hold is left out, and said so, while the others are kept.
std::string keepGarbage(
    const std::filesystem::path& path, std::uint32_t rule, std::span<const GarbageToKeep> summaries);

} // namespace gcscope::storage
