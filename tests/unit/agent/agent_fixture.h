// A real Python target with the agent library loaded through ctypes, and the test as its profiler.
// Parameterised by interpreter and agent form; one that cannot run here skips with the reason.
#pragma once

#include "profiler_endpoint.h"
#include "python_host.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace gcscope::test {

class AgentTarget : public ::testing::TestWithParam<TestInterpreter> {
protected:
    void SetUp() override;

    // gcscope_agent_start(config) in the target; its return value.
    int start(const std::string& config);
    int start() { return start(endpoint->config()); }

    // Starts the agent and completes the handshake: Hello, Configure, the first Sample and the
    // Ack of Configure (after which the collection callback is installed).
    wire::HelloRecord attach(std::uint32_t intervalMs = 50, std::uint32_t censusEveryMs = 0);

    // Sends Detach and expects Bye("detach") and the agent closing its end.
    void detach();

    // The target's facts once it is back to the baseline taken before the agent started: no
    // callback in gc.callbacks, no extra thread, no extra descriptor.
    void expectBaselineRestored(std::chrono::milliseconds within = std::chrono::seconds(2));

    std::unique_ptr<SharedFolder> folder; // in the interpreter's root: the socket, the script, the agent
    std::unique_ptr<ProfilerEndpoint> endpoint;
    std::unique_ptr<PythonHost> host;
    nlohmann::json baseline;
};

} // namespace gcscope::test
