// A real CPython process running tests/targets/agent_host.py: the test writes one command per line
// and reads one JSON object back. The process is killed when the object goes away.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace gcscope::test {

// One interpreter the agent tests run on, with the agent form it gets. Debian's 3.13 to 3.15 run in
// the project's sid root (scripts/sid-pythons.sh root) with chroot: what a container looks like.
struct TestInterpreter {
    std::string name; // the test name's suffix: "debian_3_11", "sid_3_14", "pyenv_3_13_0"
    std::string python; // its path as the process sees it
    std::string root; // the folder it runs chrooted in, or "" for this machine's root
    std::string form; // the agent form to load: "py311", "py313", ..., "portable"

    // Why it cannot run here (not installed, no sid root, that agent form not built), or "".
    std::string unavailable() const;
    // The agent file of its form, as this process sees it.
    std::string agentFile() const;
};

// Each installed interpreter with its exact form: 3.11 (Debian's, pyenv's), 3.13.0 (pyenv's), and
// Debian's 3.13, 3.14, 3.15 in the sid root. (Absent ones are listed too and skip with the reason.)
const std::vector<TestInterpreter>& exactInterpreters();
// The same interpreters, each forced onto the portable form, plus those only it serves (3.12).
const std::vector<TestInterpreter>& portableInterpreters();
// Both lists.
const std::vector<TestInterpreter>& allInterpreters();

// "debian_3_11" / "sid_3_14_portable": test names that say which interpreter ran.
std::string interpreterName(const ::testing::TestParamInfo<TestInterpreter>& info);
void PrintTo(const TestInterpreter& interpreter, std::ostream* os);

bool isExecutable(const std::string& path);

// A private folder in the interpreter's root that it and the test can both reach: the socket, the
// host script and the agent's copy go there. Removed with everything in it.
class SharedFolder {
public:
    explicit SharedFolder(const std::string& root);
    ~SharedFolder();
    SharedFolder(const SharedFolder&) = delete;
    SharedFolder& operator=(const SharedFolder&) = delete;

    bool ok() const { return !outside_.empty(); }
    const std::string& outside() const { return outside_; } // as this process sees it
    const std::string& inside() const { return inside_; } // as the interpreter sees it
    // Copies a file in; its path as the interpreter sees it, or "" on failure.
    std::string copyIn(const std::string& file);

private:
    std::string outside_;
    std::string inside_;
};

class PythonHost {
public:
    explicit PythonHost(const std::string& python);
    // In the interpreter's root, with the host script copied into `folder`.
    PythonHost(const TestInterpreter& interpreter, SharedFolder& folder);
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
    void launch(const std::vector<std::string>& argv);
    static void pauseBriefly();

    pid_t pid_ = -1;
    int toChild_ = -1;
    int fromChild_ = -1;
    std::string buffer_;
};

} // namespace gcscope::test
