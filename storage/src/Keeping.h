// What keeping an analysis in a file opened to be read takes, whichever analysis it is
// (KeptDominators.h, KeptGarbage.h): a connection of its own that may write (Database::openForKeeping),
// one EXCLUSIVE transaction, and a snapshot that is still the one the analysis was made of.
#pragma once

#include <gcscope/storage/Database.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace gcscope::storage {

// Long enough to wait out a recorder's commit or a reader's last query, short enough that a program
// holding the file for long (a leak report reading it) makes us give up rather than wait.
inline constexpr int kKeepBusyTimeoutMs = 2000;

// The wall clock, for computed_ns.
std::int64_t keptNowNs();

// Whether the file holds snapshot `snapshotId` of `objects` objects: the one an analysis was made of.
bool holdsSnapshot(const Database& db, std::int64_t snapshotId, std::uint64_t objects);

// Opens the file at `path` for keeping and runs `write` in one EXCLUSIVE transaction (taken before
// anything is read, so that two programs keeping the same analysis at once write it once: the second
// finds it kept; and taken at once, so that no reader waits behind a commit that waits for others). `write` returns why
// nothing was written ("the file holds no such snapshot"), or an empty string after writing or when there was nothing
// to write (kept already); the transaction is committed only when it wrote. Returns an empty string when the analysis
// is kept now, else why not, in a few words; `what` names the analysis in errors ("keeping the dominator tree").
std::string keepInFile(const std::filesystem::path& path, const char* what,
    const std::function<std::string(Database& db, bool& wrote)>& write);

// Writes snapshot `snapshotId`'s garbage summary row (KeptGarbage.h), replacing the one it has: as
// keepGarbage keeps it, and as SnapshotWriter stores it with a new snapshot. Throws StorageError.
void putGarbageSummary(const Database& db, std::int64_t snapshotId, std::uint32_t rule, std::string_view summary);

} // namespace gcscope::storage
