// Local processes as gcscope sees them: is it CPython, which version, and can we attach to it
// (and if not, one line saying why). Reads /proc and ELF files only; never stops the target.
#pragma once

#include "discovery/namespaces.h"
#include "discovery/python_version.h"
#include "discovery/version_support.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::discovery {

struct ProcessInfo {
    pid_t pid = 0;
    uid_t uid = 0; // effective uid, as ps shows it
    std::string user;
    char state = '?'; // from /proc/PID/status: R S D T t Z ...
    pid_t tracerPid = 0;
    std::string exe;
    std::vector<std::string> argv;
    bool isPython = false;
    std::optional<PythonVersion> python;
    std::string pythonBinary; // the ELF providing the interpreter (exe or mapped libpython)
    InterpreterFacts facts; // what the interpreter is, read without running anything in it
    Support support; // which agent form serves it (or why none does)
    bool attachable = false;
    std::string reason; // one line when not attachable
    ContainerView container; // its namespaces and root, as seen from ours
    gid_t gid = 0; // effective gid
};

// nullopt when the process does not exist; `error` then names the PID.
std::optional<ProcessInfo> inspectProcess(pid_t pid, std::string& error);

// Every local Python process (including ones we may not attach to, with the reason), by PID.
std::vector<ProcessInfo> listPythonProcesses();

} // namespace gcscope::discovery
