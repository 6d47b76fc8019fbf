// Where the views keep their layout between runs: QSettings("gcscope", "gcscope"), under
// "views/<name>/...". Splitter sizes and header state (column widths, order, sort) are restored
// when a view is created and saved when it is destroyed.
#pragma once

#include <QString>

class QHeaderView;
class QSplitter;

namespace gcscope::ui {

void restoreViewState(const QString& name, QSplitter* splitter, QHeaderView* header);
void saveViewState(const QString& name, const QSplitter* splitter, const QHeaderView* header);

} // namespace gcscope::ui
