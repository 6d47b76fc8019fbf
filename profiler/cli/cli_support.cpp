#include "cli/cli_support.h"

#include <csignal>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace gcscope::cli {

std::atomic<int> g_stopSignal { 0 };

namespace {
void onStopSignal(int sig)
{
    g_stopSignal.store(sig);
}

bool g_progressShown = false; // a progress line is on the terminal, without its newline

void clearProgressLine()
{
    if (g_progressShown) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        g_progressShown = false;
    }
}

std::string oneLine(std::string s)
{
    for (char& c : s)
        if (c == '\n' || c == '\r')
            c = ' ';
    return s;
}
} // namespace

void printError(const std::string& message)
{
    clearProgressLine();
    std::fprintf(stderr, "gcscope: error: %s\n", oneLine(message).c_str());
}
void printWarning(const std::string& message)
{
    clearProgressLine();
    std::fprintf(stderr, "gcscope: warning: %s\n", oneLine(message).c_str());
}
void printNote(const std::string& message)
{
    clearProgressLine();
    std::fprintf(stderr, "gcscope: %s\n", oneLine(message).c_str());
}

TerminalProgress::TerminalProgress()
    : enabled_(isatty(STDERR_FILENO) == 1)
{
}

TerminalProgress::~TerminalProgress()
{
    clear();
}

void TerminalProgress::show(const std::string& what, std::uint64_t done, std::uint64_t total)
{
    if (!enabled_)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (what == lastWhat_ && done < total && now - last_ < std::chrono::milliseconds(100))
        return;
    lastWhat_ = what;
    last_ = now;
    if (total > 0 && done > total) // the total was an estimate (a snapshot child's)
        std::fprintf(stderr, "\r\033[Kgcscope: %s %llu objects", what.c_str(), static_cast<unsigned long long>(done));
    else if (total > 0)
        std::fprintf(stderr, "\r\033[Kgcscope: %s %llu of %llu objects (%d%%)", what.c_str(),
            static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
            static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)));
    else
        std::fprintf(stderr, "\r\033[Kgcscope: %s", what.c_str());
    std::fflush(stderr);
    g_progressShown = true;
}

void TerminalProgress::clear()
{
    lastWhat_.clear();
    clearProgressLine();
}

void installStopHandlers()
{
    struct sigaction sa { };
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: blocking waits return early and look at the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

std::string formatBytes(long long bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = static_cast<double>(bytes);
    int u = 0;
    while ((v >= 1024 || v <= -1024) && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string formatTimeNs(long long ns)
{
    std::time_t t = static_cast<std::time_t>(ns / 1'000'000'000);
    std::tm tm {};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

} // namespace gcscope::cli
