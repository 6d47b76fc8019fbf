#include "inject/injector.h"

#include "discovery/elf_symbols.h"
#include "discovery/proc_maps.h"
#include "discovery/proc_status.h"
#include "inject/deadline.h"
#include "inject/inject_error.h"
#include "inject/library_check.h"
#include "inject/registers.h"
#include "inject/remote_call.h"
#include "inject/remote_memory.h"
#include "inject/safe_point.h"
#include "inject/target_loader.h"
#include "inject/tracee.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <sys/sysmacros.h>
#include <thread>

namespace gcscope::inject {
namespace fs = std::filesystem;

namespace {
// After a failure the thread may still be running our code; give it this long to stop.
constexpr std::chrono::milliseconds kRestoreGrace { 1000 };
constexpr std::uint64_t kAlign = 16;
// The strings go on the thread's stack, whose mapping may end a few pages below the stack pointer.
constexpr std::size_t kMaxStringBytes = 16 * 1024;

std::uint64_t alignDown(std::uint64_t v)
{
    return v & ~(kAlign - 1);
}

// Why this process cannot be injected at all, before we touch it.
void checkProcessState(pid_t pid)
{
    auto status = discovery::readProcStatus(pid);
    if (!status)
        throw InjectError("no such process");
    if (status->state == 'Z' || status->state == 'X')
        throw InjectError("the process is a zombie");
    if (status->tracerPid != 0)
        throw InjectError("the process is already traced by PID " + std::to_string(status->tracerPid));
    if (status->state == 'T' || status->state == 't')
        throw InjectError("the process is stopped; resume it with kill -CONT " + std::to_string(pid));
}

class Injection {
public:
    Injection(pid_t pid, const InjectOptions& options)
        : pid_(pid)
        , options_(options)
        , deadline_(options.timeout)
        , tracee_(pid)
        , memory_(pid)
    {
    }

    void run(const std::string& libraryPath, const std::string& entrySymbol, const std::string& argument,
        InjectResult& result)
    {
        checkProcessState(pid_);
        if (libraryPath.size() > kMaxStringBytes || argument.size() > kMaxStringBytes)
            throw InjectError(
                "the library path or entry argument is longer than " + std::to_string(kMaxStringBytes) + " bytes");
        std::string error;
        auto library = checkLibrary(pid_, libraryPath, entrySymbol, error);
        if (!library)
            throw InjectError(error);
        auto maps = discovery::readProcMaps(pid_, error);
        auto loader = maps ? findTargetLoader(pid_, *maps, error) : std::nullopt;
        if (!loader)
            throw InjectError(error);

        tracee_.seize();
        tracee_.interrupt(deadline_);
        if (options_.checkSafePoint)
            stopAtSafePoint(result);
        if (const char* trace = std::getenv("GCSCOPE_INJECT_TRACE"); trace && *trace)
            std::fprintf(
                stderr, "gcscope: injecting into %d at %s\n", pid_, SafePointCheck(pid_).describe(pid_).c_str());
        saved_ = RegisterSnapshot::capture(pid_);

        // Our strings just below the red zone, the call stack below them.
        const std::uint64_t pathAddress = alignDown(belowRedZone(*saved_) - (library->path.size() + 1));
        const std::uint64_t argumentAddress = alignDown(pathAddress - (argument.size() + 1));
        memory_.writeString(pathAddress, library->path);
        memory_.writeString(argumentAddress, argument);
        RemoteCall remote(tracee_, memory_, *saved_, argumentAddress);

        const std::uint64_t handle = remote.call(loader->dlopen,
            { pathAddress, static_cast<std::uint64_t>(static_cast<unsigned>(loader->dlopenFlags)) }, "dlopen",
            deadline_);
        if (handle == 0)
            throw InjectError("dlopen(\"" + library->path + "\") failed in the target: " + dlerror(remote, *loader));

        const std::uint64_t entry = entryAddress(*library);
        const std::uint64_t returned = remote.call(entry, { argumentAddress }, entrySymbol, deadline_);
        result.entryResult = static_cast<int>(static_cast<std::uint32_t>(returned)); // an int return

        saved_->restore(pid_);
        tracee_.detach();
    }

