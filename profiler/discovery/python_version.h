// The version of the CPython interpreter inside a target process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gcscope::discovery {

struct PythonVersion {
    int major = 0, minor = 0, micro = 0;
    // PY_VERSION_HEX as stored in the interpreter's `Py_Version`; 0 when the version was only
    // guessed from a file name (libpython3.10.so), which tells major and minor but not micro.
    std::uint32_t hex = 0;

    // "3.11.2", "3.13.0rc1", or "3.10" when only the file name was known.
    std::string str() const;
};

PythonVersion versionFromHex(std::uint32_t hex);

// "python3.10", "libpython3.10.so.1.0", "libpython3.6m.so" -> 3.10 / 3.6 (hex 0); anything else -> nullopt.
std::optional<PythonVersion> versionFromFileName(std::string_view fileName);

} // namespace gcscope::discovery
