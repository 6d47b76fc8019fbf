// The batched writer the profiler's session feeds. Rows go into one transaction that is committed
// every maxDelay or maxRows (and at flush(), beginSession(), endSession() and destruction), so
// a profiler killed mid-session loses at most one batch. A census is never split across commits.
#pragma once

#include <gcscope/storage/Records.h>
#include <gcscope/wire.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gcscope::storage {

class Database;

struct BatchPolicy {
    std::chrono::milliseconds maxDelay { 250 };
    std::size_t maxRows = 2000;
};

class Recorder {
public:
    // db must be opened for writing and outlive the recorder.
    explicit Recorder(Database& db, BatchPolicy policy = {});
    ~Recorder(); // flush(), swallowing errors
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Writes the session as 'incomplete' and commits at once; returns its id.
    std::int64_t beginSession(const NewSession& session);
    void addSample(std::int64_t sessionId, const wire::SampleRecord& sample);
    // dropped: collections the agent lost (wire::GcEventsRecord::dropped), summed per session.
    void addGcEvents(std::int64_t sessionId, const std::vector<wire::GcEventRecord>& events, std::uint64_t dropped = 0);
    // Entries with the same type name (distinct classes sharing a qualified name) are summed.
    void addCensus(std::int64_t sessionId, const wire::CensusRecord& census);
    void addProcessSample(
        std::int64_t sessionId, std::int64_t timeNs, std::uint64_t rssBytes, std::uint32_t threads, std::uint32_t fds);
    // Commits everything and records the end. complete=false keeps the session 'incomplete' (the
    // target or the agent went away) but still records when and why.
    void endSession(std::int64_t sessionId, std::int64_t endedNs, bool complete, std::string_view reason);

    // Commits the open batch if it is older than maxDelay. Call it when idle, e.g. on each poll
    // timeout, so a quiet target's last rows do not wait for the next one.
    void commitIfDue();
    // Commits the open batch now.
    void flush();

private:
    struct Statements;

    void beginBatch();
    void rowsAdded(std::size_t rows);
    bool inTransaction() const;
    std::int64_t typeId(const std::string& name);

    Database& db_;
    BatchPolicy policy_;
    std::unique_ptr<Statements> statements_;
    std::chrono::steady_clock::time_point batchStarted_;
    std::size_t batchRows_ = 0;
    std::unordered_map<std::string, std::int64_t> typeIds_;
    std::vector<std::string> typesAddedInBatch_; // forgotten again if the batch is not committed
};

} // namespace gcscope::storage
