#include "test_app_support.h"

#include "core/UserMessages.h"

#include <QSignalSpy>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gcscope::ui::test {

namespace {
// Run without a display when started by hand, as under ctest (which sets it too).
const bool offscreenByDefault = [] {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    return true;
}();
} // namespace

std::optional<QString> ptraceProblem()
{
    const pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    std::optional<QString> problem;
    if (ptrace(PTRACE_SEIZE, child, nullptr, nullptr) != 0)
        problem = QStringLiteral("ptrace(PTRACE_SEIZE) is not permitted here: %1")
                      .arg(QString::fromLocal8Bit(strerror(errno)));
    else
        ptrace(PTRACE_DETACH, child, nullptr, nullptr);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return problem;
}

QStringList pythons()
{
    QStringList found;
    for (const QString& p :
        { QStringLiteral("/usr/bin/python3"), QStringLiteral("/root/.pyenv/versions/3.11.7/bin/python3.11") })
        if (QFileInfo(p).isExecutable())
            found << p;
    return found;
}

QString recordDemo(const QString& path, int seconds)
{
    // The demo runs on its own; `gcscope record` attaches for `seconds`, then snapshots and detaches.
    QProcess demo;
    demo.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    demo.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-u"), QStringLiteral(GCSCOPE_SOURCE_DIR "/demo/leaky_service.py"),
            QString::number(seconds + 60) });
    if (!demo.waitForStarted() || !demo.waitForReadyRead(20000))
        return QStringLiteral("the demo did not start");
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral(GCSCOPE_CLI),
        { QStringLiteral("record"), QStringLiteral("--pid"), QString::number(demo.processId()), QStringLiteral("-o"),
            path, QStringLiteral("--interval"), QStringLiteral("50"), QStringLiteral("--census-every"),
            QStringLiteral("1"), QStringLiteral("--duration"), QString::number(seconds),
            QStringLiteral("--snapshot-at-end") });
    const bool done = cli.waitForFinished((seconds + 60) * 1000);
    demo.kill();
    demo.waitForFinished();
    if (!done)
        return QStringLiteral("gcscope record did not finish");
    if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0)
        return QStringLiteral("gcscope record failed: ") + QString::fromLocal8Bit(cli.readAll());
    return {};
}

QString firstError(const QSignalSpy& errors)
{
    return errors.isEmpty() ? QString() : errors.first().first().value<UserMessage>().text;
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

PythonTarget::PythonTarget(const QString& python, const QString& script, const QStringList& arguments)
{
    process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process_.start(python,
        QStringList { QStringLiteral("-u"), QStringLiteral(GCSCOPE_SOURCE_DIR "/tests/targets/") + script }
            + arguments);
}

PythonTarget::~PythonTarget()
{
    if (process_.state() != QProcess::NotRunning) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

bool PythonTarget::readLine(QByteArray& line, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!process_.canReadLine()) {
        if (deadline.hasExpired() || process_.state() == QProcess::NotRunning)
            return false;
        process_.waitForReadyRead(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())));
    }
    line = process_.readLine().trimmed();
    return true;
}

bool PythonTarget::waitReady(int timeoutMs)
{
    if (!process_.waitForStarted(timeoutMs))
        return false;
    QByteArray line;
    const QDeadlineTimer deadline(timeoutMs);
    while (readLine(line, static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
        if (line.startsWith("READY "))
            return true;
    return false;
}

QByteArray PythonTarget::nextStatus(int timeoutMs)
{
    process_.readAll(); // only lines printed from now on
    QByteArray line;
    const QDeadlineTimer deadline(timeoutMs);
    while (readLine(line, static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
        if (line.startsWith("STATUS "))
            return line.mid(7);
    return {};
}

} // namespace gcscope::ui::test
