// What the user asked to record (attach to a PID, or launch a script), and what came of it.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace gcscope::ui {

struct RecordingRequest {
    enum class Kind { Attach, Launch };
    Kind kind = Kind::Attach;
    qint64 pid = 0; // Attach: the process
    QStringList command; // Launch: interpreter, script, arguments (like `gcscope run -- ...`)
    QString workingDirectory; // Launch: empty = ours
    QString outputPath; // empty: a new timestamped file under the recordings folder
    quint32 intervalMs = 100; // telemetry sample period
    quint32 censusEveryMs = 1000; // per-type census period at most (the agent stretches it); 0 = none
    bool noStrings = false; // snapshots leave string contents out of labels (`--no-strings`)
    bool noFork = false; // snapshots walked in the target instead of by a copy-on-write child (`--no-fork`)
    bool snapshotAtEnd = false; // one more snapshot as the recording ends, also when the program exits by itself
};

// The recording is running: the agent answered.
struct RecordingStarted {
    QString path;
    qint64 pid = 0;
    QString pythonVersion;
    QString commandLine;
    bool launched = false; // we started the program (Stop ends it)
};

// The recording is over (stopped, the target exited, or an error).
struct RecordingEnded {
    QString path;
    qint64 sessionId = 0;
    bool complete = false;
    QString endReason;
    QString error; // set when the recording broke off with an error (one line)
    QString commandStatus; // Launch: "exited with status 0", "killed by Terminated"
    quint64 samples = 0;
    quint64 gcEvents = 0;
    quint64 censuses = 0;
    quint64 snapshots = 0;
    double seconds = 0;
};

} // namespace gcscope::ui

Q_DECLARE_METATYPE(gcscope::ui::RecordingStarted)
Q_DECLARE_METATYPE(gcscope::ui::RecordingEnded)
