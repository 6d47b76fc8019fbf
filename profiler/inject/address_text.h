// Addresses in error messages: "0x7f12c0a4b000".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace gcscope::inject {

inline std::string addressText(std::uint64_t address)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(address));
    return buffer;
}

} // namespace gcscope::inject
