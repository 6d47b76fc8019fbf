// Reads the dashboard's rows from a gcscope file: runs on a worker thread with its own read-only
// connection (one owner per connection), while a recorder may be writing the same file.
#pragma once

#include "dashboard/DashboardData.h"

#include <optional>
#include <string>

namespace gcscope::ui {

struct DashboardRequest {
    std::string path;
    std::optional<std::int64_t> sessionId; // none: the newest session
    // Set for an incremental load: rows of this session after the cursor. If the chosen session
    // is another one (a new recording appended a session), the load is a full one instead.
    std::optional<std::int64_t> loadedSession;
    LoadCursor after;
    std::optional<SampleBaseline> baseline;
};

// Throws storage::StorageError (one line naming the file) when the file cannot be read.
DashboardChunk loadDashboard(const DashboardRequest& request);

} // namespace gcscope::ui
