#include "app/AttachDialog.h"

#include "app/OutputFileField.h"
#include "app/ProcessPicker.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace gcscope::ui {

AttachDialog::AttachDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Attach to a Python Process"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("gcscope loads a small agent into the process and records its garbage collector. "
                                "The process keeps running, and is left as it was when you stop."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    picker_ = new ProcessPicker(this);
    layout->addWidget(picker_, 1);
    auto* form = new QFormLayout;
    output_ = new OutputFileField(this);
    form->addRow(tr("Record &into:"), output_);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    attach_ = buttons->addButton(tr("&Attach"), QDialogButtonBox::AcceptRole);
    attach_->setEnabled(false);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(picker_, &ProcessPicker::selectionChanged, this,
        [this] { attach_->setEnabled(picker_->selectedPid().has_value()); });
    connect(picker_, &ProcessPicker::attachRequested, this, [this](qint64 pid) {
        picker_->selectPid(pid);
        accept();
    });
    resize(fontMetrics().averageCharWidth() * 110, fontMetrics().height() * 28);
    picker_->refresh();
}

RecordingRequest AttachDialog::request() const
{
    RecordingRequest r;
    r.kind = RecordingRequest::Kind::Attach;
    r.pid = picker_->selectedPid().value_or(0);
    r.outputPath = output_->path();
    return r;
}

} // namespace gcscope::ui
