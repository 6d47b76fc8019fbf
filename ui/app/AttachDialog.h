// File → Attach…: choose a running Python process and where to record it.
#pragma once

#include "app/RecordingRequest.h"

#include <QDialog>

class QPushButton;

namespace gcscope::ui {

class OutputFileField;
class ProcessPicker;

class AttachDialog : public QDialog {
    Q_OBJECT
public:
    explicit AttachDialog(QWidget* parent = nullptr);
    RecordingRequest request() const;
    ProcessPicker* picker() const { return picker_; }

private:
    ProcessPicker* picker_;
    OutputFileField* output_;
    QPushButton* attach_;
};

} // namespace gcscope::ui
