// The short label a snapshot shows next to an object, at most maxLabel bytes of valid UTF-8:
//   module -> its name            function, class -> qualname       code -> co_qualname
//   frame -> "qualname:line"      generator, coroutine -> qualname  bytes -> "12 bytes"
//   str -> a preview, control characters escaped                    exact int, float -> the value
// Anything else has none. With kSnapshotNoStrings no str content is ever used (names of modules,
// functions, classes and code are kept: they are identifiers, not data). Read natively; no Python
// code runs and nothing is allocated in the target. GIL held.
#pragma once

#include "address_table.h"
#include "snapshot_types.h"
#include "string_table.h"

#include <cstdint>
#include <string_view>

namespace gcscope::agent {

class ObjectLabeler {
public:
    ObjectLabeler(StringTable& strings, std::uint32_t maxLabel, bool noStrings);

    std::uint32_t labelOf(PyObject* o, ObjectLabelKind kind)
    {
        return kind == ObjectLabelKind::None || maxLabel_ == 0 ? 0 : labelOfKind(o, kind);
    }

    // The labels of values copied out of objects (held_leaves.h): an exact int of at most two
    // digits, a float, a bytes object's length.
    std::uint32_t integerLabel(bool negative, std::uint64_t magnitude);
    std::uint32_t floatLabel(double value);
    std::uint32_t bytesLabel(Py_ssize_t length);
    // An int's value when it has at most two digits (larger ones get no label).
    static bool smallIntValue(PyObject* o, bool& negative, std::uint64_t& magnitude)
    {
        const std::size_t count = layout::intDigitCount(o);
        if (count > 2)
            return false;
        const digit* digits = layout::intDigits(o);
        negative = layout::intIsNegative(o);
        magnitude = 0;
        for (std::size_t i = count; i-- > 0;)
            magnitude = (magnitude << PyLong_SHIFT) | digits[i];
        return true;
    }

private:
    static constexpr std::size_t kMaxLabel = 1024;

    std::uint32_t labelOfKind(PyObject* o, ObjectLabelKind kind);
    std::uint32_t text(std::string_view text); // deduplicated: names
    std::uint32_t value(std::string_view text); // not: a str's preview, a number
    std::uint32_t name(PyObject* str); // a name str, cached by its address
    std::uint32_t frame(PyObject* frame);

    StringTable& strings_;
    std::size_t maxLabel_;
    bool noStrings_;
    AddressTable names_;
    char buffer_[kMaxLabel + 64];
};

} // namespace gcscope::agent
