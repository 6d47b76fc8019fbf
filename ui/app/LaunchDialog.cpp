#include "app/LaunchDialog.h"

#include "app/OutputFileField.h"
#include "app/RecordingPaths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace gcscope::ui {

namespace {
const QString kInterpreterKey = QStringLiteral("launch/interpreter");

QWidget* withBrowse(QLineEdit* edit, QPushButton* browse)
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return row;
}
} // namespace

LaunchDialog::LaunchDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Launch a Python Script Under gcscope"));
    auto* form = new QFormLayout(this);

    script_ = new QLineEdit(this);
    script_->setPlaceholderText(tr("path/to/app.py"));
    auto* browseScript = new QPushButton(tr("Browse…"), this);
    form->addRow(tr("&Script:"), withBrowse(script_, browseScript));

    arguments_ = new QLineEdit(this);
    arguments_->setPlaceholderText(tr("arguments, quoted as in a shell"));
    form->addRow(tr("&Arguments:"), arguments_);

    interpreter_ = new QComboBox(this);
    interpreter_->setEditable(true);
    QStringList interpreters = candidateInterpreters();
    const QString last = QSettings().value(kInterpreterKey).toString();
    if (!last.isEmpty()) {
        interpreters.removeAll(last);
        interpreters.prepend(last);
    }
    interpreter_->addItems(interpreters);
    interpreter_->setToolTip(tr("A CPython 3.11 interpreter. A pyenv shim is fine."));
    form->addRow(tr("&Python:"), interpreter_);

    workingDirectory_ = new QLineEdit(this);
    workingDirectory_->setPlaceholderText(tr("the script's folder"));
    auto* browseDir = new QPushButton(tr("Browse…"), this);
    form->addRow(tr("&Working folder:"), withBrowse(workingDirectory_, browseDir));

    output_ = new OutputFileField(this);
    form->addRow(tr("Record &into:"), output_);

    interval_ = new QSpinBox(this);
    interval_->setRange(10, 60000);
    interval_->setValue(100);
    interval_->setSuffix(tr(" ms"));
    form->addRow(tr("Sample &every:"), interval_);
    census_ = new QSpinBox(this);
    census_->setRange(0, 3600);
    census_->setValue(1);
    census_->setSuffix(tr(" s"));
    census_->setSpecialValueText(tr("never"));
    census_->setToolTip(tr("How often to count the live objects per type (0: never)"));
    form->addRow(tr("&Census every:"), census_);
    snapshotAtEnd_ = new QCheckBox(tr("Take a heap &snapshot when the script ends"), this);
    snapshotAtEnd_->setChecked(true);
    snapshotAtEnd_->setToolTip(tr("Like gcscope run --snapshot-at-end: the script's exit waits for the snapshot"));
    form->addRow(snapshotAtEnd_);

    auto* note = new QLabel(tr("Stopping the recording also ends the script."), this);
    note->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(note);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    ok_ = buttons->addButton(tr("&Launch"), QDialogButtonBox::AcceptRole);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &LaunchDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(script_, &QLineEdit::textChanged, this, &LaunchDialog::updateOk);
    connect(interpreter_, &QComboBox::currentTextChanged, this, &LaunchDialog::updateOk);
    connect(browseScript, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(
            this, tr("Python Script"), script_->text(), tr("Python scripts (*.py);;All files (*)"));
        if (!chosen.isEmpty())
            setScript(chosen);
    });
    connect(browseDir, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getExistingDirectory(this, tr("Working Folder"), workingDirectory_->text());
        if (!chosen.isEmpty())
            workingDirectory_->setText(chosen);
    });
    setMinimumWidth(fontMetrics().averageCharWidth() * 80);
    updateOk();
}

void LaunchDialog::setScript(const QString& path)
{
    script_->setText(path);
}

void LaunchDialog::updateOk()
{
    ok_->setEnabled(QFileInfo(script_->text().trimmed()).isFile() && !interpreter_->currentText().trimmed().isEmpty());
}

void LaunchDialog::accept()
{
    QSettings().setValue(kInterpreterKey, interpreter_->currentText().trimmed());
    QDialog::accept();
}

RecordingRequest LaunchDialog::request() const
{
    RecordingRequest r;
    r.kind = RecordingRequest::Kind::Launch;
    const QString script = QFileInfo(script_->text().trimmed()).absoluteFilePath();
    r.command << interpreter_->currentText().trimmed() << script << QProcess::splitCommand(arguments_->text());
    r.workingDirectory = workingDirectory_->text().trimmed().isEmpty() ? QFileInfo(script).absolutePath()
                                                                       : workingDirectory_->text().trimmed();
    r.outputPath = output_->path();
    r.intervalMs = static_cast<quint32>(interval_->value());
    r.censusEveryMs = static_cast<quint32>(census_->value()) * 1000;
    r.snapshotAtEnd = snapshotAtEnd_->isChecked();
    return r;
}

} // namespace gcscope::ui
