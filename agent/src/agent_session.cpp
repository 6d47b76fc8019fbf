#include "agent_session.h"

#include "clock.h"
#include "exit_hold.h"
#include "gc_callback.h"
#include "page_warmer.h"
#include "python_api.h"
#include "snapshot_child.h"
#include "write_reopen.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gcscope::agent {

namespace {

using wire::MessageType;

// Error record codes are errno values, so the profiler can strerror() them.
constexpr std::uint32_t kErrorBadRequest = EINVAL;
constexpr std::uint32_t kErrorUnsupportedRuntime = EPROTONOSUPPORT;
constexpr std::uint32_t kErrorMissingSymbol = ENOSYS;
constexpr std::uint32_t kErrorPython = EIO;
constexpr std::uint32_t kErrorBusy = EBUSY;
constexpr std::uint32_t kErrorNoMemory = ENOMEM;

constexpr std::int64_t kConfigureTimeoutNs = 10'000'000'000;
constexpr int kInitializedPollMs = 10;
constexpr std::int64_t kNever = INT64_MAX;
// A snapshot waits this long for a running collection (one whose finalizers run Python code can
// release the GIL midway) to finish, checking every kSnapshotRetryNs.
constexpr std::int64_t kSnapshotBusyTimeoutNs = 5'000'000'000;
constexpr std::int64_t kSnapshotRetryNs = 2'000'000;
// A snapshot child still walking after this long (plus 20 us per object the walk expects: 20 to 100
// times what a walk takes) is stopped and the snapshot fails.
constexpr std::int64_t kChildWalkDeadlineNs = 60'000'000'000;
constexpr std::int64_t kChildWalkNsPerObject = 20'000;

AgentObjects agentObjects()
{
    return { gcCallbackFunction(), exitHoldFunction() };
}

timespec toTimespec(std::int64_t ns)
{
    return { static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000) };
}

constexpr int kChildSendBuffer = 8 << 20;

// A snapshot child's frames, each sent whole between the child's beginFrame and endFrame, so the
// parent never stops the walk inside one (snapshot_child.h).
class ChildFrameSink final : public FrameSink {
public:
    ChildFrameSink(ProfilerConnection& connection, SnapshotChild& child)
        : connection_(connection)
        , child_(child)
    {
    }
    bool send(MessageType type, std::string_view prefix, std::string_view body) override
    {
        return sendFrame(type, prefix, body, false);
    }
    bool sendFrame(MessageType type, std::string_view prefix, std::string_view body, bool last)
    {
        if (!child_.beginFrame())
            return false;
        const std::int64_t start = monotonicNs();
        if (!connection_.sendFrame(type, prefix, body))
            return false; // inside a frame: the child stays Sending, the connection is done for
        child_.endFrame(monotonicNs() - start, last);
        return true;
    }
    template <typename Record> bool sendRecord(MessageType type, const Record& record, bool last = false)
    {
        wire::Encoder e;
        record.encode(e);
        return sendFrame(type, {}, e.bytes(), last);
    }

private:
    ProfilerConnection& connection_;
    SnapshotChild& child_;
};

// The refcount corrections, in as many frames as they need (one but for millions of them).
template <typename Send> bool sendRefcounts(const wire::SnapshotRefcountsRecord& refcounts, Send&& send)
{
    constexpr std::size_t kPerFrame = (wire::kMaxPayload - 4) / wire::SnapshotRefcountsRecord::kEntryBytes;
    const auto& all = refcounts.entries;
    for (std::size_t first = 0; first < all.size(); first += kPerFrame) {
        wire::SnapshotRefcountsRecord part;
        part.entries.assign(all.begin() + first, all.begin() + std::min(all.size(), first + kPerFrame));
        if (!send(part))
            return false;
    }
    return true;
}

} // namespace

void AgentSession::run()
{
    if (!handshake()) {
        connection_.close();
        return;
    }
    if (!runtimeIsSupported(runtime_)) {
        sendError(kErrorUnsupportedRuntime, unsupportedRuntimeMessage(runtime_));
        sendBye("unsupported python");
        connection_.close();
        return;
    }
    std::string missing;
    if (!resolvePythonApi(missing)) {
        sendError(kErrorMissingSymbol, "the CPython runtime lacks " + missing);
        sendBye("unsupported python");
        connection_.close();
        return;
    }
    if (!waitForInterpreter()) {
        windDown();
        return;
    }
    if (startProfiling())
        loop();
    windDown();
}

