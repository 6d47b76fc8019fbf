// `gcscope growth FILE [--session ID] [--json]`: per-type counts and sizes over a session's census
// series, with a least-squares slope so steady growth stands out from a two-point difference.
#include "cli/cli_support.h"
#include "cli/commands.h"

#include "analysis/Growth.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/Reader.h>

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace gcscope::cli {
namespace {

int runGrowth(const std::string& path, std::optional<std::int64_t> sessionId, bool asJson, std::size_t limit)
{
    auto db = storage::Database::openForReading(path);
    storage::Reader reader(db);
    const auto sessions = reader.sessions();
    if (sessions.empty())
        throw std::runtime_error(path + ": holds no sessions");
    const auto id = sessionId.value_or(sessions.back().id);
    if (!reader.session(id))
        throw std::runtime_error(path + ": no session " + std::to_string(id));
    auto series = reader.typeGrowth(id);
    struct Row {
        const storage::TypeSeries* s;
        std::int64_t countDelta, sizeDelta;
        double countSlope, sizeSlope;
    };
    std::vector<Row> rows;
    for (const auto& s : series) {
        if (s.points.empty())
            continue;
        const auto g = analysis::growthOf(s.points);
        rows.push_back({ &s, g.countDelta, g.sizeDelta, g.countPerMinute, g.sizePerMinute });
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.sizeSlope != b.sizeSlope ? a.sizeSlope > b.sizeSlope : a.s->type < b.s->type;
    });
    const std::size_t censuses = series.empty() ? 0 : series.front().points.size();
    if (asJson) {
        nlohmann::json types = nlohmann::json::array();
        for (const auto& r : rows) {
            nlohmann::json counts = nlohmann::json::array(), sizes = nlohmann::json::array();
            for (const auto& p : r.s->points) {
                counts.push_back(p.count);
                sizes.push_back(p.size);
            }
            types.push_back({ { "type", r.s->type }, { "counts", counts }, { "sizes", sizes },
                { "count_delta", r.countDelta }, { "size_delta", r.sizeDelta }, { "count_per_minute", r.countSlope },
                { "size_per_minute", r.sizeSlope } });
        }
        nlohmann::json times = nlohmann::json::array();
        if (!series.empty())
            for (const auto& p : series.front().points)
                times.push_back(p.timeNs);
        fmt::print("{}\n",
            nlohmann::json { { "session", id }, { "censuses", censuses }, { "times", times }, { "types", types } }.dump(
                2));
        return kOk;
    }
    if (censuses < 2) {
        fmt::print("Session {} has {} census{}: growth needs at least two (record longer or lower --census-every).\n",
            id, censuses, censuses == 1 ? "" : "es");
        return kOk;
    }
    fmt::print("Session {}: {} censuses; types by size growth per minute (least squares)\n", id, censuses);
    fmt::print("{:<50} {:>10} {:>10} {:>12} {:>14}\n", "TYPE", "COUNT", "Δ COUNT", "COUNT/MIN", "SIZE/MIN");
    std::size_t shown = 0;
    for (const auto& r : rows) {
        if (r.countDelta == 0 && r.sizeDelta == 0)
            continue;
        if (++shown > limit)
            break;
        fmt::print("{:<50} {:>10} {:>+10} {:>+12.1f} {:>14}\n", r.s->type.substr(0, 50), r.s->points.back().count,
            r.countDelta, r.countSlope,
            (r.sizeSlope >= 0 ? "+" : "-") + formatBytes(std::llround(std::fabs(r.sizeSlope))));
    }
    return kOk;
}

} // namespace

Command addGrowthCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand("growth", "Per-type growth over a session's census series");
    auto path = std::make_shared<std::string>();
    auto session = std::make_shared<std::int64_t>(0);
    auto json = std::make_shared<bool>(false);
    auto limit = std::make_shared<std::size_t>(30);
    sub->add_option("file", *path, "A gcscope database")->required();
    auto* sessionOpt
        = sub->add_option("--session", *session, "Session id (default: the last)")->check(CLI::PositiveNumber);
    sub->add_flag("--json", *json, "Print JSON");
    sub->add_option("--limit", *limit, "Rows to print (text)")->capture_default_str();
    return { sub,
        [=] { return runGrowth(*path, sessionOpt->count() ? std::optional(*session) : std::nullopt, *json, *limit); } };
}

} // namespace gcscope::cli
