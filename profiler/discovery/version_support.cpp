#include "discovery/version_support.h"

#include <algorithm>

namespace gcscope::discovery {

namespace {
constexpr unsigned kReleaseLevelFinal = 0xf;
constexpr int kNewestMinor = 15;

bool isPreRelease(const PythonVersion& v)
{
    return v.hex != 0 && ((v.hex >> 4) & 0xf) != kReleaseLevelFinal;
}

// One row per minor version: its exact form (if any), and what the runtime needs.
struct VersionRow {
    int minor;
    const char* exactForm; // null: served by the portable form only
    std::size_t runtimeInitialized; // offsetof(_PyRuntimeState, initialized) on x86-64
    std::optional<std::size_t> gcSizeInDebugOffsets; // offsetof(_Py_DebugOffsets, gc.size)
};

// Offsets from each version's own headers (tests/unit/inject checks those it has).
constexpr VersionRow kVersions[] = {
    { 11, "py311", 16, std::nullopt },
    { 12, nullptr, 16, std::nullopt },
    { 13, "py313", 600, 568 },
    { 14, "py314", 776, 648 },
    { 15, "py315", 904, 752 },
};

const VersionRow* rowFor(const PythonVersion& v)
{
    if (v.major != 3)
        return nullptr;
    for (const VersionRow& row : kVersions)
        if (row.minor == v.minor)
            return &row;
    return nullptr;
}

// 3.14.0 to 3.14.4 shipped the incremental collector; 3.14.5 went back to the generational one.
// The interpreter's own _gc_runtime_state size tells them apart when it could be read (240 bytes
// incremental, 264 generational); else the patch level decides.
GcModel gcModelOf(const InterpreterFacts& facts)
{
    const PythonVersion& v = facts.version;
    if (v.major != 3 || v.minor != 14)
        return GcModel::Generational;
    if (facts.gcStateSize)
        return *facts.gcStateSize == 240 ? GcModel::Incremental : GcModel::Generational;
    return v.micro <= 4 && v.hex != 0 ? GcModel::Incremental : GcModel::Generational;
}

bool has(const std::vector<std::string>& available, const std::string& form)
{
    return std::find(available.begin(), available.end(), form) != available.end();
}
} // namespace

Support supportFor(const InterpreterFacts& facts, const std::vector<std::string>& available, const std::string& forced)
{
    const PythonVersion& v = facts.version;
    const std::string name = "CPython " + v.str();
    Support s;
    if (v.major != 3 || v.minor < 11)
        return { false, name + " is not supported: gcscope attaches to CPython 3.11 to 3.15" };
    if (v.minor > kNewestMinor)
        return { false,
            name
                + " is newer than this gcscope (it knows CPython 3.11 to 3.15): its collector and object layout are "
                  "unknown to it" };
    if (facts.freeThreaded)
        return { false,
            name
                + " is a free-threaded build (PEP 703): it has no generational collector lists and no GIL for the "
                  "agent to hold, so gcscope cannot attach; run the default build of the same version" };
    // Alphas, betas and release candidates move internal structures around; only releases share one layout.
    if (isPreRelease(v))
        return { false, name + " is a pre-release; gcscope supports final releases of CPython 3.11 to 3.15" };

    const VersionRow* row = rowFor(v);
    s.gc = gcModelOf(facts);
    // The exact form needs this version's layout: for 3.14 only the generational one was built.
    const bool exactFits = row && row->exactForm && s.gc == GcModel::Generational;
    if (!forced.empty()) {
        if (!has(available, forced))
            return { false, "the agent form " + forced + " is not part of this gcscope" };
        if (forced != kPortableForm && (!exactFits || forced != row->exactForm))
            return { false, "the agent form " + forced + " does not fit " + name };
        s.form = forced;
    } else if (exactFits && has(available, row->exactForm)) {
        s.form = row->exactForm;
    } else if (has(available, kPortableForm)) {
        s.form = kPortableForm;
    } else {
        return { false,
            name + " needs the agent form " + (exactFits ? std::string(row->exactForm) : std::string(kPortableForm))
                + ", which this gcscope was built without" };
    }
    // The versions this project cannot run its tests on: no Debian package of them exists.
    s.untested = s.form == kPortableForm && (v.minor == 12 || s.gc == GcModel::Incremental);
    s.supported = true;
    return s;
}

Support supportFor(const PythonVersion& version)
{
    InterpreterFacts facts;
    facts.version = version;
    std::vector<std::string> all { kPortableForm };
    for (const VersionRow& row : kVersions)
        if (row.exactForm)
            all.emplace_back(row.exactForm);
    return supportFor(facts, all);
}

std::string describeForm(const Support& s)
{
    if (!s.supported)
        return "none";
    if (s.form == kPortableForm)
        return s.untested ? "portable, untested on this version" : "portable";
    // "py313" -> "exact (3.13)"
    return "exact (" + s.form.substr(2, 1) + "." + s.form.substr(3) + ")";
}

const char* gcModelName(GcModel model)
{
    return model == GcModel::Incremental ? "incremental" : "generational";
}

GcModel gcModelNamed(std::string_view name)
{
    return name == "incremental" ? GcModel::Incremental : GcModel::Generational;
}

std::string generationName(GcModel model, int generation)
{
    if (model == GcModel::Incremental) {
        if (generation == 0)
            return "young";
        return generation == 1 ? "old (increment)" : "old (full)";
    }
    return "gen " + std::to_string(generation);
}

std::optional<std::size_t> runtimeInitializedOffset(const PythonVersion& v)
{
    if (!supportFor(v).supported)
        return std::nullopt;
    const VersionRow* row = rowFor(v);
    return row ? std::optional<std::size_t>(row->runtimeInitialized) : std::nullopt;
}

std::optional<std::size_t> debugOffsetsGcSizeOffset(const PythonVersion& v)
{
    const VersionRow* row = rowFor(v);
    return row ? row->gcSizeInDebugOffsets : std::nullopt;
}

} // namespace gcscope::discovery
