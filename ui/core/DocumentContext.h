// What every view of the main window shares: the open gcscope database and the selection in it.
// Views take a DocumentContext* and reload (off the GUI thread) when it signals. The live recording
// controller calls notifyDataAppended() whenever the recording thread committed new rows, so views
// over a live file refresh with the same code path as views over a saved one.
#pragma once

#include <QObject>
#include <QString>
#include <optional>

namespace gcscope::ui {

class DocumentContext : public QObject {
    Q_OBJECT
public:
    explicit DocumentContext(QObject* parent = nullptr)
        : QObject(parent)
    {
    }

    // The gcscope database shown (empty: none). Views open their own read-only storage::Database
    // on it in their worker threads (one owner per connection; SQLite WAL lets them read while the
    // recorder writes).
    QString databasePath() const { return path_; }
    void setDatabasePath(const QString& path)
    {
        path_ = path;
        session_.reset();
        snapshot_.reset();
        compareFrom_.reset();
        Q_EMIT databaseChanged();
    }

    // The session whose telemetry is shown (default: the newest).
    std::optional<qint64> sessionId() const { return session_; }
    void setSessionId(std::optional<qint64> id)
    {
        session_ = id;
        Q_EMIT sessionChanged();
    }

    // The snapshot the inspector and cycles views show, and the one it is compared against.
    std::optional<qint64> snapshotId() const { return snapshot_; }
    std::optional<qint64> compareFromSnapshotId() const { return compareFrom_; }
    void setSnapshots(std::optional<qint64> current, std::optional<qint64> compareFrom = std::nullopt)
    {
        snapshot_ = current;
        compareFrom_ = compareFrom;
        Q_EMIT snapshotChanged();
    }

    // True while a live recording writes into databasePath().
    bool isLive() const { return live_; }
    void setLive(bool live)
    {
        live_ = live;
        Q_EMIT liveChanged(live);
    }

    void notifyDataAppended() { Q_EMIT dataAppended(); }
    void notifySnapshotsChanged() { Q_EMIT snapshotsChanged(); }

    // Views ask to reveal an object (address) of the current snapshot in the inspector.
    void requestInspectObject(quint64 address) { Q_EMIT inspectObjectRequested(address); }
    void requestInspectType(const QString& type) { Q_EMIT inspectTypeRequested(type); }

Q_SIGNALS:
    void databaseChanged();
    void sessionChanged();
    void snapshotChanged();
    void liveChanged(bool live);
    void dataAppended(); // a live recording committed more samples, events or censuses
    void snapshotsChanged(); // a snapshot was added
    void inspectObjectRequested(quint64 address);
    void inspectTypeRequested(const QString& type);

private:
    QString path_;
    std::optional<qint64> session_;
    std::optional<qint64> snapshot_;
    std::optional<qint64> compareFrom_;
    bool live_ = false;
};

} // namespace gcscope::ui
