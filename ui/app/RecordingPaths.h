// Where recordings go by default, and where the bundled demo and a Python interpreter are found.
#pragma once

#include <QString>
#include <QStringList>

namespace gcscope::ui {

// <AppDataLocation>/recordings/gcscope-<stem>-<yyyyMMdd-HHmmss>.db (the folder is created).
QString defaultRecordingPath(const QString& stem);

// The bundled leaking demo: GCSCOPE_DEMO_SCRIPT from the build tree, else
// <exe>/../share/gcscope/demo/leaky_service.py. Empty when neither exists.
QString demoScriptPath();

// Interpreters to offer for Launch: Debian's /usr/bin/python3 and the python3 on PATH (resolved
// through a pyenv shim by the launcher itself), those that exist, without duplicates.
QStringList candidateInterpreters();
// The one to use when the user has not chosen: the first candidate, or "python3".
QString defaultInterpreter();

} // namespace gcscope::ui
