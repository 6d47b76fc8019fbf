// What the views' Qt tests share: the recordings made by test_views_fixtures.py, the real CLI's
// JSON output to compare with, waiting for background work, and a main() that runs offscreen with
// QSettings in test mode.
#pragma once

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <functional>

namespace gcscope::ui::test {

// A fixture file, or an empty string with `skip` set to why it is missing.
inline QString fixture(const char* name, QString* skip)
{
    const QDir dir(QStringLiteral(GCSCOPE_VIEWS_FIXTURES));
    QFile reason(dir.filePath(QStringLiteral("SKIP")));
    if (reason.open(QIODevice::ReadOnly)) {
        *skip = QString::fromUtf8(reason.readAll());
        return {};
    }
    const QString path = dir.filePath(QLatin1String(name));
    if (!QFile::exists(path)) {
        *skip = path + QStringLiteral(" is missing: run the views_fixtures test first (ctest -R views)");
        return {};
    }
    return path;
}

// `gcscope ARGS --json`, parsed; an empty object (and a test failure message) when it fails.
inline QJsonObject cliJson(const QStringList& args)
{
    QProcess cli;
    cli.start(QStringLiteral(GCSCOPE_CLI), args + QStringList { QStringLiteral("--json") });
    if (!cli.waitForFinished(120'000) || cli.exitCode() != 0) {
        qWarning() << "gcscope" << args << "failed:" << cli.readAllStandardError();
        return {};
    }
    return QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
}

inline bool waitFor(const std::function<bool()>& done, int timeoutMs = 60'000)
{
    return QTest::qWaitFor(done, timeoutMs);
}

} // namespace gcscope::ui::test

#define GCSCOPE_VIEWS_TEST_MAIN(TestClass)                                                                             \
    int main(int argc, char** argv)                                                                                    \
    {                                                                                                                  \
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))                                                            \
            qputenv("QT_QPA_PLATFORM", "offscreen");                                                                   \
        QStandardPaths::setTestModeEnabled(true);                                                                      \
        /* The fixtures are shared: no test keeps analyses in them (one that wants to works on a copy). */             \
        qputenv("GCSCOPE_KEEP_ANALYSES", "0");                                                                         \
        QApplication app(argc, argv);                                                                                  \
        TestClass test;                                                                                                \
        return QTest::qExec(&test, argc, argv);                                                                        \
    }
