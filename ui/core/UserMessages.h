// Errors and notices for the user, in one place. Every message is shown as a window-modal dialog
// that never blocks the caller (QMessageBox::open, not exec), and is also emitted as a signal so
// tests can read exactly what the user would have read without a dialog in the way.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QWidget>

namespace gcscope::ui {

struct UserMessage {
    QString title; // the window title: what failed ("Cannot open recording")
    QString text; // the one-line StorageError / AttachError message
    QString advice; // what to do about it
};

class UserMessages : public QObject {
    Q_OBJECT
public:
    explicit UserMessages(QWidget* dialogParent, QObject* parent = nullptr);

    // Tests switch dialogs off; the signal is emitted either way.
    void setDialogsEnabled(bool enabled) { dialogsEnabled_ = enabled; }

    void showError(const UserMessage& message);
    void showInformation(const UserMessage& message);

Q_SIGNALS:
    void errorShown(const gcscope::ui::UserMessage& message);
    void informationShown(const gcscope::ui::UserMessage& message);

private:
    void present(const UserMessage& message, bool error);

    QPointer<QWidget> dialogParent_;
    bool dialogsEnabled_ = true;
};

} // namespace gcscope::ui

Q_DECLARE_METATYPE(gcscope::ui::UserMessage)
