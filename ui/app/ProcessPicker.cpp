#include "app/ProcessPicker.h"

#include "app/ProcessListModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace gcscope::ui {

ProcessPicker::ProcessPicker(QWidget* parent)
    : QWidget(parent)
    , model_(new ProcessListModel(this))
    , proxy_(new QSortFilterProxyModel(this))
{
    proxy_->setSourceModel(model_);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setFilterKeyColumn(-1); // any column: PID, user, version or command line

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("processFilter"));
    filter_->setPlaceholderText(tr("Filter by PID, user, version or command line"));
    filter_->setClearButtonEnabled(true);
    auto* refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setToolTip(tr("List the Python processes again (F5)"));
    refresh->setShortcut(QKeySequence::Refresh);
    count_ = new QLabel(this);
    count_->setForegroundRole(QPalette::PlaceholderText);
    row->addWidget(filter_, 1);
    row->addWidget(count_);
    row->addWidget(refresh);
    layout->addLayout(row);

    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("processTable"));
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(ProcessListModel::PidColumn, Qt::DescendingOrder); // the newest process first
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    auto* header = table_->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    // A refusal reason can be long: it is elided here and shown whole below the table.
    header->setSectionResizeMode(ProcessListModel::AttachColumn, QHeaderView::Interactive);
    header->resizeSection(ProcessListModel::AttachColumn, fontMetrics().averageCharWidth() * 24);
    header->setSectionResizeMode(ProcessListModel::CommandColumn, QHeaderView::Stretch);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(table_, 1);
    details_ = new QLabel(this);
    details_->setObjectName(QStringLiteral("processDetails"));
    details_->setWordWrap(true);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(details_);

    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    connect(filter_, &QLineEdit::textChanged, this, &ProcessPicker::updateCount);
    connect(refresh, &QPushButton::clicked, this, &ProcessPicker::refresh);
    connect(model_, &ProcessListModel::refreshed, this, &ProcessPicker::updateCount);
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.data(ProcessListModel::AttachableRole).toBool())
            Q_EMIT attachRequested(index.data(ProcessListModel::PidRole).toLongLong());
    });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ProcessPicker::selectionChanged);
    connect(this, &ProcessPicker::selectionChanged, this, &ProcessPicker::updateDetails);
    connect(model_, &QAbstractItemModel::modelReset, this, &ProcessPicker::selectionChanged);
    updateCount();
}

void ProcessPicker::refresh()
{
    count_->setText(tr("Looking…"));
    model_->refresh();
}

void ProcessPicker::updateCount()
{
    const int all = model_->rowCount(), shown = proxy_->rowCount();
    if (all == 0)
        count_->setText(tr("No Python processes found"));
    else if (shown == all)
        count_->setText(all == 1 ? tr("1 Python process") : tr("%1 Python processes").arg(all));
    else
        count_->setText(tr("%1 of %2 shown").arg(shown).arg(all));
}

void ProcessPicker::updateDetails()
{
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        details_->clear();
        return;
    }
    const QModelIndex row = rows.first();
    const QString command = row.siblingAtColumn(ProcessListModel::CommandColumn).data().toString();
    if (row.data(ProcessListModel::AttachableRole).toBool())
        details_->setText(tr("PID %1: %2").arg(row.data(ProcessListModel::PidRole).toLongLong()).arg(command));
    else
        details_->setText(row.data(Qt::ToolTipRole).toString());
}

std::optional<qint64> ProcessPicker::selectedPid() const
{
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty() || !rows.first().data(ProcessListModel::AttachableRole).toBool())
        return std::nullopt;
    return rows.first().data(ProcessListModel::PidRole).toLongLong();
}

void ProcessPicker::selectPid(qint64 pid)
{
    const int row = model_->rowOfPid(pid);
    if (row < 0)
        return;
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, 0));
    table_->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(index);
}

} // namespace gcscope::ui
