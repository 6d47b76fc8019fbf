// gcscope-inject-tool: one injection from the command line, for tests/stress/inject_stress.sh and
// for trying the injector by hand. Not a user-facing command (the CLI attaches through session/).
//   gcscope_inject_tool [--no-safe-point] [--timeout-ms N] PID LIBRARY ENTRY ARGUMENT
// Prints "ok retries=R result=N" or "error: ..." and exits 0 or 1.
//   gcscope_inject_tool --sample N PID
// Stops the thread N times at random moments and prints the safe-point check's verdict and the
// stack each time ("safe|unsafe <why> :: <stack>"), to see what the check judges in a real target.
#include "inject/injector.h"
#include "inject/safe_point.h"
#include "inject/tracee.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>

namespace {
int sample(int count, pid_t pid)
{
    using namespace gcscope::inject;
    Tracee tracee(pid);
    tracee.seize();
    SafePointCheck check(pid);
    std::mt19937 random(std::random_device {}());
    std::uniform_int_distribution<int> pause(100, 3000);
    for (int i = 0; i < count; ++i) {
        tracee.interrupt(Deadline(std::chrono::milliseconds(2000)));
        const SafePointVerdict verdict = check.check(pid);
        std::printf(
            "%s %s :: %s\n", verdict.safe ? "safe" : "unsafe", verdict.why.c_str(), check.describe(pid, 8).c_str());
        tracee.resume();
        std::this_thread::sleep_for(std::chrono::microseconds(pause(random)));
    }
    tracee.interrupt(Deadline(std::chrono::milliseconds(2000)));
    tracee.detach();
    return 0;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && std::strcmp(argv[1], "--sample") == 0)
        return sample(std::stoi(argv[2]), std::stoi(argv[3]));
    gcscope::inject::InjectOptions options;
    int i = 1;
    for (; i < argc && std::strncmp(argv[i], "--", 2) == 0; ++i) {
        if (std::strcmp(argv[i], "--no-safe-point") == 0)
            options.checkSafePoint = false;
        else if (std::strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
            options.timeout = std::chrono::milliseconds(std::stol(argv[++i]));
        else
            break;
    }
    if (argc - i != 4) {
        std::fprintf(stderr, "usage: %s [--no-safe-point] [--timeout-ms N] PID LIBRARY ENTRY ARGUMENT\n", argv[0]);
        return 2;
    }
    const auto r = gcscope::inject::injectLibrary(std::stoi(argv[i]), argv[i + 1], argv[i + 2], argv[i + 3], options);
    if (!r.ok) {
        std::printf("error: %s\n", r.error.c_str());
        return 1;
    }
    std::printf("ok retries=%d result=%ld\n", r.safePointRetries, r.entryResult);
    return 0;
}
