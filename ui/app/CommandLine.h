// gcscope-gui's command line: [FILE.db] [--attach PID] [--demo] [--version], plus hidden options
// for documentation screenshots and benchmarks (--screenshot PATH, --screenshot-delay MS, --tab NAME,
// --until-loaded, --size WxH, --palette dark|light).
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

namespace gcscope::ui {

struct AppOptions {
    QString file;
    qint64 attachPid = 0;
    bool demo = false;
    QString screenshot; // save a grab of the window there, then quit
    int screenshotDelayMs = 3000;
    QString tab; // dashboard, leaks, types, snapshots, inspector, cycles, start
    // Once the --tab view has loaded: print how long that took, take the screenshot if one is asked
    // for (then, not after the delay), and quit. How a benchmark times the GUI's first answer.
    bool untilLoaded = false;
    QSize size; // the window size, for screenshots
    QString palette; // "dark" or "light": a Fusion palette, to check both themes
};

struct ParsedCommandLine {
    enum class Action { Run, Exit };
    Action action = Action::Run;
    int exitCode = 0; // for Exit: 0 after --help / --version, 2 after a usage error
    QString output; // for Exit: what to print (stdout for 0, stderr otherwise)
    AppOptions options;
};

// Works before any QApplication exists, so --version and --help need no display.
ParsedCommandLine parseCommandLine(const QStringList& arguments);

} // namespace gcscope::ui
