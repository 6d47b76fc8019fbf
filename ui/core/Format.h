// How numbers read in the GUI: one place so every view says "12.3 MiB" and "4.1 ms" alike.
#pragma once

#include <QString>
#include <cstdint>

namespace gcscope::ui::display {

QString bytes(double value); // "512 B", "12.3 MiB"
QString count(std::int64_t n); // grouped by the locale: "1,234,567"
QString milliseconds(double ms); // "0.42 ms", "12.3 ms", "1.25 s"
QString elapsed(double seconds); // "0:07", "12:03", "1:02:03"
QString percent(double fraction); // "0.41 %"

} // namespace gcscope::ui::display
