// Where the time of a long command goes, for whoever tunes it: with GCSCOPE_PHASES=1 in the
// environment, markPhase("name") prints "gcscope phase: name at 1.234 s (+0.567 s), 812 MiB resident"
// to stderr, counted from the first mark of the process. Off (one relaxed load) otherwise. The
// snapshot benchmark reads these lines to split a snapshot's time into receiving, resolving and
// storing.
#pragma once

#include <string_view>

namespace gcscope::util {

bool phasesTraced();
void markPhase(std::string_view name);

} // namespace gcscope::util
