#pragma once

#include <string>

namespace gcscope::util {

// A fresh secret from the kernel's CSPRNG as lowercase hex (2 characters per byte).
std::string randomTokenHex(std::size_t bytes = 16);

} // namespace gcscope::util
