// The chart under the types table: the selected type's object count (left axis) and total size
// (right axis) at each census, over seconds since the recording started.
#pragma once

#include <QChartView>

class QLineSeries;
class QValueAxis;

namespace gcscope::ui {

struct TypeGrowthRow;

class TypeSeriesChart : public QChartView {
    Q_OBJECT
public:
    explicit TypeSeriesChart(QWidget* parent = nullptr);

    // Shows the row over the census times (nullptr: an empty chart with a hint).
    void showRow(const TypeGrowthRow* row, const QList<qint64>& timesNs, std::int64_t startNs);

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyPalette();

    QLineSeries* count_;
    QLineSeries* size_;
    QValueAxis* time_;
    QValueAxis* countAxis_;
    QValueAxis* sizeAxis_;
};

} // namespace gcscope::ui
