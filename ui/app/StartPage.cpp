#include "app/StartPage.h"

#include "app/OutputFileField.h"
#include "app/ProcessPicker.h"
#include "app/RecentFiles.h"
#include "app/RecordingPaths.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace gcscope::ui {

namespace {

QLabel* explanation(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace

StartPage::StartPage(RecentFiles* recent, QWidget* parent)
    : QWidget(parent)
    , recent_(recent)
{
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("gcscope"), this);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    title->setFont(big);
    layout->addWidget(title);
    layout->addWidget(explanation(
        tr("See what the garbage collector of a running Python program does, and what its heap holds."), this));

    auto* columns = new QHBoxLayout;
    layout->addLayout(columns, 1);

    // Left: attach.
    auto* attachBox = new QGroupBox(tr("Attach to a running Python process"), this);
    auto* attachLayout = new QVBoxLayout(attachBox);
    picker_ = new ProcessPicker(attachBox);
    attachLayout->addWidget(picker_, 1);
    auto* form = new QFormLayout;
    output_ = new OutputFileField(attachBox);
    form->addRow(tr("Record &into:"), output_);
    attachLayout->addLayout(form);
    auto* attachRow = new QHBoxLayout;
    attachRow->addWidget(explanation(tr("Double-click a process, or select it and press Attach. It keeps running; "
                                        "Stop detaches and leaves it as it was."),
                             attachBox),
        1);
    attach_ = new QPushButton(tr("&Attach"), attachBox);
    attach_->setObjectName(QStringLiteral("attachButton"));
    attach_->setEnabled(false);
    attachRow->addWidget(attach_);
    attachLayout->addLayout(attachRow);
    columns->addWidget(attachBox, 3);

    // Right: demo, launch, open.
    auto* right = new QVBoxLayout;
    auto* demoBox = new QGroupBox(tr("Try it"), this);
    auto* demoLayout = new QVBoxLayout(demoBox);
    demoLayout->addWidget(explanation(tr("Runs a small bundled web-service simulation that leaks request objects "
                                         "into an audit log and makes reference cycles, and records it live."),
        demoBox));
    auto* demo = new QPushButton(
        QIcon::fromTheme(QStringLiteral("media-playback-start"), style()->standardIcon(QStyle::SP_MediaPlay)),
        tr("Run the &Demo"), demoBox);
    demo->setObjectName(QStringLiteral("demoButton"));
    demo->setDefault(true); // the first thing to try
    QFont demoFont = demo->font();
    demoFont.setBold(true);
    demo->setFont(demoFont);
    demo->setEnabled(!demoScriptPath().isEmpty());
    if (!demo->isEnabled())
        demo->setToolTip(tr("The demo script is not installed (share/gcscope/demo/leaky_service.py)"));
    demoLayout->addWidget(demo);
    right->addWidget(demoBox);

    auto* launchBox = new QGroupBox(tr("Launch a script"), this);
    auto* launchLayout = new QVBoxLayout(launchBox);
    launchLayout->addWidget(explanation(tr("Start a Python script under the profiler, like gcscope run."), launchBox));
    auto* launch = new QPushButton(tr("&Launch…"), launchBox);
    launchLayout->addWidget(launch);
    right->addWidget(launchBox);

    auto* openBox = new QGroupBox(tr("Open a recording"), this);
    auto* openLayout = new QVBoxLayout(openBox);
    auto* open = new QPushButton(tr("&Open…"), openBox);
    openLayout->addWidget(open);
    openLayout->addWidget(explanation(tr("Recent files (or drop a .db file on this window):"), openBox));
    recentList_ = new QListWidget(openBox);
    recentList_->setObjectName(QStringLiteral("recentFiles"));
    openLayout->addWidget(recentList_, 1);
    right->addWidget(openBox, 1);
    columns->addLayout(right, 2);

    connect(picker_, &ProcessPicker::attachRequested, this, &StartPage::attachRequested);
    connect(picker_, &ProcessPicker::selectionChanged, this,
        [this] { attach_->setEnabled(picker_->selectedPid().has_value()); });
    connect(attach_, &QPushButton::clicked, this, [this] {
        if (auto pid = picker_->selectedPid())
            Q_EMIT attachRequested(*pid);
    });
    connect(demo, &QPushButton::clicked, this, &StartPage::demoRequested);
    connect(launch, &QPushButton::clicked, this, &StartPage::launchRequested);
    connect(open, &QPushButton::clicked, this, &StartPage::openRequested);
    connect(recentList_, &QListWidget::itemActivated, this,
        [this](QListWidgetItem* item) { Q_EMIT openFileRequested(item->data(Qt::UserRole).toString()); });
    connect(recent_, &RecentFiles::changed, this, &StartPage::fillRecent);
    fillRecent();
}

QString StartPage::outputPath() const
{
    return output_->path();
}

void StartPage::fillRecent()
{
    recentList_->clear();
    for (const QString& file : recent_->files()) {
        auto* item = new QListWidgetItem(QFileInfo(file).fileName(), recentList_);
        item->setData(Qt::UserRole, file);
        item->setToolTip(file);
    }
    if (recentList_->count() == 0) {
        auto* item = new QListWidgetItem(tr("(none yet)"), recentList_);
        item->setFlags(Qt::NoItemFlags);
    }
}

void StartPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    picker_->refresh(); // processes come and go while the page is hidden
    fillRecent();
}

} // namespace gcscope::ui
