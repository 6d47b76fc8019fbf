#include "core/UserMessages.h"

#include <QMessageBox>

namespace gcscope::ui {

UserMessages::UserMessages(QWidget* dialogParent, QObject* parent)
    : QObject(parent)
    , dialogParent_(dialogParent)
{
    qRegisterMetaType<UserMessage>();
}

void UserMessages::showError(const UserMessage& message)
{
    present(message, true);
    Q_EMIT errorShown(message);
}

void UserMessages::showInformation(const UserMessage& message)
{
    present(message, false);
    Q_EMIT informationShown(message);
}

void UserMessages::present(const UserMessage& message, bool error)
{
    if (!dialogsEnabled_)
        return;
    auto* box = new QMessageBox(error ? QMessageBox::Warning : QMessageBox::Information, message.title, message.text,
        QMessageBox::Ok, dialogParent_);
    box->setInformativeText(message.advice);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse); // users copy the message into bug reports
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace gcscope::ui
