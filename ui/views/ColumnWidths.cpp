#include "views/ColumnWidths.h"

#include <QHeaderView>
#include <QTreeView>

#include <memory>

namespace gcscope::ui {

void keepColumnWidths(QTreeView* view)
{
    auto widths = std::make_shared<QList<int>>();
    auto* model = view->model();
    QObject::connect(model, &QAbstractItemModel::modelAboutToBeReset, view, [view, widths] {
        widths->clear();
        for (int i = 0; i < view->header()->count(); ++i)
            widths->append(view->header()->sectionSize(i));
    });
    // Connected after the header's own handler, so this runs once the header has reset.
    QObject::connect(model, &QAbstractItemModel::modelReset, view, [view, widths] {
        auto* header = view->header();
        for (int i = 0; i < header->count() && i < widths->size(); ++i)
            if (header->sectionResizeMode(i) == QHeaderView::Interactive)
                header->resizeSection(i, widths->at(i));
    });
}

} // namespace gcscope::ui
