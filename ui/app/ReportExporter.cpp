#include "app/ReportExporter.h"

#if __has_include("report/ReportWriter.h")
#include "report/ReportWriter.h"
#define GCSCOPE_HAVE_REPORT_WRITER 1
#include "views/BackgroundJob.h"
#include "views/LeakReportLoad.h"

#include <gcscope/storage/Database.h>
#endif

#include <QFileInfo>

#include <stdexcept>

namespace gcscope::ui {

#ifdef GCSCOPE_HAVE_REPORT_WRITER
namespace {
// An export runs to the end: it is not cancelled, and says nothing on the way.
class Uninterrupted final : public JobControl {
public:
    bool cancelled() const override { return false; }
    void progress(int, int, const QString&) const override { }
};
} // namespace
#endif

ReportExporter::ReportExporter(QObject* parent)
    : QObject(parent)
    , job_(this)
{
}

bool ReportExporter::available()
{
#ifdef GCSCOPE_HAVE_REPORT_WRITER
    return true;
#else
    return false;
#endif
}

void ReportExporter::exportReport(
    const QString& databasePath, std::optional<qint64> sessionId, const QString& outputPath)
{
    const std::string db = databasePath.toStdString();
    const std::string out = outputPath.toStdString();
    const std::string suffix = QFileInfo(outputPath).suffix().toLower().toStdString();
    job_.start(
        [databasePath, db, out, suffix, sessionId]() -> QString {
#ifdef GCSCOPE_HAVE_REPORT_WRITER
            const auto database = storage::Database::openForReading(db);
            report::ReportOptions options;
            options.sessionId = sessionId;
            // The views' snapshots, when they have them: a big heap is not loaded or analysed
            // twice (and when they have none, they find these made).
            const Uninterrupted control;
            shareCachedSnapshots(options, databasePath, control);
            const auto built = report::buildReport(database, options);
            const auto format = report::parseReportFormat(suffix).value_or(report::ReportFormat::Html);
            report::writeReport(built, format, out);
            return QString::fromStdString(out);
#else
            (void)databasePath;
            (void)db;
            (void)out;
            (void)suffix;
            (void)sessionId;
            throw std::runtime_error("leak reports are not part of this build");
#endif
        },
        [this](JobOutcome<QString> outcome) {
            if (outcome.value)
                Q_EMIT finished(*outcome.value);
            else
                Q_EMIT failed(outcome.error);
        });
}

} // namespace gcscope::ui