bool AgentSession::handshake()
{
    std::string error;
    if (!connection_.connect(config_.socketPath, error))
        return false;
    runtime_ = readRuntimeVersion();
    wire::HelloRecord hello;
    hello.token = config_.token;
    hello.pid = static_cast<std::uint32_t>(getpid());
    hello.pythonVersionHex = runtime_.hex;
    hello.agentVersion = wire::kAgentVersion;
    hello.pythonExecutable = runtimeIsSupported(runtime_) ? executablePathWithoutGil() : std::string {};
    hello.clockNs = realtimeNs();
    return connection_.sendRecord(MessageType::Hello, hello) && waitForConfigure();
}

// The profiler answers Hello with Configure within 10 s; anything else ends the session unheard.
bool AgentSession::waitForConfigure()
{
    const std::int64_t deadline = monotonicNs() + kConfigureTimeoutNs;
    std::vector<IncomingFrame> frames;
    while (frames.empty()) {
        std::int64_t left = deadline - monotonicNs();
        if (left <= 0)
            return false;
        pollfd p { connection_.fd(), POLLIN | POLLRDHUP, 0 };
        timespec timeout = toTimespec(left);
        int n = ppoll(&p, 1, &timeout, nullptr);
        if (n < 0 && errno != EINTR)
            return false;
        if (n <= 0)
            continue;
        std::string error;
        if (connection_.readAvailable(frames, error) != ProfilerConnection::ReadResult::Ok && frames.empty())
            return false;
    }
    if (frames.front().type != MessageType::Configure)
        return false;
    bool accepted = false;
    if (!applyConfigure(frames.front().payload, accepted) || !accepted)
        return false;
    pending_.assign(std::make_move_iterator(frames.begin() + 1), std::make_move_iterator(frames.end()));
    return true;
}

// False: malformed (a protocol error). `accepted` false: well-formed but refused, Error sent.
bool AgentSession::applyConfigure(const std::string& payload, bool& accepted)
{
    auto configure = wire::decodeAs<wire::ConfigureRecord>(payload);
    if (!configure)
        return false;
    accepted = configure->intervalMs != 0;
    if (!accepted) {
        sendError(kErrorBadRequest, "Configure: intervalMs must be at least 1");
        return true;
    }
    intervalMs_ = configure->intervalMs;
    censusEveryMs_ = configure->censusEveryMs;
    holdExit_ = (configure->flags & wire::kConfigureHoldExit) != 0;
    return true;
}

// The agent may arrive before the interpreter is up; it waits, giving up if the profiler leaves.
bool AgentSession::waitForInterpreter()
{
    while (!py().Py_IsInitialized()) {
        pollfd p { connection_.fd(), POLLRDHUP, 0 };
        if (poll(&p, 1, kInitializedPollMs) != 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) {
            windDownReason_ = "profiler gone";
            return false;
        }
    }
    if (finalizing()) {
        windDownReason_ = "interpreter finalizing";
        return false;
    }
    return true;
}

bool AgentSession::finalizing() const
{
    return interpreterFinalizing();
}

bool AgentSession::startProfiling()
{
    threadState_.create();
    std::string error;
    wire::SampleRecord first;
    bool ok;
    {
        GilHold gil(threadState_);
        profiling_ = true; // whatever succeeds below, windDown() undoes
        ok = gc_.open(error);
        if (ok && (!census_.open() || !snapshots_.open(gc_))) {
            ok = false;
            error = "cannot prepare the census and snapshots";
        }
        ok = ok && installGcCallback(gc_.callbacks(), error);
        ok = ok && installExitHoldIfWanted(error);
        // The first sample is taken in the same GIL hold as the installation: every later
        // GcEvents batch then holds exactly the collections between two samples.
        first.timeNs = realtimeNs();
        if (ok && !gc_.sample(first)) {
            ok = false;
            error = "cannot read the gc module's statistics";
        }
    }
    if (!ok) {
        sendError(kErrorPython, error);
        windDownReason_ = "agent setup failed";
        return false;
    }
    schedule(monotonicNs());
    return stillConnected(connection_.sendRecord(MessageType::Sample, first) && sendAck(MessageType::Configure));
}

