#include "core/Format.h"

#include <QLocale>
#include <cmath>

namespace gcscope::ui::display {

QString bytes(double value)
{
    static const char* const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int unit = 0;
    double v = value;
    while (std::abs(v) >= 1024 && unit < 4) {
        v /= 1024;
        ++unit;
    }
    const QString number = unit == 0 ? QString::number(v, 'f', 0) : QString::number(v, 'f', 1);
    return number + QLatin1Char(' ') + QLatin1String(units[unit]);
}

QString count(std::int64_t n)
{
    return QLocale().toString(static_cast<qlonglong>(n));
}

QString milliseconds(double ms)
{
    if (ms >= 1000)
        return QString::number(ms / 1000, 'f', 2) + QStringLiteral(" s");
    if (ms >= 10)
        return QString::number(ms, 'f', 1) + QStringLiteral(" ms");
    return QString::number(ms, 'f', 2) + QStringLiteral(" ms");
}

QString elapsed(double seconds)
{
    const auto total = static_cast<qint64>(std::max(0.0, seconds));
    const qint64 h = total / 3600, m = (total / 60) % 60, s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

QString percent(double fraction)
{
    const double p = fraction * 100;
    return QString::number(p, 'f', p < 10 ? 2 : 1) + QStringLiteral(" %");
}

} // namespace gcscope::ui::display
