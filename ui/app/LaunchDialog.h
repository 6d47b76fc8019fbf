// File → Launch…: start a Python script under the profiler, like `gcscope run -- python3 app.py`.
// The interpreter chosen last time is remembered (QSettings "launch/interpreter").
#pragma once

#include "app/RecordingRequest.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace gcscope::ui {

class OutputFileField;

class LaunchDialog : public QDialog {
    Q_OBJECT
public:
    explicit LaunchDialog(QWidget* parent = nullptr);

    void setScript(const QString& path);
    RecordingRequest request() const;

    void accept() override; // remembers the interpreter

private:
    void updateOk();

    QLineEdit* script_;
    QLineEdit* arguments_;
    QComboBox* interpreter_;
    QLineEdit* workingDirectory_;
    OutputFileField* output_;
    QSpinBox* interval_;
    QSpinBox* census_;
    QCheckBox* snapshotAtEnd_;
    QPushButton* ok_;
};

} // namespace gcscope::ui