bool AgentSession::installExitHoldIfWanted(std::string& error)
{
    if (!holdExit_ || exitHoldInstalled_)
        return true;
    exitHoldInstalled_ = installExitHold(error);
    return exitHoldInstalled_;
}

void AgentSession::schedule(std::int64_t nowNs)
{
    nextSampleNs_ = nowNs + static_cast<std::int64_t>(intervalMs_) * 1'000'000;
    nextCensusNs_ = censusEveryMs_ ? nowNs + static_cast<std::int64_t>(censusEveryMs_) * 1'000'000 : kNever;
}

void AgentSession::loop()
{
    for (const auto& frame : pending_)
        if (!handle(frame))
            return;
    pending_.clear();

    std::vector<IncomingFrame> frames;
    for (;;) {
        std::int64_t now = monotonicNs();
        std::int64_t wait = std::max<std::int64_t>(0, std::min(nextSampleNs_, nextCensusNs_) - now);
        pollfd p { connection_.fd(), POLLIN | POLLRDHUP, 0 };
        timespec timeout = toTimespec(wait);
        int n = ppoll(&p, 1, &timeout, nullptr);
        if (n < 0 && errno != EINTR) {
            windDownReason_ = "socket error";
            return;
        }
        if (n > 0) {
            if (p.revents & (POLLERR | POLLNVAL)) {
                windDownReason_ = "socket error";
                return;
            }
            std::string error;
            frames.clear();
            auto result = connection_.readAvailable(frames, error);
            for (const auto& frame : frames)
                if (!handle(frame))
                    return;
            if (result == ProfilerConnection::ReadResult::Closed) {
                windDownReason_ = "profiler gone";
                return;
            }
            if (result == ProfilerConnection::ReadResult::Bad) {
                windDownReason_ = "protocol error: " + error;
                return;
            }
        }

        if (!exitingSent_ && exitHoldWaiting()) {
            // The main thread waits in its atexit hook: the profiler takes its last snapshot, then
            // detaches, which lets the exit go on.
            exitingSent_ = true;
            if (!stillConnected(connection_.send(MessageType::Exiting, {})))
                return;
        }

        now = monotonicNs();
        if (now >= nextSampleNs_) {
            if (!sampleAndSend())
                return;
            const std::int64_t interval = static_cast<std::int64_t>(intervalMs_) * 1'000'000;
            nextSampleNs_ += interval;
            if (nextSampleNs_ <= now) // fell behind (a long GIL wait): no burst of catch-up samples
                nextSampleNs_ = now + interval;
        }
        if (now >= nextCensusNs_) {
            if (!censusAndSend())
                return;
            nextCensusNs_ = now + nextCensusDelayNs();
        }
    }
}

bool AgentSession::handle(const IncomingFrame& frame)
{
    switch (frame.type) {
    case MessageType::Configure: {
        bool accepted = false;
        if (!applyConfigure(frame.payload, accepted)) {
            windDownReason_ = "protocol error: malformed Configure";
            return false;
        }
        if (!accepted)
            return true;
        if (holdExit_ && !exitHoldInstalled_) { // (the GIL only when there is something to install)
            std::string error;
            bool installed;
            {
                GilHold gil(threadState_);
                installed = installExitHoldIfWanted(error);
            }
            if (!installed && !stillConnected(sendError(kErrorPython, error)))
                return false;
        }
        schedule(monotonicNs());
        return stillConnected(sendAck(MessageType::Configure));
    }
    case MessageType::CensusNow:
        if (!frame.payload.empty()) {
            windDownReason_ = "protocol error: malformed CensusNow";
            return false;
        }
        return censusAndSend() && stillConnected(sendAck(MessageType::CensusNow));
    case MessageType::Detach:
        windDownReason_ = "detach";
        return false;
    case MessageType::Collect: {
        auto collect = wire::decodeAs<wire::CollectRecord>(frame.payload);
        if (!collect) {
            windDownReason_ = "protocol error: malformed Collect";
            return false;
        }
        return collectAndAck(static_cast<int>(collect->generation));
    }
    case MessageType::Snapshot: {
        auto request = wire::decodeAs<wire::SnapshotRequestRecord>(frame.payload);
        if (!request) {
            windDownReason_ = "protocol error: malformed Snapshot";
            return false;
        }
        return snapshotAndSend(*request);
    }
    default:
        windDownReason_
            = "protocol error: unexpected message type " + std::to_string(static_cast<unsigned>(frame.type));
        return false;
    }
}

