#include "discovery/version_support.h"

namespace gcscope::discovery {

namespace {
constexpr unsigned kReleaseLevelFinal = 0xf;

bool isPreRelease(const PythonVersion& v)
{
    return v.hex != 0 && ((v.hex >> 4) & 0xf) != kReleaseLevelFinal;
}
} // namespace

Support supportFor(const PythonVersion& v)
{
    const std::string name = "CPython " + v.str();
    if (v.major != 3)
        return { false, name + " is not supported: gcscope attaches to CPython 3.11" };
    if (v.minor < 11)
        return { false,
            name + " is not supported: gcscope needs CPython 3.11 (its agent is built for the 3.11 C API and GC)" };
    if (v.minor == 11) {
        // 3.11 alphas and betas moved interpreter structures around; only releases share one layout.
        if (isPreRelease(v) && v.micro == 0)
            return { false, name + " is a pre-release; gcscope supports CPython 3.11.0 and later 3.11 releases" };
        return { true, {} };
    }
    if (v.minor == 12)
        return { false,
            name
                + " is not supported yet: immortal objects (PEP 683) change reference counts and collections "
                  "run only from the eval breaker" };
    if (v.minor == 13)
        return { false,
            name
                + " is not supported yet: free-threading (PEP 703) builds have no generational GC and the "
                  "default GC thresholds changed" };
    return { false,
        name
            + " is not supported yet: the two-generation (incremental) GC changes gc.get_count() and "
              "gc.get_threshold(); 3.14+ targets can be attached with sys.remote_exec (PEP 768)" };
}

std::optional<std::size_t> runtimeInitializedOffset(const PythonVersion& v)
{
    if (!supportFor(v).supported)
        return std::nullopt;
    // 3.11 pycore_runtime.h: int _initialized, preinitializing, preinitialized, core_initialized, initialized.
    // tests/unit/inject checks this against the installed 3.11 headers.
    return 4 * sizeof(int);
}

} // namespace gcscope::discovery
