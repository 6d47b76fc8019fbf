// What every subcommand shares: exit codes, one-line errors, the stop flag set by signals.
#pragma once

#include <atomic>
#include <string>

namespace gcscope::cli {

enum ExitCode { kOk = 0, kFailure = 1, kUsage = 2 };

// Prints "gcscope: error: <message>" as one line on stderr (newlines folded).
void printError(const std::string& message);
void printWarning(const std::string& message);
void printNote(const std::string& message);

// Raised to the signal number by SIGINT/SIGTERM once installStopHandlers() ran.
extern std::atomic<int> g_stopSignal;
void installStopHandlers();

std::string formatBytes(long long bytes);
std::string formatTimeNs(long long ns); // local "YYYY-MM-DD HH:MM:SS"

} // namespace gcscope::cli
