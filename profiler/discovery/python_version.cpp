#include "discovery/python_version.h"

#include <charconv>

namespace gcscope::discovery {

PythonVersion versionFromHex(std::uint32_t hex)
{
    PythonVersion v;
    v.major = static_cast<int>((hex >> 24) & 0xff);
    v.minor = static_cast<int>((hex >> 16) & 0xff);
    v.micro = static_cast<int>((hex >> 8) & 0xff);
    v.hex = hex;
    return v;
}

std::string PythonVersion::str() const
{
    std::string s = std::to_string(major) + "." + std::to_string(minor);
    if (hex == 0)
        return s;
    s += "." + std::to_string(micro);
    const unsigned level = (hex >> 4) & 0xf;
    const unsigned serial = hex & 0xf;
    switch (level) {
    case 0xa:
        return s + "a" + std::to_string(serial);
    case 0xb:
        return s + "b" + std::to_string(serial);
    case 0xc:
        return s + "rc" + std::to_string(serial);
    default:
        return s;
    }
}

std::optional<PythonVersion> versionFromFileName(std::string_view name)
{
    if (auto slash = name.rfind('/'); slash != std::string_view::npos)
        name = name.substr(slash + 1);
    if (name.starts_with("lib"))
        name.remove_prefix(3);
    if (!name.starts_with("python"))
        return std::nullopt;
    name.remove_prefix(6);

    PythonVersion v;
    const char* end = name.data() + name.size();
    auto [afterMajor, e1] = std::from_chars(name.data(), end, v.major);
    if (e1 != std::errc() || afterMajor == end || *afterMajor != '.')
        return std::nullopt;
    auto [afterMinor, e2] = std::from_chars(afterMajor + 1, end, v.minor);
    if (e2 != std::errc())
        return std::nullopt;
    // What may follow: nothing (the executable), ABI flags ("m", "d", "t"), or ".so...".
    std::string_view rest(afterMinor, static_cast<std::size_t>(end - afterMinor));
    while (!rest.empty() && (rest.front() == 'm' || rest.front() == 'd' || rest.front() == 't' || rest.front() == 'u'))
        rest.remove_prefix(1);
    if (!rest.empty() && !rest.starts_with(".so"))
        return std::nullopt;
    if (v.major < 2 || v.major > 3)
        return std::nullopt;
    return v;
}

} // namespace gcscope::discovery
