// File → Export Leak Report…: builds the leak report of the shown session with the same writers as
// `gcscope report` (profiler/report), on a worker thread (it analyses snapshots: seconds), and
// writes it as HTML, JSON or Markdown.
#pragma once

#include "core/LatestJob.h"

#include <QObject>
#include <QString>

#include <optional>

namespace gcscope::ui {

class ReportExporter : public QObject {
    Q_OBJECT
public:
    explicit ReportExporter(QObject* parent = nullptr);

    // The writers are part of this build (profiler/report).
    static bool available();

    bool busy() const { return job_.busy(); }
    // Format from the file name: .json, .md, else HTML.
    void exportReport(const QString& databasePath, std::optional<qint64> sessionId, const QString& outputPath);

Q_SIGNALS:
    void finished(const QString& outputPath);
    void failed(const QString& message);

private:
    LatestJob<QString> job_;
};

} // namespace gcscope::ui
