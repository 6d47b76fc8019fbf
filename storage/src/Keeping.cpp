// What keeping any analysis in a file opened to be read takes (Keeping.h).
#include "Keeping.h"

#include "Statement.h"

#include <gcscope/storage/StorageError.h>

#include <ctime>

namespace gcscope::storage {

std::int64_t keptNowNs()
{
    timespec t {};
    clock_gettime(CLOCK_REALTIME, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

bool holdsSnapshot(const Database& db, std::int64_t snapshotId, std::uint64_t objects)
{
    Statement snapshot(db, "SELECT objects FROM snapshots WHERE id = ?1");
    snapshot.bind(1, snapshotId);
    const bool same = snapshot.step() && snapshot.integer(0) == static_cast<std::int64_t>(objects);
    snapshot.reset();
    return same;
}

std::string keepInFile(const std::filesystem::path& path, const char* what,
    const std::function<std::string(Database& db, bool& wrote)>& write)
{
    try {
        auto db = Database::openForKeeping(path, kKeepBusyTimeoutMs);
        // EXCLUSIVE at once, not at COMMIT: in a file with a rollback journal, a writer waiting to
        // commit holds back every new reader until the readers it waits for are done, and a reader
        // that holds the file for long (gcscope-gui's leak report reads in one transaction) would
        // keep both waiting. Here we wait (at most the busy timeout) before anything is written.
        db.exec("BEGIN EXCLUSIVE", what);
        bool wrote = false;
        auto why = write(db, wrote);
        db.exec(wrote ? "COMMIT" : "ROLLBACK", what);
        db.close();
        return why;
    } catch (const StorageError& e) {
        return e.problem(); // the connection's destructor rolled back what was not committed
    }
}

} // namespace gcscope::storage
