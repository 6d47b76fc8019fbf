#include "views/ErrorDialog.h"

#include <QElapsedTimer>
#include <QMessageBox>

namespace gcscope::ui {

void showErrorDialog(QWidget* parent, const QString& what, const QString& reason, const QString& whatToDo)
{
    // Several views read the same file: one damaged snapshot must not open a dialog per view.
    static QString lastReason;
    static QElapsedTimer sinceLast;
    if (reason == lastReason && sinceLast.isValid() && sinceLast.elapsed() < 5000)
        return;
    lastReason = reason;
    sinceLast.start();
    auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("gcscope"), what, QMessageBox::Ok, parent);
    box->setInformativeText(reason + QStringLiteral("\n\n") + whatToDo);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->open();
}

} // namespace gcscope::ui
