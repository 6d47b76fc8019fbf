// Live recording from the GUI: runs the same core as `gcscope record` / `gcscope run` (open the
// file for writing, attach the agent, session::record) on a worker QThread, and tells the
// DocumentContext: the file to show, that it is live, and every ~500 ms that rows were added.
// "Take snapshot" and "Stop" are atomics the recording loop polls, so the GUI never waits on it.
#pragma once

#include "app/RecordingRequest.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>

class QThread;
class QTimer;

namespace gcscope::ui {

class DocumentContext;

class RecordingController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Starting, Recording, Stopping };
    Q_ENUM(State)

    explicit RecordingController(DocumentContext* context, QObject* parent = nullptr);
    ~RecordingController() override; // stops a running recording and waits for its thread

    State state() const { return state_; }
    bool active() const { return state_ != State::Idle; }

    // Starts a recording; false (and nothing happens) when one is already active.
    bool start(const RecordingRequest& request);
    // Ends the recording cleanly: the agent detaches, the session is marked complete. An attached
    // target keeps running; a launched program is terminated, like Ctrl-C on `gcscope run`.
    void stop();
    // Asks for a heap snapshot; it is taken between two reads of the agent connection.
    void takeSnapshot();

    // How often the context hears of new rows while recording (default 500 ms).
    void setRefreshInterval(int milliseconds);

    // The recording under way (valid from started() until finished()).
    const RecordingStarted& current() const { return current_; }
    double elapsedSeconds() const;
    int pendingSnapshots() const { return pendingSnapshots_; }

Q_SIGNALS:
    void stateChanged(gcscope::ui::RecordingController::State state);
    void started(const gcscope::ui::RecordingStarted& info);
    void failed(const QString& message); // could not start: one line saying why
    void warning(const QString& message); // the recording goes on
    void snapshotSaved(qint64 snapshotId);
    void snapshotFailed(const QString& message);
    void finished(const gcscope::ui::RecordingEnded& ended);

private:
    struct Shared; // what the worker thread and the GUI thread both touch: atomics only

    void setState(State state);
    void onStarted(const RecordingStarted& info);
    void onWarning(const QString& message);
    void onSnapshotSaved(qint64 id);
    void onFailed(const QString& message);
    void onFinished(const RecordingEnded& ended);
    void threadDone();

    QPointer<DocumentContext> context_;
    State state_ = State::Idle;
    std::shared_ptr<Shared> shared_;
    QThread* thread_ = nullptr;
    QTimer* refresh_;
    QElapsedTimer elapsed_;
    RecordingStarted current_;
    int pendingSnapshots_ = 0;
};

} // namespace gcscope::ui
