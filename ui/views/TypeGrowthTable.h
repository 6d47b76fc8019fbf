// The types view's data: one session's per-type census series with their growth, read and computed
// off the GUI thread and then immutable.
#pragma once

#include "analysis/Growth.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace gcscope::ui {

struct TypeGrowthRow {
    QString type;
    std::uint64_t count = 0; // at the last census
    std::uint64_t size = 0;
    analysis::TypeGrowth growth;
    QList<qreal> counts; // one per census, for the sparkline and the chart
    QList<qreal> sizes;
};

struct TypeGrowthTable {
    std::optional<std::int64_t> sessionId; // unset: the file holds no sessions
    std::int64_t sessionStartNs = 0;
    QList<qint64> timesNs; // the census times, shared by every row
    std::vector<TypeGrowthRow> rows; // by type name
};

// The series of session `sessionId` (default: the newest) of the file. Throws StorageError.
TypeGrowthTable loadTypeGrowth(const QString& path, std::optional<std::int64_t> sessionId);

} // namespace gcscope::ui
