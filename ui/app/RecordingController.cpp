#include "app/RecordingController.h"

#include "app/RecordingPaths.h"
#include "app/RecordingWorker.h"
#include "core/DocumentContext.h"

#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <csignal>

namespace gcscope::ui {

struct RecordingController::Shared : RecordingSignals { };

RecordingController::RecordingController(DocumentContext* context, QObject* parent)
    : QObject(parent)
    , context_(context)
    , refresh_(new QTimer(this))
{
    qRegisterMetaType<RecordingStarted>();
    qRegisterMetaType<RecordingEnded>();
    refresh_->setInterval(500);
    connect(refresh_, &QTimer::timeout, this, [this] {
        if (context_ && context_->databasePath() == current_.path) // the user may look at another file meanwhile
            context_->notifyDataAppended();
    });
}

RecordingController::~RecordingController()
{
    if (thread_) {
        shared_->stop.store(SIGINT);
        thread_->wait(); // the worker reports through queued calls to us: it must end first
        delete thread_;
    }
}

void RecordingController::setRefreshInterval(int milliseconds)
{
    refresh_->setInterval(milliseconds);
}

double RecordingController::elapsedSeconds() const
{
    return elapsed_.isValid() ? static_cast<double>(elapsed_.elapsed()) / 1000.0 : 0.0;
}

void RecordingController::setState(State state)
{
    if (state_ == state)
        return;
    state_ = state;
    Q_EMIT stateChanged(state);
}

bool RecordingController::start(const RecordingRequest& given)
{
    if (active())
        return false;
    RecordingRequest request = given;
    if (request.outputPath.isEmpty()) {
        const QString stem = request.kind == RecordingRequest::Kind::Launch && request.command.size() > 1
            ? QFileInfo(request.command[1]).completeBaseName()
            : QStringLiteral("pid%1").arg(request.pid);
        request.outputPath = defaultRecordingPath(stem);
    }
    shared_ = std::make_shared<Shared>();
    pendingSnapshots_ = 0;
    current_ = RecordingStarted {};
    elapsed_.invalidate();
    setState(State::Starting);

    // Everything the worker reports arrives on the GUI thread as a queued call on this object; the
    // destructor joins the worker first, so this object outlives every post (undelivered ones are
    // dropped with it).
    auto post = [this](auto call) { QMetaObject::invokeMethod(this, std::move(call), Qt::QueuedConnection); };
    RecordingCallbacks report;
    report.started = [this, post](const RecordingStarted& info) { post([this, info] { onStarted(info); }); };
    report.failed = [this, post](const QString& message) { post([this, message] { onFailed(message); }); };
    report.warning = [this, post](const QString& message) { post([this, message] { onWarning(message); }); };
    report.snapshotSaved = [this, post](qint64 id) { post([this, id] { onSnapshotSaved(id); }); };
    report.finished = [this, post](const RecordingEnded& ended) { post([this, ended] { onFinished(ended); }); };

    auto shared = shared_;
    thread_ = QThread::create([request, shared, report] { runRecording(request, *shared, report); });
    thread_->setObjectName(QStringLiteral("gcscope recording"));
    connect(thread_, &QThread::finished, this, &RecordingController::threadDone);
    thread_->start();
    return true;
}

void RecordingController::stop()
{
    if (!active() || state_ == State::Stopping)
        return;
    shared_->stop.store(SIGINT);
    setState(State::Stopping);
}

void RecordingController::takeSnapshot()
{
    if (state_ != State::Recording)
        return;
    ++pendingSnapshots_;
    shared_->snapshotRequests.fetch_add(1);
}

void RecordingController::onStarted(const RecordingStarted& info)
{
    current_ = info;
    elapsed_.start();
    if (state_ == State::Starting)
        setState(State::Recording);
    if (context_) {
        if (context_->databasePath() != info.path)
            context_->setDatabasePath(info.path);
        else
            context_->setSessionId(std::nullopt); // the newest session: the one being recorded
        context_->setLive(true);
    }
    refresh_->start();
    Q_EMIT started(info);
}

void RecordingController::onWarning(const QString& message)
{
    // The recording loop reports a failed snapshot as a warning; while one is pending, that is it.
    if (pendingSnapshots_ > 0) {
        --pendingSnapshots_;
        Q_EMIT snapshotFailed(message);
        return;
    }
    Q_EMIT warning(message);
}

void RecordingController::onSnapshotSaved(qint64 id)
{
    if (pendingSnapshots_ > 0)
        --pendingSnapshots_;
    if (context_)
        context_->notifySnapshotsChanged();
    Q_EMIT snapshotSaved(id);
}

void RecordingController::onFailed(const QString& message)
{
    Q_EMIT failed(message);
}

void RecordingController::onFinished(const RecordingEnded& ended)
{
    refresh_->stop();
    if (context_ && context_->databasePath() == ended.path) {
        context_->setLive(false);
        context_->notifyDataAppended(); // the session's end and last rows
    }
    Q_EMIT finished(ended);
}

void RecordingController::threadDone()
{
    // Queued reports posted before the thread ended were delivered before this (same queue).
    thread_->deleteLater();
    thread_ = nullptr;
    shared_.reset();
    elapsed_.invalidate();
    setState(State::Idle);
}

} // namespace gcscope::ui
