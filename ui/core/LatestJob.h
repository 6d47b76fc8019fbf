// Work off the GUI thread whose result only counts if it is still wanted: every start() bumps a
// generation, and a result that arrives after a newer start() (or cancel()) is dropped. The work
// runs on the global thread pool and must not touch widgets; its result is delivered by value on
// the receiver's thread, never after the receiver is gone. Exceptions become an error string.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QtConcurrent>

#include <exception>
#include <functional>
#include <optional>
#include <utility>

namespace gcscope::ui {

template <typename T> struct JobOutcome {
    std::optional<T> value; // set on success
    QString error; // one line, when the work threw
};

template <typename T> class LatestJob {
public:
    explicit LatestJob(QObject* receiver)
        : receiver_(receiver)
    {
    }

    // work: T() on a pool thread. done: void(JobOutcome<T>) on the receiver's thread.
    void start(std::function<T()> work, std::function<void(JobOutcome<T>)> done)
    {
        const quint64 generation = ++generation_;
        ++running_;
        auto* watcher = new QFutureWatcher<JobOutcome<T>>(receiver_);
        QObject::connect(
            watcher, &QFutureWatcherBase::finished, receiver_, [this, watcher, generation, done = std::move(done)] {
                --running_;
                JobOutcome<T> outcome = watcher->result();
                watcher->deleteLater();
                if (generation == generation_)
                    done(std::move(outcome));
            });
        watcher->setFuture(QtConcurrent::run([work = std::move(work)]() -> JobOutcome<T> {
            JobOutcome<T> outcome;
            try {
                outcome.value = work();
            } catch (const std::exception& e) {
                outcome.error = QString::fromStdString(e.what());
            } catch (...) {
                outcome.error = QStringLiteral("unexpected error");
            }
            return outcome;
        }));
    }

    // Results of jobs started so far are dropped.
    void cancel() { ++generation_; }
    // Jobs started and not yet delivered (or dropped).
    bool busy() const { return running_ > 0; }
    quint64 generation() const { return generation_; }

private:
    QObject* receiver_;
    quint64 generation_ = 0;
    int running_ = 0;
};

} // namespace gcscope::ui