    // After a failure: put the thread back as it was and let it go. Never throws; a problem
    // doing so is appended to `error`.
    void abandon(std::string& error) noexcept
    {
        try {
            if (!tracee_.attached())
                return;
            if (!tracee_.stopped()) {
                tracee_.interrupt(Deadline(kRestoreGrace));
                // Still running our call: say where it is stuck. Cut short inside the loader, the
                // call leaves the loader's lock held by this thread.
                if (saved_) {
                    bool inLoader = false;
                    error += "; the thread was in " + SafePointCheck(pid_).describe(pid_, 12, &inLoader);
                    if (inLoader)
                        error += "; the process may now hang in its next dlopen or dlsym from another thread";
                }
            }
            if (saved_)
                saved_->restore(pid_);
            tracee_.detach();
        } catch (const TargetGone&) {
            // Nothing left to restore.
        } catch (const std::exception& e) {
            error += std::string("; restoring the thread failed: ") + e.what();
        }
    }

private:
    void stopAtSafePoint(InjectResult& result)
    {
        SafePointCheck check(pid_);
        std::mt19937 random(std::random_device {}());
        std::uniform_int_distribution<int> jitterMicroseconds(2000, 5000);
        for (int attempt = 1;; ++attempt) {
            const SafePointVerdict verdict = check.check(tracee_.tid());
            if (verdict.safe)
                return;
            if (attempt >= options_.maxSafePointAttempts)
                throw InjectError(
                    "no safe point after " + std::to_string(attempt) + " attempts (last: " + verdict.why + ")");
            if (deadline_.expired())
                throw InjectError("timed out looking for a safe point (last: " + verdict.why + ")");
            tracee_.resume();
            std::this_thread::sleep_for(std::chrono::microseconds(jitterMicroseconds(random)));
            tracee_.interrupt(deadline_);
            ++result.safePointRetries;
        }
    }

    std::string dlerror(RemoteCall& remote, const TargetLoader& loader)
    {
        if (loader.dlerror == 0)
            return "no dlerror in " + loader.provider + " to say why";
        const std::uint64_t message = remote.call(loader.dlerror, {}, "dlerror", deadline_);
        return message ? memory_.readString(message) : "dlerror() gave no reason";
    }

    std::uint64_t entryAddress(const CheckedLibrary& library)
    {
        std::string error;
        auto maps = discovery::readProcMaps(pid_, error);
        if (!maps)
            throw InjectError(error);
        const discovery::Mapping* first = nullptr;
        for (const auto& m : *maps) {
            const bool same = m.inode == library.inode && m.devMajor == major(library.device)
                && m.devMinor == minor(library.device);
            if (same && (!first || m.offset < first->offset))
                first = &m;
        }
        if (!first) {
            // The loader hands back a library it already holds under that name: an agent an earlier
            // gcscope loaded (it stays mapped after detach) whose file was replaced since, by an
            // upgrade or a rebuild. A second copy under the same name cannot be loaded.
            const auto name = fs::path(library.path).filename().string();
            for (const auto& m : *maps)
                if (m.isFile() && fs::path(m.path).filename() == name)
                    throw InjectError("it already has an earlier " + name
                        + " loaded, whose file has been replaced since (by an upgrade or a rebuild of gcscope); "
                          "attach with the gcscope that loaded it, or restart the process");
            throw InjectError(
                "dlopen succeeded but " + library.path + " is not in /proc/" + std::to_string(pid_) + "/maps");
        }
        auto elf = discovery::ElfSymbols::load(
            discovery::openablePathOf(pid_, *first), error, discovery::ElfSymbols::Tables::Dynamic);
        auto bias = elf ? discovery::loadBias(*first, *elf) : std::nullopt;
        if (!bias)
            throw InjectError("cannot compute the load address of " + library.path + ": " + error);
        return *bias + library.entryValue;
    }

    pid_t pid_;
    InjectOptions options_;
    Deadline deadline_;
    Tracee tracee_;
    RemoteMemory memory_;
    std::optional<RegisterSnapshot> saved_;
};
} // namespace

InjectResult injectLibrary(pid_t pid, const std::string& libraryPath, const std::string& entrySymbol,
    const std::string& entryArgument, const InjectOptions& options)
{
    InjectResult result;
    result.thread = pid;
    Injection injection(pid, options);
    try {
        injection.run(libraryPath, entrySymbol, entryArgument, result);
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = "cannot inject into process " + std::to_string(pid) + ": " + e.what();
        injection.abandon(result.error);
    }
    return result;
}

} // namespace gcscope::inject
