// Sums of counters that come from files and agents we do not trust: a damaged or hostile value
// must not overflow (undefined behaviour for signed integers), so sums stop at the type's limits.
#pragma once

#include <limits>
#include <type_traits>

namespace gcscope::util {

template <class T>
constexpr T addSaturated(T a, T b)
{
    static_assert(std::is_integral_v<T>);
    T sum {};
    if (!__builtin_add_overflow(a, b, &sum))
        return sum;
    if constexpr (std::is_signed_v<T>)
        return b > 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    else
        return std::numeric_limits<T>::max();
}

// into += value, saturating.
template <class T, class U>
constexpr void accumulate(T& into, U value)
{
    into = addSaturated<T>(into, static_cast<T>(value));
}

} // namespace gcscope::util
