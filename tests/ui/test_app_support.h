// Shared by the application and dashboard tests (GUI-A): real recordings made with the real CLI,
// real Python targets, and the check whether ptrace works here.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>

class QSignalSpy;

namespace gcscope::ui::test {

// Why attaching cannot work on this machine (no ptrace), or nullopt when it can.
std::optional<QString> ptraceProblem();

// The Python interpreters to test with: Debian's and the pyenv build, those that exist.
QStringList pythons();

// Records the bundled demo with `gcscope record` into `path` for `seconds` (census every second,
// a heap snapshot at the end). Returns an error message, or an empty string on success.
QString recordDemo(const QString& path, int seconds = 3);

// The text of the first UserMessages::errorShown in the spy, or "" (for QVERIFY2, which evaluates
// its message even when the check passes).
QString firstError(const QSignalSpy& errors);

// The file's bytes, to check that something did not change it.
QByteArray fileBytes(const QString& path);

// A target script of tests/targets/, started with `python -u`. It prints "READY <pid>" once set up
// and "STATUS {json}" lines while it runs; terminated by the destructor.
class PythonTarget {
public:
    PythonTarget(const QString& python, const QString& script, const QStringList& arguments = {});
    ~PythonTarget();
    PythonTarget(const PythonTarget&) = delete;
    PythonTarget& operator=(const PythonTarget&) = delete;

    bool waitReady(int timeoutMs = 20000);
    qint64 pid() const { return process_.processId(); }
    bool running() const { return process_.state() == QProcess::Running; }
    // Waits for the next STATUS line printed after this call; its JSON text, or empty on timeout.
    QByteArray nextStatus(int timeoutMs = 10000);

private:
    bool readLine(QByteArray& line, int timeoutMs);
    QProcess process_;
};

} // namespace gcscope::ui::test
