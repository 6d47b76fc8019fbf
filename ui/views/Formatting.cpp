#include "views/Formatting.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace gcscope::ui {
namespace {

// A real minus sign lines up with the plus in proportional fonts.
const QChar kMinus(0x2212);

QString withSign(bool negative, const QString& magnitude, bool zero)
{
    if (zero)
        return magnitude;
    return (negative ? QString(kMinus) : QStringLiteral("+")) + magnitude;
}

std::uint64_t magnitude(std::int64_t v)
{
    return v < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

} // namespace

QString formatCount(std::uint64_t count)
{
    return QLocale().toString(static_cast<qulonglong>(count));
}

QString formatSignedCount(std::int64_t delta)
{
    return withSign(delta < 0, formatCount(magnitude(delta)), delta == 0);
}

QString formatBytes(std::uint64_t bytes)
{
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

QString formatSignedBytes(std::int64_t delta)
{
    return withSign(delta < 0, formatBytes(magnitude(delta)), delta == 0);
}

QString formatRate(double perMinute, bool bytes)
{
    const double m = std::fabs(perMinute);
    const bool zero = m < 0.05;
    const QString text = bytes ? formatBytes(static_cast<std::uint64_t>(std::llround(m)))
                               : QLocale().toString(m, 'f', m >= 100 ? 0 : 1);
    return withSign(perMinute < 0, text, zero) + QStringLiteral("/min");
}

QString formatAddress(std::uint64_t address)
{
    return QStringLiteral("0x") + QString::number(static_cast<qulonglong>(address), 16);
}

QString formatTime(std::int64_t ns)
{
    const auto time = QDateTime::fromMSecsSinceEpoch(ns / 1'000'000);
    return QLocale().toString(time, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString formatMilliseconds(std::int64_t ns)
{
    return QLocale().toString(static_cast<double>(ns) / 1e6, 'f', 1) + QStringLiteral(" ms");
}

} // namespace gcscope::ui
