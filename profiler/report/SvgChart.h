// Small inline SVG charts for the HTML report: line and scatter charts with axes, ticks and a
// legend, horizontal bar charts and sparklines. Self-contained markup (no scripts, no external
// fonts or URLs) that scales with the page and prints.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gcscope::report::svg {

enum class Unit { Count, Bytes, Milliseconds, Seconds };

struct Series {
    std::string name;
    std::string color; // CSS colour
    std::vector<std::pair<double, double>> points; // (x, y)
    bool line = true; // joined by a line
    bool dots = false; // a dot at each point
};

struct ChartOptions {
    std::string title; // for screen readers (<title>) and the caption above
    std::string xLabel;
    std::string yLabel;
    Unit xUnit = Unit::Seconds;
    Unit yUnit = Unit::Count;
    int width = 720;
    int height = 240;
    bool yFromZero = true;
};

std::string xyChart(const std::vector<Series>& series, const ChartOptions& options);

struct Bar {
    std::string label;
    double value = 0;
    std::string note; // shown after the value, e.g. "48%"
};
std::string barChart(const std::vector<Bar>& bars, const ChartOptions& options, const std::string& color);

std::string sparkline(const std::vector<double>& values, int width, int height, const std::string& color);

// The palette the charts use, in order.
const std::vector<std::string>& palette();

// A tick label in the unit: "1.5k", "12 MiB", "3 ms", "40 s".
std::string tickLabel(double value, Unit unit);

// Up to about `count` round tick values covering [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int count = 5);

} // namespace gcscope::report::svg
