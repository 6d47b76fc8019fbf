#include "cli/cli_support.h"

#include <csignal>
#include <cstdio>
#include <ctime>

namespace gcscope::cli {

std::atomic<int> g_stopSignal { 0 };

namespace {
void onStopSignal(int sig)
{
    g_stopSignal.store(sig);
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
    std::fprintf(stderr, "gcscope: error: %s\n", oneLine(message).c_str());
}
void printWarning(const std::string& message)
{
    std::fprintf(stderr, "gcscope: warning: %s\n", oneLine(message).c_str());
}
void printNote(const std::string& message)
{
    std::fprintf(stderr, "gcscope: %s\n", oneLine(message).c_str());
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
