// gcscope-inject-tool: one injection from the command line, for tests/stress/inject_stress.sh and
// for trying the injector by hand. Not a user-facing command (the CLI attaches through session/).
//   gcscope_inject_tool [--no-safe-point] [--timeout-ms N] PID LIBRARY ENTRY ARGUMENT
// Prints "ok retries=R result=N" or "error: ..." and exits 0 or 1.
#include "inject/injector.h"

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv)
{
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