bool AgentSession::sampleAndSend()
{
    if (finalizing()) {
        windDownReason_ = "interpreter finalizing";
        return false;
    }
    wire::SampleRecord sample;
    wire::GcEventsRecord events;
    bool ok;
    {
        GilHold gil(threadState_);
        sample.timeNs = realtimeNs();
        ok = gc_.sample(sample);
        events = gcEventBuffer().drain(); // same GIL hold: no collection can fall between the two
    }
    if (ok && !stillConnected(connection_.sendRecord(MessageType::Sample, sample)))
        return false;
    if (events.events.empty() && !events.dropped)
        return true;
    return stillConnected(connection_.sendRecord(MessageType::GcEvents, events));
}

// The configured period is the most often a census runs: it is stretched so that the GIL a census
// holds stays under 1/kCensusTimeShare of the target's time (a census of a million objects takes
// about 0.1 s, so every 10 s or more), and the default can be frequent for small heaps.
std::int64_t AgentSession::nextCensusDelayNs() const
{
    const std::int64_t configured = static_cast<std::int64_t>(censusEveryMs_) * 1'000'000;
    return std::max(configured, kCensusTimeShare * lastCensusPauseNs_);
}

bool AgentSession::censusAndSend()
{
    if (finalizing()) {
        windDownReason_ = "interpreter finalizing";
        return false;
    }
    CensusCount count;
    {
        GilHold gil(threadState_);
        count = census_.count(gc_, agentObjects());
    }
    lastCensusPauseNs_ = count.pauseNs;
    return stillConnected(count.ok ? connection_.sendRecord(MessageType::Census, buildCensusRecord(std::move(count)))
                                   : sendError(kErrorPython, "gc.get_objects() failed"));
}

bool AgentSession::collectAndAck(int generation)
{
    if (finalizing()) {
        windDownReason_ = "interpreter finalizing";
        return false;
    }
    std::int64_t collected = 0;
    std::string error;
    bool ok;
    {
        GilHold gil(threadState_);
        ok = gc_.collect(generation, collected, error);
    }
    return stillConnected(ok ? sendAck(MessageType::Collect, collected) : sendError(kErrorPython, error));
}

bool AgentSession::snapshotAndSend(const wire::SnapshotRequestRecord& request)
{
    // A copy-on-write child walks, unless asked not to or the system has no room for one: then the
    // walk is done here, as the Begin record says.
    std::string note;
    if (request.flags & wire::kSnapshotInProcess) {
        note = "asked to (--no-fork)";
    } else if (roomForChild(residentAnonymousBytes() + snapshots_.childBytes(), note)) {
        const ChildAttempt attempt = snapshotByChild(request, note);
        if (attempt != ChildAttempt::NotStarted)
            return attempt == ChildAttempt::Done;
    }
    return snapshotInProcess(request, note);
}

