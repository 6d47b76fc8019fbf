// "Record into": empty means a new timestamped file in the recordings folder; Browse… picks a
// file (an existing gcscope file gets one more session appended).
#pragma once

#include <QWidget>

class QLineEdit;

namespace gcscope::ui {

class OutputFileField : public QWidget {
    Q_OBJECT
public:
    explicit OutputFileField(QWidget* parent = nullptr);
    QString path() const; // empty: the default
    void setPath(const QString& path);

private:
    QLineEdit* edit_;
};

} // namespace gcscope::ui
