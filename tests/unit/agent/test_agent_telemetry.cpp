// Samples, collection events and the Collect command, checked against what the target's own gc
// module says.
#include "agent_fixture.h"

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

namespace gcscope::test {
namespace {

using wire::MessageType;

class AgentTelemetry : public AgentTarget { };

TEST_P(AgentTelemetry, GivenA50MsIntervalWhenOneSecondPassesThenAboutTwentySamplesArrive)
{
    attach(50);
    std::vector<wire::SampleRecord> samples;
    auto until = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < until) {
        auto frame = endpoint->read(
            std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
        if (frame && frame->type == MessageType::Sample) {
            ASSERT_TRUE(frame->decodes<wire::SampleRecord>());
            samples.push_back(frame->as<wire::SampleRecord>());
        }
    }
    EXPECT_GE(samples.size(), 12u); // 20 expected; a loaded machine may delay a few
    EXPECT_LE(samples.size(), 22u);
    for (std::size_t i = 1; i < samples.size(); ++i) {
        auto gap = samples[i].timeNs - samples[i - 1].timeNs;
        EXPECT_GT(gap, 20'000'000) << "sample " << i;
        EXPECT_LT(gap, 500'000'000) << "sample " << i;
    }
    ASSERT_FALSE(samples.empty());
    EXPECT_TRUE(samples.back().enabled);
    // The interpreter's own thresholds (700 up to 3.12, 2000 for generation 0 from 3.13).
    EXPECT_EQ(samples.back().threshold, (baseline["threshold"].get<std::array<std::int64_t, 3>>()));
    auto stats = baseline["stats"];
    EXPECT_GE(samples.back().stats[2].collections, stats[2]["collections"].get<std::int64_t>());
    detach();
}

// The first sample is taken together with the callback's installation and each batch of events
// is drained together with its sample, so the events sent after sample k are exactly the
// collections between samples k-1 and k: gc.get_stats() deltas must match them one for one.
TEST_P(AgentTelemetry, GivenCollectionsWhenTheyRunThenEachOneIsReportedExactlyOnce)
{
    attach(20);
    std::vector<wire::SampleRecord> samples;
    std::vector<std::vector<wire::GcEventRecord>> batches; // batches[k]: events sent after sample k
    std::uint64_t dropped = 0;
    auto collect = [&](const Frame& f) {
        if (f.type == MessageType::Sample) {
            samples.push_back(f.as<wire::SampleRecord>());
            batches.emplace_back();
        } else if (f.type == MessageType::GcEvents && !batches.empty()) {
            auto record = f.as<wire::GcEventsRecord>();
            dropped += record.dropped;
            for (auto& e : record.events)
                batches.back().push_back(e);
        }
    };
    // A sample taken before the script collects starts the first window.
    auto first = endpoint->readType(MessageType::Sample);
    ASSERT_TRUE(first.has_value());
    collect(*first);
    auto before = host->command("facts")["stats"];
    auto gen0 = host->command("collect 0 3");
    auto gen1 = host->command("collect 1 2");
    auto gen2 = host->command("collect 2 1");
    ASSERT_FALSE(gen2.is_null());
    auto after = gen2["stats"];
    const auto infoKeys = host->command("facts")["gc_info_keys"];
    const auto has
        = [&](const char* key) { return std::find(infoKeys.begin(), infoKeys.end(), key) != infoKeys.end(); };
    ASSERT_TRUE(has("collected")) << infoKeys.dump();
    const bool ownTiming = has("duration"), ownCandidates = has("candidates");

    // Read until a sample shows every collection the script ran, then two more samples: the
    // batches up to the one before the last are then complete.
    const auto target = after[2]["collections"].get<std::int64_t>();
    std::size_t caughtUpAt = 0;
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline && (!caughtUpAt || samples.size() < caughtUpAt + 3)) {
        auto frame = endpoint->read(1s);
        ASSERT_TRUE(frame.has_value());
        collect(*frame);
        if (frame->type == MessageType::Sample && !caughtUpAt && samples.back().stats[2].collections >= target)
            caughtUpAt = samples.size();
    }
    ASSERT_TRUE(caughtUpAt) << "the samples never caught up with the script's collections";
    ASSERT_GE(samples.size(), caughtUpAt + 2);