AgentSession::ChildAttempt AgentSession::snapshotByChild(const wire::SnapshotRequestRecord& request, std::string& note)
{
    // The child makes its own buffers: made here, they would be more memory for the clone to copy the
    // page tables of, and for the target to give back afterwards.
    SnapshotChild child;
    if (!child.prepare()) {
        note = "no memory for the snapshot child's shared page";
        return ChildAttempt::NotStarted;
    }
    const std::int64_t deadline = monotonicNs() + kSnapshotBusyTimeoutNs;
    SnapshotTaker::Failure failure;
    // The portable form's list of every object is given back only once the child is gone: dropping
    // a million references while the child lives would write to every page of the heap and make the
    // target copy them all.
    SnapshotTaker::WalkPlan plan;
    for (;;) {
        if (finalizing()) {
            windDownReason_ = "interpreter finalizing";
            return ChildAttempt::Ended;
        }
        SnapshotTaker::Status status;
        pid_t pid = -1;
        int cloneErrno = 0;
        {
            GilHold gil(threadState_);
            status = snapshots_.plan(gc_, plan, failure);
            if (status == SnapshotTaker::Status::Done) {
                const AgentObjects ours = agentObjects();
                child.progress().parent = getpid();
                child.progress().parentSendsEnd = plan.listed != nullptr;
                pid = child.spawn();
                if (pid == 0)
                    runSnapshotChild(child, request, plan, ours); // never returns
                cloneErrno = errno;
                if (pid < 0)
                    SnapshotTaker::dropPlan(plan);
            }
        }
        if (status == SnapshotTaker::Status::Done) {
            if (pid < 0) {
                note = std::string("the snapshot child could not be made (clone: ") + std::strerror(cloneErrno) + ")";
                return ChildAttempt::NotStarted;
            }
            break;
        }
        if (status == SnapshotTaker::Status::Failed)
            return stillConnected(sendError(failure.code, "snapshot failed: " + failure.message)) ? ChildAttempt::Done
                                                                                                  : ChildAttempt::Ended;
        if (monotonicNs() >= deadline)
            return stillConnected(sendError(
                       kErrorBusy, "snapshot failed: a garbage collection in the target did not finish within 5 s"))
                ? ChildAttempt::Done
                : ChildAttempt::Ended;
        timespec pause = toTimespec(kSnapshotRetryNs);
        nanosleep(&pause, nullptr);
    }
    // The target runs again, and we wait: the child sends everything itself, and nothing else may be
    // sent meanwhile.
    const std::size_t expected = std::max<std::size_t>(snapshots_.sizes().streamBytes / 48, 1'000'000);
    const auto result = child.wait(kChildWalkDeadlineNs + static_cast<std::int64_t>(expected) * kChildWalkNsPerObject);
    // The child is gone: what it shared is the target's alone again, but write-protected still.
    // Reopened here, before the portable form's list is given back, the target's next writes do
    // not fault one page at a time (write_reopen.h). At most four times the resident anonymous
    // memory is looked at: a bound, should the memory grow while it runs.
    reopenForWrites(std::max<std::uint64_t>(4 * residentAnonymousBytes(), std::uint64_t { 1 } << 30));
    if (plan.listed && !finalizing()) {
        GilHold gil(threadState_);
        SnapshotTaker::dropPlan(plan);
    }
    switch (result.outcome) {
    case SnapshotChild::Outcome::Sent: {
        const auto& p = child.progress();
        snapshots_.learn(p.sizes);
        // The list was given back above: now the snapshot may be complete for the profiler.
        if (p.endLeft.load())
            return stillConnected(connection_.sendRecord(MessageType::SnapshotEnd, p.end)) ? ChildAttempt::Done
                                                                                           : ChildAttempt::Ended;
        return ChildAttempt::Done;
    }
    case SnapshotChild::Outcome::Failed:
    case SnapshotChild::Outcome::Stalled:
        // Between two frames: the profiler drops what it received and reads the Error.
        return stillConnected(sendError(result.code, "snapshot failed: " + result.message)) ? ChildAttempt::Done
                                                                                            : ChildAttempt::Ended;
    case SnapshotChild::Outcome::DiedWhileSending:
        // Part of the snapshot may be on the connection: nothing more can be sent on it.
        windDownReason_ = "snapshot failed: " + result.message;
        return ChildAttempt::Ended;
    }
    return ChildAttempt::Ended;
}

