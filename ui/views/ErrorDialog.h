// Errors as the user sees them: a dialog that says what failed, the one-line reason from the core
// (StorageError / AttachError) and what to do about it. Window-modal and non-blocking (open(), not
// exec()), so a background result never runs a nested event loop. The same reason shown again within
// a few seconds (another view failing on the same file) is not shown twice.
#pragma once

#include <QString>

class QWidget;

namespace gcscope::ui {

void showErrorDialog(QWidget* parent, const QString& what, const QString& reason, const QString& whatToDo);

} // namespace gcscope::ui