    EXPECT_EQ(dropped, 0u);
    std::array<std::int64_t, 3> seen {};
    for (std::size_t k = 1; k + 1 < samples.size(); ++k) {
        std::array<std::int64_t, 3> events {}, collected {};
        for (const auto& e : batches[k]) {
            ++events[static_cast<std::size_t>(e.generation)];
            collected[static_cast<std::size_t>(e.generation)] += e.collected;
            EXPECT_GE(e.durationNs, 0);
            EXPECT_GT(e.startNs, 0);
            // CPython's own figures exactly where its callback info has them (3.15+), inside ours.
            if (ownTiming) {
                EXPECT_GT(e.pythonDurationNs, 0);
                EXPECT_LE(e.pythonDurationNs, e.durationNs + 1'000'000);
            } else {
                EXPECT_EQ(e.pythonDurationNs, -1);
            }
            if (ownCandidates)
                EXPECT_GE(e.candidates, e.collected);
            else
                EXPECT_EQ(e.candidates, -1);
        }
        for (std::size_t g = 0; g < 3; ++g) {
            EXPECT_EQ(events[g], samples[k].stats[g].collections - samples[k - 1].stats[g].collections)
                << "window " << k << " generation " << g;
            EXPECT_EQ(collected[g], samples[k].stats[g].collected - samples[k - 1].stats[g].collected)
                << "window " << k << " generation " << g;
            seen[g] += events[g];
        }
    }
    // At least the script's own collections (the agent's allocations may add young ones).
    for (std::size_t g = 0; g < 3; ++g) {
        auto ran = after[g]["collections"].get<std::int64_t>() - before[g]["collections"].get<std::int64_t>();
        EXPECT_GE(seen[g], ran) << "generation " << g;
    }
    EXPECT_EQ(gen0["results"].size(), 3u);
    EXPECT_EQ(gen1["results"].size(), 2u);
    detach();
}

TEST_P(AgentTelemetry, GivenGarbageCollectionDisabledThenSamplesSayDisabledUntilReenabled)
{
    attach(20);
    host->command("gc_disable");
    auto disabled = endpoint->readUntil(
        [](const Frame& f) { return f.type == MessageType::Sample && !f.as<wire::SampleRecord>().enabled; }, 2s);
    EXPECT_TRUE(disabled.has_value());
    host->command("gc_enable");
    auto enabled = endpoint->readUntil(
        [](const Frame& f) { return f.type == MessageType::Sample && f.as<wire::SampleRecord>().enabled; }, 2s);
    EXPECT_TRUE(enabled.has_value());
    detach();
}

TEST_P(AgentTelemetry, GivenCyclicGarbageWhenTheProfilerAsksToCollectThenTheAckCarriesWhatCollectReturned)
{
    attach(50);
    auto reply = host->command("cycles 100");
    ASSERT_FALSE(reply.is_null());
    auto expected = reply["expected"].get<std::int64_t>();
    EXPECT_GT(expected, 0);
    wire::CollectRecord collect;
    collect.generation = 2;
    ASSERT_TRUE(endpoint->sendRecord(MessageType::Collect, collect));
    auto ack = endpoint->readUntil([](const Frame& f) {
        return f.type == MessageType::Ack
            && f.as<wire::AckRecord>().command == static_cast<std::uint16_t>(MessageType::Collect);
    });
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->as<wire::AckRecord>().status, 0u);
    EXPECT_EQ(ack->as<wire::AckRecord>().value, expected);
    // The collection the agent ran is reported like any other.
    auto event = endpoint->readUntil([](const Frame& f) {
        if (f.type != MessageType::GcEvents)
            return false;
        for (const auto& e : f.as<wire::GcEventsRecord>().events)
            if (e.generation == 2)
                return true;
        return false;
    });
    EXPECT_TRUE(event.has_value());
    detach();
}

INSTANTIATE_TEST_SUITE_P(Python311, AgentTelemetry, ::testing::ValuesIn(exactInterpreters()), interpreterName);
INSTANTIATE_TEST_SUITE_P(Portable, AgentTelemetry, ::testing::ValuesIn(portableInterpreters()), interpreterName);

} // namespace
} // namespace gcscope::test