// In the snapshot child, from the clone to _exit: Begin, then the walk with each frame sent as it is
// cut, the leaves, the refcount corrections and End. Only this thread exists here.
void AgentSession::runSnapshotChild(SnapshotChild& child, const wire::SnapshotRequestRecord& request,
    SnapshotTaker::WalkPlan& plan, const AgentObjects& ours)
{
    const std::int64_t clonedNs = monotonicNs();
    // The page warmer starts before the child makes any mapping of its own (page_warmer.h), and
    // before it takes its name (it reads /proc/self/maps). Stopped once the walk is done, so that it
    // takes no CPU from the profiler while the leaves are sent.
    PageWarmer warmer;
    SnapshotChild::enterChild(
        connection_.fd(), [](void* w) { static_cast<PageWarmer*>(w)->start(); }, &warmer);
    // Every way out stops the warmer first: a thread still waiting for a CPU at SCHED_IDLE would
    // hold the child's exit (and its reaping by the agent) until it got one.
    const auto fail = [&](std::uint32_t code, const char* message) {
        warmer.stop();
        child.finishInChild(false, code, message);
    };
    std::unique_ptr<HeapSnapshot> prepared = snapshots_.prepare(true, true);
    if (!prepared)
        fail(ENOMEM, SnapshotTaker::kOutOfMemory);
    HeapSnapshot& snapshot = *prepared;
    // Room for a few frames on the socket, so that the walk goes on while the profiler takes in the
    // last ones (the default 208 KiB holds a fifth of one, and each side waited for the other).
    // The kernel caps it at net.core.wmem_max (4 MiB on Debian), which is enough.
    const int sendBuffer = kChildSendBuffer;
    ::setsockopt(connection_.fd(), SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof sendBuffer);
    ChildFrameSink sink(connection_, child);
    auto& begin = snapshot.begin;
    begin.snapshotId = request.snapshotId;
    begin.timeNs = plan.timeNs;
    begin.pauseNs = std::max<std::int64_t>(clonedNs - plan.startNs, 1);
    begin.method = wire::SnapshotMethod::Child;
    begin.methodNote = plan.methodNote;
    snapshots_.expect(plan, begin);
    if (!sink.sendRecord(MessageType::SnapshotBegin, begin))
        fail(EPIPE, SnapshotTaker::kProfilerGone);
    snapshot.encoder.streamTo(&sink);
    SnapshotTaker::Failure failure;
    if (snapshots_.walk(ours, request, plan, snapshot, failure) != SnapshotTaker::Status::Done)
        fail(failure.code, failure.message.c_str());
    warmer.stop();
    snapshot.scratch = WalkScratch {};
    if (!snapshots_.finish(request, snapshot, failure))
        fail(failure.code, failure.message.c_str());
    if (!sendRefcounts(snapshot.refcounts,
            [&](const wire::SnapshotRefcountsRecord& r) { return sink.sendRecord(MessageType::SnapshotRefcounts, r); }))
        fail(EPIPE, SnapshotTaker::kProfilerGone);
    snapshot.end.extraMemoryBytes = privateBytes();
    auto& progress = child.progress();
    progress.sizes = snapshots_.sizes();
    // The parent sends the End record when it has something to give back first and is still there.
    if (progress.parentSendsEnd && getppid() == progress.parent) {
        progress.end = snapshot.end;
        progress.endLeft.store(true);
    } else if (!sink.sendRecord(MessageType::SnapshotEnd, snapshot.end, true)) {
        fail(EPIPE, SnapshotTaker::kProfilerGone);
    }
    child.finishInChild(true, 0, nullptr);
}

