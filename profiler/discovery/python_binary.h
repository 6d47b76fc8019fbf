// Which ELF file provides the CPython interpreter in a process (the executable itself, as with
// Debian's statically linked /usr/bin/python3.11, or a mapped libpython), and its version, read
// from that file on disk without running anything in the target.
#pragma once

#include "discovery/proc_maps.h"
#include "discovery/python_version.h"

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::discovery {

struct PythonBinary {
    std::string path; // as the target sees it
    std::optional<PythonVersion> version; // nullopt only when neither Py_Version nor the file name tells
    std::optional<std::uint64_t> runtimeAddress; // &_PyRuntime in the target (3.7+ exports it)
    bool freeThreaded = false; // a PEP 703 build: it exports the functions only those have
};

// `exePath` is readlink(/proc/PID/exe). nullopt when no mapped file looks like CPython.
std::optional<PythonBinary> findPythonBinary(pid_t pid, const std::vector<Mapping>& maps, const std::string& exePath);

} // namespace gcscope::discovery
