#include "report/SvgChart.h"

#include "report/Format.h"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <limits>

namespace gcscope::report::svg {

namespace {

constexpr int kLeft = 70, kRight = 16, kTop = 28, kBottom = 40;

std::string num(double v)
{
    return fmt::format("{:.1f}", v);
}

double niceStep(double rough, bool binary)
{
    if (rough <= 0 || !std::isfinite(rough))
        return 1;
    if (binary && rough >= 1024) { // bytes: steps of 1, 2, 4, 8... KiB/MiB read better than 1.5 MiB
        double p = 1024;
        while (p * 1024 <= rough)
            p *= 1024;
        for (double m : { 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0 })
            if (p * m >= rough)
                return p * m;
    }
    const double p = std::pow(10.0, std::floor(std::log10(rough)));
    for (double m : { 1.0, 2.0, 2.5, 5.0, 10.0 })
        if (p * m >= rough)
            return p * m;
    return p * 10;
}

std::string shortCount(double v)
{
    const double a = std::fabs(v);
    if (a >= 1e9)
        return fmt::format("{:g}G", v / 1e9);
    if (a >= 1e6)
        return fmt::format("{:g}M", v / 1e6);
    if (a >= 1e3)
        return fmt::format("{:g}k", v / 1e3);
    return fmt::format("{:g}", v);
}

std::vector<double> ticks(double lo, double hi, int count, bool binary)
{
    if (!(hi > lo))
        hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    const double step = niceStep((hi - lo) / std::max(1, count), binary);
    std::vector<double> out;
    const double first = std::floor(lo / step) * step;
    const double last = std::ceil(hi / step) * step;
    for (double v = first; v <= last + step * 1e-9 && out.size() < 50; v += step)
        out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return out;
}

std::vector<double> niceTicksFor(double lo, double hi, Unit unit)
{
    return ticks(lo, hi, 5, unit == Unit::Bytes);
}

std::string header(const ChartOptions& o)
{
    return fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
                       "preserveAspectRatio=\"xMinYMin meet\"><title>{}</title>",
        o.width, o.height, o.width, o.height, htmlEscape(o.title));
}

} // namespace

const std::vector<std::string>& palette()
{
    static const std::vector<std::string> colors { "#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0d9488",
        "#ca8a04", "#db2777" };
    return colors;
}

std::vector<double> niceTicks(double lo, double hi, int count)
{
    return ticks(lo, hi, count, false);
}

std::string tickLabel(double value, Unit unit)
{
    switch (unit) {
    case Unit::Count:
        return shortCount(value);
    case Unit::Bytes:
        return formatBytes(static_cast<std::int64_t>(std::llround(value)));
    case Unit::Milliseconds:
        return fmt::format("{:g} ms", value);
    case Unit::Seconds:
        return value >= 120 ? fmt::format("{:g} min", value / 60) : fmt::format("{:g} s", value);
    }
    return fmt::format("{:g}", value);
}

