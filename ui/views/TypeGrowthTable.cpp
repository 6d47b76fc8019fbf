#include "views/TypeGrowthTable.h"

#include <QFile>

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

namespace gcscope::ui {

TypeGrowthTable loadTypeGrowth(const QString& path, std::optional<std::int64_t> sessionId)
{
    auto db = storage::Database::openForReading(QFile::encodeName(path).toStdString());
    // One read transaction: a live recorder commits censuses between the reader's queries.
    db.exec("BEGIN", "reading the census series");
    storage::Reader reader(db);
    TypeGrowthTable table;
    const auto sessions = reader.sessions();
    std::optional<storage::SessionInfo> session;
    if (sessionId)
        session = reader.session(*sessionId);
    else if (!sessions.empty())
        session = sessions.back();
    if (!session) {
        db.exec("COMMIT");
        return table;
    }
    table.sessionId = session->id;
    table.sessionStartNs = session->startedNs;
    const auto series = reader.typeGrowth(session->id);
    db.exec("COMMIT");

    if (!series.empty())
        for (const auto& p : series.front().points)
            table.timesNs.append(p.timeNs);
    table.rows.reserve(series.size());
    for (const auto& s : series) {
        TypeGrowthRow row;
        row.type = QString::fromStdString(s.type);
        if (!s.points.empty()) {
            row.count = s.points.back().count;
            row.size = s.points.back().size;
        }
        row.growth = analysis::growthOf(s.points);
        row.counts.reserve(static_cast<qsizetype>(s.points.size()));
        row.sizes.reserve(static_cast<qsizetype>(s.points.size()));
        for (const auto& p : s.points) {
            row.counts.append(static_cast<qreal>(p.count));
            row.sizes.append(static_cast<qreal>(p.size));
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

} // namespace gcscope::ui
