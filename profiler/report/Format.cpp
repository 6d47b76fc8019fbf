#include "report/Format.h"

#include <cmath>
#include <ctime>
#include <fmt/core.h>

namespace gcscope::report {

std::string formatBytes(std::int64_t bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = static_cast<double>(bytes);
    int u = 0;
    while (std::fabs(v) >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string formatSignedBytes(std::int64_t bytes)
{
    return (bytes > 0 ? "+" : "") + formatBytes(bytes);
}

std::string formatCount(std::int64_t n)
{
    const unsigned long long magnitude
        = n < 0 ? 0ull - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
    const std::string digits = std::to_string(magnitude);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string formatSignedCount(std::int64_t n)
{
    return (n > 0 ? "+" : "") + formatCount(n);
}

std::string formatNumber(double v)
{
    const double a = std::fabs(v);
    if (a >= 1000 || (a < 1e15 && std::floor(v) == v))
        return formatCount(static_cast<std::int64_t>(std::llround(v)));
    if (a >= 100)
        return fmt::format("{:.0f}", v);
    if (a >= 10)
        return fmt::format("{:.1f}", v);
    if (a >= 1 || a == 0)
        return fmt::format("{:.2f}", v);
    return fmt::format("{:.3g}", v);
}

std::string formatMs(double ms)
{
    if (ms >= 1000)
        return fmt::format("{:.2f} s", ms / 1000);
    if (ms >= 10)
        return fmt::format("{:.1f} ms", ms);
    return fmt::format("{:.2f} ms", ms);
}

std::string formatPercent(double share)
{
    const double p = share * 100;
    if (p != 0 && std::fabs(p) < 0.1)
        return fmt::format("{:.2f}%", p);
    return fmt::format("{:.1f}%", p);
}

std::string formatDuration(double seconds)
{
    if (seconds < 60)
        return fmt::format("{:.1f} s", seconds);
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 3600)
        return fmt::format("{} min {} s", s / 60, s % 60);
    return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
}

std::string formatTimeNs(std::int64_t ns)
{
    const std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string htmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string markdownEscape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '\n' || c == '\r') {
            out += ' ';
            continue;
        }
        if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

} // namespace gcscope::report
