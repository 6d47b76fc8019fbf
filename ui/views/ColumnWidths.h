// QHeaderView forgets its section sizes when the model resets, and the inspector's models reset
// every time another object is shown: this keeps the widths (set by the view or the user) across
// resets of the view's model.
#pragma once

class QTreeView;

namespace gcscope::ui {

void keepColumnWidths(QTreeView* view);

} // namespace gcscope::ui
