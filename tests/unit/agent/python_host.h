// A real CPython process running tests/targets/agent_host.py: the test writes one command per line
// and reads one JSON object back. The process is killed when the object goes away.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::test {

// The two 3.11 interpreters the agent supports (real binaries, not the pyenv shim).
inline const std::vector<std::string>& supportedPythons()
{
    static const std::vector<std::string> paths { "/usr/bin/python3.11",
        "/root/.pyenv/versions/3.11.7/bin/python3.11" };
    return paths;
}

bool isExecutable(const std::string& path);

class PythonHost {
public:
    explicit PythonHost(const std::string& python);
    ~PythonHost();
    PythonHost(const PythonHost&) = delete;
    PythonHost& operator=(const PythonHost&) = delete;

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }

    // Sends one command line; returns its JSON answer, or a null json on timeout or death.
    nlohmann::json command(const std::string& line, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Waits for the process to end by itself; its exit status, or -1 on timeout.
    int waitForExit(std::chrono::milliseconds timeout);

    // Waits until the target's main thread is blocked reading its next command (its answer is
    // fully written and nothing of it is left): then its heap holds still.
    bool waitUntilIdle(std::chrono::milliseconds timeout = std::chrono::seconds(2));

    // Asks for facts until `done` accepts them or the time is up; returns the last facts.
    template <typename Predicate>
    nlohmann::json factsWhen(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(3))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        nlohmann::json facts;
        do {
            facts = command("facts");
            if (facts.is_null() || done(facts))
                return facts;
            pauseBriefly();
        } while (std::chrono::steady_clock::now() < deadline);
        return facts;
    }

private:
    static void pauseBriefly();

    pid_t pid_ = -1;
    int toChild_ = -1;
    int fromChild_ = -1;
    std::string buffer_;
};

} // namespace gcscope::test
