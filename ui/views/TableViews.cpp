#include "views/TableViews.h"

#include <QHeaderView>
#include <QTreeView>

namespace gcscope::ui {

QTreeView* makeTableView(QWidget* parent, QAbstractItemModel* model)
{
    auto* view = new QTreeView(parent);
    view->setModel(model);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->header()->setStretchLastSection(false);
    return view;
}

} // namespace gcscope::ui
