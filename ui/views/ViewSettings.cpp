#include "views/ViewSettings.h"

#include <QHeaderView>
#include <QSettings>
#include <QSplitter>

namespace gcscope::ui {
namespace {

QString key(const QString& name, const char* what)
{
    return QStringLiteral("views/") + name + QLatin1Char('/') + QLatin1String(what);
}

} // namespace

void restoreViewState(const QString& name, QSplitter* splitter, QHeaderView* header)
{
    QSettings s(QStringLiteral("gcscope"), QStringLiteral("gcscope"));
    if (splitter)
        splitter->restoreState(s.value(key(name, "splitter")).toByteArray());
    if (header)
        header->restoreState(s.value(key(name, "header")).toByteArray());
}

void saveViewState(const QString& name, const QSplitter* splitter, const QHeaderView* header)
{
    QSettings s(QStringLiteral("gcscope"), QStringLiteral("gcscope"));
    if (splitter)
        s.setValue(key(name, "splitter"), splitter->saveState());
    if (header)
        s.setValue(key(name, "header"), header->saveState());
}

} // namespace gcscope::ui
