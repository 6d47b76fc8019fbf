// Runs one kind of heavy work for a view off the GUI thread (hotspot's job tracker, in small):
// start() bumps a generation counter, so a result that arrives after a newer start() or a cancel()
// is dropped; results come back as values on the GUI thread through a queued connection to this
// object, which is safe to destroy while work is still running (the work keeps its own state).
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace gcscope::ui {

// Thrown inside work to stop it when its job was cancelled or superseded.
struct JobCancelled { };

// What work sees of its job: whether to stop, and a way to say how far it got.
class JobControl {
public:
    virtual ~JobControl() = default;
    virtual bool cancelled() const = 0;
    // value/maximum: a step count; maximum 0: busy, no measure of how far.
    virtual void progress(int value, int maximum, const QString& text) const = 0;
    // Work begun ahead of need (SnapshotHeadStart): shared with a job that asks for the same, it
    // is wanted only until such a job joins it; from then on, that job's cancel stops it.
    virtual bool yieldsToOtherJobs() const { return false; }
    void throwIfCancelled() const
    {
        if (cancelled())
            throw JobCancelled {};
    }
};

class BackgroundJob : public QObject {
    Q_OBJECT
public:
    explicit BackgroundJob(QObject* parent = nullptr);
    ~BackgroundJob() override;

    bool isRunning() const { return running_; }

    // Runs work(control) on the views' thread pool; calls done(value) or failed(message) on the GUI
    // thread unless another start() or cancel() came first. A std::exception's what() is the message.
    template <class T>
    void start(const QString& title, std::function<T(const JobControl&)> work, std::function<void(T)> done,
        std::function<void(const QString&)> failed)
    {
        auto state = begin(title);
        auto* watcher = new QFutureWatcher<Outcome<T>>(this);
        const quint64 generation = generation_;
        connect(watcher, &QFutureWatcher<Outcome<T>>::finished, this,
            [this, watcher, generation, done = std::move(done), failed = std::move(failed)] {
                watcher->deleteLater();
                if (generation != generation_)
                    return; // superseded or cancelled: drop the stale result
                auto outcome = watcher->result();
                finish();
                if (outcome.value)
                    done(std::move(*outcome.value));
                else if (!outcome.cancelled)
                    failed(outcome.error);
            });
        watcher->setFuture(QtConcurrent::run(pool(), [state, work = std::move(work)]() -> Outcome<T> {
            Outcome<T> outcome;
            try {
                state->throwIfCancelled();
                outcome.value.emplace(work(*state));
            } catch (const JobCancelled&) {
                outcome.cancelled = true;
            } catch (const std::exception& e) {
                outcome.error = QString::fromStdString(e.what());
            }
            return outcome;
        }));
    }

    // Stops waiting for the running work: it is told to stop at its next check and its result is
    // dropped. The view is idle at once.
    void cancel();

    // The pool every view's work runs on: a few threads, so a long load does not hold up the rest.
    static QThreadPool* pool();

Q_SIGNALS:
    void started(const QString& title);
    void progressed(int value, int maximum, const QString& text);
    void stopped(); // finished, failed or cancelled: the view is idle again

private:
    template <class T> struct Outcome {
        std::optional<T> value;
        bool cancelled = false;
        QString error;
    };
    class State;
    std::shared_ptr<const JobControl> begin(const QString& title); // the new job's control

    void finish();

    quint64 generation_ = 0;
    bool running_ = false;
    std::shared_ptr<State> state_;
};

class BackgroundJob::State : public JobControl {
public:
    State(BackgroundJob* job, quint64 generation)
        : job_(job)
        , generation_(generation)
    {
    }
    bool cancelled() const override { return cancelled_.load(std::memory_order_relaxed); }
    void progress(int value, int maximum, const QString& text) const override;
    // Called on the GUI thread: from now on the work reports to nobody.
    void cancelAndDetach();

private:
    mutable std::mutex mutex_; // guards job_: the work reads it, the GUI thread clears it
    BackgroundJob* job_;
    quint64 generation_;
    std::atomic<bool> cancelled_ { false };
};

} // namespace gcscope::ui
