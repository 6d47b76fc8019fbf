#include "app/RecentFiles.h"

#include <QFileInfo>
#include <QSettings>

namespace gcscope::ui {

namespace {
const QString kKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QObject* parent)
    : QObject(parent)
{
}

QStringList RecentFiles::files() const
{
    QStringList existing;
    for (const QString& f : QSettings().value(kKey).toStringList())
        if (QFileInfo::exists(f))
            existing << f;
    return existing;
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList all = QSettings().value(kKey).toStringList();
    all.removeAll(absolute);
    all.prepend(absolute);
    while (all.size() > kMaximum)
        all.removeLast();
    store(all);
}

void RecentFiles::remove(const QString& path)
{
    QStringList all = QSettings().value(kKey).toStringList();
    all.removeAll(QFileInfo(path).absoluteFilePath());
    store(all);
}

void RecentFiles::clear()
{
    store({});
}

void RecentFiles::store(const QStringList& files)
{
    QSettings().setValue(kKey, files);
    Q_EMIT changed();
}

} // namespace gcscope::ui
