// The flat tables the views show models in: no tree decoration, uniform rows, alternating colours,
// one row selected at a time, and the last column not stretched (each view says which one takes
// the room).
#pragma once

class QAbstractItemModel;
class QTreeView;
class QWidget;

namespace gcscope::ui {

QTreeView* makeTableView(QWidget* parent, QAbstractItemModel* model);

} // namespace gcscope::ui
