#pragma once

#include <string>

namespace gcscope::util {

// The agent library to inject: $GCSCOPE_AGENT if set, else next to the installed programs
// (bin/../lib/<multiarch>/gcscope/), else the build tree's copy. Throws std::runtime_error with one
// line listing where it looked when none exists.
std::string locateAgentLibrary();

// Directory of the running executable (from /proc/self/exe).
std::string executableDirectory();

} // namespace gcscope::util
