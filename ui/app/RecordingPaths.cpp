#include "app/RecordingPaths.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace gcscope::ui {

QString defaultRecordingPath(const QString& stem)
{
    QDir dir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    dir.mkpath(QStringLiteral("recordings"));
    dir.cd(QStringLiteral("recordings"));
    QString safeStem = stem;
    for (QChar& c : safeStem)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_'))
            c = QLatin1Char('_');
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString path = dir.filePath(QStringLiteral("gcscope-%1-%2.db").arg(safeStem, time));
    for (int n = 2; QFileInfo::exists(path); ++n) // two recordings in the same second
        path = dir.filePath(QStringLiteral("gcscope-%1-%2-%3.db").arg(safeStem, time).arg(n));
    return path;
}

QString demoScriptPath()
{
    const QString built = QStringLiteral(GCSCOPE_DEMO_SCRIPT);
    if (QFileInfo::exists(built))
        return built;
    const QString installed = QDir(QCoreApplication::applicationDirPath())
                                  .filePath(QStringLiteral("../share/gcscope/demo/leaky_service.py"));
    if (QFileInfo::exists(installed))
        return QDir::cleanPath(installed);
    return {};
}

QStringList candidateInterpreters()
{
    QStringList found;
    const QString debian = QStringLiteral("/usr/bin/python3");
    if (QFileInfo(debian).isExecutable())
        found << debian;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (!onPath.isEmpty() && QFileInfo(onPath).canonicalFilePath() != QFileInfo(debian).canonicalFilePath())
        found << onPath;
    return found;
}

QString defaultInterpreter()
{
    const auto all = candidateInterpreters();
    return all.isEmpty() ? QStringLiteral("python3") : all.first();
}

} // namespace gcscope::ui
