// How the views write numbers, sizes, addresses and times: one place, so every table agrees.
#pragma once

#include <QString>

#include <cstdint>

namespace gcscope::ui {

QString formatCount(std::uint64_t count); // "1,234,567" in the user's locale
QString formatSignedCount(std::int64_t delta); // "+1,234", "−12", "0"
QString formatBytes(std::uint64_t bytes); // "1.2 MiB", IEC units
QString formatSignedBytes(std::int64_t delta); // "+1.2 MiB", "−340 B", "0 B"
QString formatRate(double perMinute, bool bytes); // "+12.5/min", "+1.2 MiB/min"
QString formatAddress(std::uint64_t address); // "0x7f12ab34cd50"
QString formatTime(std::int64_t ns); // local date and time, to the second
QString formatMilliseconds(std::int64_t ns); // "212.5 ms"

} // namespace gcscope::ui
