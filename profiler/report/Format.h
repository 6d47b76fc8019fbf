// Numbers and text for people, shared by the report's writers: sizes in KiB/MiB, counts with
// thousands separators, and escaping for HTML and Markdown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gcscope::report {

std::string formatBytes(std::int64_t bytes); // "1.5 MiB", "-12 KiB", "980 B"
std::string formatSignedBytes(std::int64_t bytes); // "+1.5 MiB"
std::string formatCount(std::int64_t n); // "12,345"
std::string formatSignedCount(std::int64_t n); // "+12,345"
std::string formatNumber(double v); // 3 significant digits: "0.123", "12.3", "1,234"
std::string formatMs(double ms); // "0.12 ms", "12.3 ms", "1.20 s"
std::string formatPercent(double share); // 0.123 -> "12.3%"
std::string formatDuration(double seconds); // "5.2 s", "3 min 10 s", "2 h 5 min"
std::string formatTimeNs(std::int64_t ns); // UTC "2025-01-02 03:04:05 UTC"

std::string htmlEscape(std::string_view text);
std::string markdownEscape(std::string_view text); // for table cells and running text

} // namespace gcscope::report
