#include "app/OutputFileField.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>

namespace gcscope::ui {

OutputFileField::OutputFileField(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    edit_ = new QLineEdit(this);
    const QString folder
        = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recordings");
    edit_->setPlaceholderText(tr("a new file in %1").arg(folder));
    edit_->setToolTip(tr("The gcscope file to record into. Leave empty for a new timestamped file; an existing "
                         "gcscope file gets one more session."));
    edit_->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse…"), this);
    layout->addWidget(edit_, 1);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(this, tr("Record Into"), edit_->text(),
            tr("gcscope recordings (*.db);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!chosen.isEmpty())
            edit_->setText(chosen);
    });
}

QString OutputFileField::path() const
{
    return edit_->text().trimmed();
}

void OutputFileField::setPath(const QString& path)
{
    edit_->setText(path);
}

} // namespace gcscope::ui