std::string xyChart(const std::vector<Series>& series, const ChartOptions& options)
{
    // The legend runs left to right after the y label and wraps; each extra row makes the chart taller
    // rather than the plot smaller.
    struct LegendItem {
        const Series* series;
        double x;
        int row;
    };
    std::vector<LegendItem> legend;
    double lx = 12 + 6.0 * static_cast<double>(options.yLabel.size()) + 16;
    int rows = 1;
    for (const auto& s : series) {
        if (s.name.empty())
            continue;
        const double w = 20 + 6.5 * static_cast<double>(std::min<std::size_t>(s.name.size(), 48));
        if (lx + w > options.width - kRight && !legend.empty()) {
            ++rows;
            lx = kLeft;
        }
        legend.push_back({ &s, lx, rows - 1 });
        lx += w;
    }
    ChartOptions o = options;
    const int top = kTop + 16 * (rows - 1);
    o.height += 16 * (rows - 1);

    double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
    double y0 = x0, y1 = x1;
    for (const auto& s : series)
        for (const auto& [x, y] : s.points) {
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
        }
    std::string out = header(o);
    if (x0 > x1) {
        out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"empty\" text-anchor=\"middle\">no data</text></svg>",
            o.width / 2, o.height / 2);
        return out;
    }
    if (o.yFromZero)
        y0 = std::min(0.0, y0);
    const auto xt = niceTicksFor(x0, x1, o.xUnit);
    const auto yt = niceTicksFor(y0, y1, o.yUnit);
    x0 = std::min(x0, xt.front());
    x1 = std::max(x1, xt.back());
    y0 = std::min(y0, yt.front());
    y1 = std::max(y1, yt.back());
    if (x1 <= x0)
        x1 = x0 + 1;
    if (y1 <= y0)
        y1 = y0 + 1;
    const double pw = o.width - kLeft - kRight, ph = o.height - top - kBottom;
    const auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * pw; };
    const auto py = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };

    out += "<g class=\"grid\">";
    for (double y : yt)
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", kLeft, num(py(y)), num(kLeft + pw), num(py(y)));
    out += "</g><g class=\"axis\">";
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>", kLeft, num(top + ph), num(kLeft + pw));
    for (double y : yt)
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", kLeft - 6, num(py(y) + 4),
            htmlEscape(tickLabel(y, o.yUnit)));
    for (double x : xt)
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", num(px(x)), num(top + ph + 16),
            htmlEscape(tickLabel(x, o.xUnit)));
    if (!o.xLabel.empty())
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>", num(kLeft + pw),
            o.height - 4, htmlEscape(o.xLabel));
    if (!o.yLabel.empty())
        out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\">{}</text>", 4, 17, htmlEscape(o.yLabel));
    out += "</g>";

    if (!legend.empty()) {
        out += "<g class=\"legend\">";
        for (const auto& item : legend)
            out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" "
                               "y=\"{}\">{}</text>",
                num(item.x), 8 + 16 * item.row, item.series->color, num(item.x + 14), 17 + 16 * item.row,
                htmlEscape(item.series->name.substr(0, 48)));
        out += "</g>";
    }

    for (const auto& s : series) {
        if (s.line && s.points.size() > 1) {
            std::string pts;
            for (const auto& [x, y] : s.points)
                pts += num(px(x)) + "," + num(py(y)) + " ";
            out += fmt::format(
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>", s.color, pts);
        }
        if (s.dots || s.points.size() == 1) {
            out += fmt::format("<g fill=\"{}\" fill-opacity=\"0.7\">", s.color);
            for (const auto& [x, y] : s.points)
                out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\"/>", num(px(x)), num(py(y)));
            out += "</g>";
        }
    }
    return out + "</svg>";
}

std::string barChart(const std::vector<Bar>& bars, const ChartOptions& o, const std::string& color)
{
    const int rowHeight = 22, labelWidth = 300, valueWidth = 140;
    ChartOptions sized = o;
    sized.height = static_cast<int>(bars.size()) * rowHeight + 8;
    std::string out = header(sized);
    double max = 0;
    for (const auto& b : bars)
        max = std::max(max, b.value);
    const double barSpace = o.width - labelWidth - valueWidth;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = 4 + static_cast<double>(i) * rowHeight;
        const double w = max > 0 ? std::max(1.0, b.value / max * barSpace) : 1.0;
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"barlabel\">{}</text>", labelWidth - 8,
            num(y + 14), htmlEscape(b.label.size() > 44 ? b.label.substr(0, 43) + "…" : b.label));
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" rx=\"2\"/>", labelWidth,
            num(y + 3), num(w), rowHeight - 8, color);
        out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"barvalue\">{}{}</text>", num(labelWidth + w + 6),
            num(y + 14), htmlEscape(o.yUnit == Unit::Count ? formatNumber(b.value) : tickLabel(b.value, o.yUnit)),
            b.note.empty() ? "" : " · " + htmlEscape(b.note));
    }
    return out + "</svg>";
}

std::string sparkline(const std::vector<double>& values, int width, int height, const std::string& color)
{
    std::string out = fmt::format("<svg class=\"spark\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
                                  "aria-hidden=\"true\">",
        width, height);
    if (values.size() < 2)
        return out + "</svg>";
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const double span = *hi - *lo > 0 ? *hi - *lo : 1;
    std::string pts;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double x = 2 + static_cast<double>(i) / static_cast<double>(values.size() - 1) * (width - 4);
        const double y = height - 2 - (values[i] - *lo) / span * (height - 4);
        pts += num(x) + "," + num(y) + " ";
    }
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>", color, pts);
    return out + "</svg>";
}

} // namespace gcscope::report::svg
