// The body of a live recording, run on the RecordingController's worker thread: the same steps
// as the CLI's `record` and `run` (profiler/cli/cmd_record.cpp). It reports through callbacks,
// which the controller turns into queued calls on the GUI thread.
#pragma once

#include "app/RecordingRequest.h"

#include <atomic>
#include <functional>

namespace gcscope::ui {

struct RecordingSignals {
    std::atomic<int> stop { 0 }; // raised to SIGINT by Stop
    std::atomic<int> snapshotRequests { 0 }; // incremented by Take snapshot
};

struct RecordingCallbacks {
    std::function<void(const RecordingStarted&)> started;
    std::function<void(const QString&)> failed; // before started(): nothing was recorded
    std::function<void(const QString&)> warning;
    std::function<void(qint64 snapshotId)> snapshotSaved;
    std::function<void(const RecordingEnded&)> finished; // after started()
};

// Runs until the recording ends. request.outputPath must be set.
void runRecording(const RecordingRequest& request, const RecordingSignals& control, const RecordingCallbacks& report);

} // namespace gcscope::ui
