// What every subcommand shares: exit codes, one-line errors, the stop flag set by signals.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace gcscope::cli {

enum ExitCode { kOk = 0, kFailure = 1, kUsage = 2 };

// Prints "gcscope: error: <message>" as one line on stderr (newlines folded).
void printError(const std::string& message);
void printWarning(const std::string& message);
void printNote(const std::string& message);

// One line of progress on stderr, rewritten in place, while stderr is a terminal; nothing when it is
// a file or a pipe. printError, printWarning and printNote clear it before they print.
class TerminalProgress {
public:
    TerminalProgress();
    ~TerminalProgress();
    TerminalProgress(const TerminalProgress&) = delete;
    TerminalProgress& operator=(const TerminalProgress&) = delete;

    // "gcscope: <what> <done> of <total> objects (<percent>%)", or "gcscope: <what>" when total is
    // 0; at most ten times a second, but at once when `what` changes or done reaches total.
    void show(const std::string& what, std::uint64_t done, std::uint64_t total);
    void clear();

private:
    bool enabled_;
    std::string lastWhat_;
    std::chrono::steady_clock::time_point last_ {};
};

// Raised to the signal number by SIGINT/SIGTERM once installStopHandlers() ran.
extern std::atomic<int> g_stopSignal;
void installStopHandlers();

std::string formatBytes(long long bytes);
std::string formatTimeNs(long long ns); // local "YYYY-MM-DD HH:MM:SS"

} // namespace gcscope::cli