bool AgentSession::snapshotInProcess(const wire::SnapshotRequestRecord& request, const std::string& note)
{
    // Buffers are made and faulted in before the GIL is taken: the target keeps running meanwhile.
    std::unique_ptr<HeapSnapshot> snapshot = snapshots_.prepare();
    if (!snapshot)
        return stillConnected(sendError(kErrorNoMemory, "snapshot failed: not enough memory"));
    snapshot->begin.methodNote = note;
    const std::int64_t deadline = monotonicNs() + kSnapshotBusyTimeoutNs;
    SnapshotTaker::Failure failure;
    for (;;) {
        if (finalizing()) {
            windDownReason_ = "interpreter finalizing";
            return false;
        }
        SnapshotTaker::Status status;
        {
            GilHold gil(threadState_);
            status = snapshots_.take(gc_, agentObjects(), request, *snapshot, failure);
        }
        if (status == SnapshotTaker::Status::Done) {
            snapshot->scratch = WalkScratch {}; // unmapped now that the target runs again
            break;
        }
        if (status == SnapshotTaker::Status::Failed)
            return stillConnected(sendError(failure.code, "snapshot failed: " + failure.message));
        if (monotonicNs() >= deadline)
            return stillConnected(
                sendError(kErrorBusy, "snapshot failed: a garbage collection in the target did not finish within 5 s"));
        timespec pause = toTimespec(kSnapshotRetryNs);
        nanosleep(&pause, nullptr);
    }
    // The immutable leaves' records are made while the target runs; then, briefly, the GIL again
    // to give back the references the walk took (counted in the pause).
    const bool finished = snapshots_.finish(request, *snapshot, failure);
    if (finalizing()) {
        // The GIL cannot be taken any more: the references stay, with the interpreter.
        windDownReason_ = "interpreter finalizing";
        return false;
    }
    {
        GilHold gil(threadState_);
        snapshots_.release(*snapshot);
    }
    if (!finished)
        return stillConnected(sendError(failure.code, "snapshot failed: " + failure.message));
    return stillConnected(sendSnapshot(*snapshot));
}

// After the GIL is released: Begin, the frames in the order they were cut, the refcount
// corrections, End.
bool AgentSession::sendSnapshot(const HeapSnapshot& snapshot)
{
    if (!connection_.sendRecord(MessageType::SnapshotBegin, snapshot.begin))
        return false;
    const SnapshotEncoder& encoder = snapshot.encoder;
    for (const FrameSegment& segment : encoder.segments()) {
        std::string_view prefix(reinterpret_cast<const char*>(segment.prefix), segment.prefixSize);
        if (!connection_.sendFrame(segment.type, prefix, { encoder.bytesOf(segment), segment.length }))
            return false;
    }
    return sendRefcounts(snapshot.refcounts, [&](const wire::SnapshotRefcountsRecord& r) {
        return connection_.sendRecord(MessageType::SnapshotRefcounts, r);
    }) && connection_.sendRecord(MessageType::SnapshotEnd, snapshot.end);
}

// Undo everything in the target first (under the GIL), then say goodbye and close.
void AgentSession::windDown()
{
    wire::GcEventsRecord events;
    if (threadState_.exists()) {
        if (finalizing()) {
            // Taking the GIL now would end this thread inside CPython; the interpreter is going
            // away with its callbacks list, so we only stop recording.
            deactivateGcCallback();
        } else {
            threadState_.acquireGil();
            if (exitHoldInstalled_) {
                removeExitHold();
                exitHoldInstalled_ = false;
            }
            if (profiling_) {
                removeGcCallback(gc_.callbacks());
                events = gcEventBuffer().drain();
                census_.close();
                snapshots_.close();
                gc_.close();
                profiling_ = false;
            }
            threadState_.destroyHoldingGil();
        }
    }
    // Only now, with nothing of ours left in Python, may a held exit go on into finalization.
    releaseExitHold();
    if (!events.events.empty() || events.dropped)
        connection_.sendRecord(MessageType::GcEvents, events);
    sendBye(windDownReason_.empty() ? "detach" : windDownReason_);
    connection_.close();
}

bool AgentSession::stillConnected(bool sent)
{
    if (!sent)
        windDownReason_ = "profiler gone";
    return sent;
}

bool AgentSession::sendError(std::uint32_t code, const std::string& message)
{
    wire::ErrorRecord record;
    record.code = code;
    record.message = message;
    return connection_.sendRecord(MessageType::Error, record);
}

bool AgentSession::sendAck(MessageType command, std::int64_t value)
{
    wire::AckRecord record;
    record.command = static_cast<std::uint16_t>(command);
    record.value = value;
    return connection_.sendRecord(MessageType::Ack, record);
}

void AgentSession::sendBye(const std::string& reason)
{
    wire::ByeRecord record;
    record.reason = reason;
    connection_.sendRecord(MessageType::Bye, record);
}

} // namespace gcscope::agent
