// The row of headline numbers above the dashboard's charts: status, duration, collections per
// generation, objects collected and uncollectable, total and longest pause, samples, snapshots.
// Each value label has an object name ("summaryCollections", ...) so tests can read it.
#pragma once

#include "dashboard/DashboardData.h"

#include <QWidget>

class QLabel;

namespace gcscope::ui {

class SummaryStrip : public QWidget {
    Q_OBJECT
public:
    explicit SummaryStrip(QWidget* parent = nullptr);

    void clear();
    void showSeries(const DashboardSeries& series, bool live);

    // The value shown under a caption, by object name; for tests.
    QString value(const QString& objectName) const;

private:
    QLabel* addItem(const QString& caption, const QString& objectName, const QString& toolTip);

    QLabel* status_;
    QLabel* duration_;
    QLabel* collections_;
    QLabel* collectionsCaption_ = nullptr;
    QLabel* collected_;
    QLabel* uncollectable_;
    QLabel* pauseTotal_;
    QLabel* pauseMax_;
    QLabel* samples_;
    QLabel* snapshots_;
    int column_ = 0;
};

} // namespace gcscope::ui
