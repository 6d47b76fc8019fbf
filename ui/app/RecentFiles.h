// The recently opened gcscope files, newest first, kept in QSettings ("recentFiles").
#pragma once

#include <QObject>
#include <QStringList>

namespace gcscope::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    explicit RecentFiles(QObject* parent = nullptr);

    QStringList files() const; // only those that still exist
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

    static constexpr int kMaximum = 10;

Q_SIGNALS:
    void changed();

private:
    void store(const QStringList& files);
};

} // namespace gcscope::ui
