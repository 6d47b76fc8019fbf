// Where the agent libraries are: one file per form, libgcscope_agent_<form>.so, in one folder.
#pragma once

#include <string>
#include <vector>

namespace gcscope::util {

struct AgentLibraries {
    std::string directory; // where the forms are
    std::vector<std::string> forms; // the forms found there ("py311", "portable", ...), sorted
    std::string overrideFile; // GCSCOPE_AGENT named one file: every target gets it

    // The file of a form (the override file when there is one).
    std::string fileFor(const std::string& form) const;
};

// The agents: $GCSCOPE_AGENT if set (a folder of forms, or one file used for every target), else
// next to the installed programs (bin/../lib/<multiarch>/gcscope/), else the build tree's folder.
// Throws std::runtime_error with one line listing where it looked when none exists.
AgentLibraries locateAgentLibraries();

// The form every attach uses instead of the one the version table picks: $GCSCOPE_AGENT_FORM
// ("portable" forces the public-API agent; --agent-form sets it), or "".
std::string forcedAgentForm();

// Directory of the running executable (from /proc/self/exe).
std::string executableDirectory();

} // namespace gcscope::util
