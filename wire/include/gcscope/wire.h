// The gcscope wire format: what the agent inside the target and the profiler say to each other
// over the private Unix socket. Shared by both sides, header only, std only, and free of
// exceptions because the agent is loaded into a foreign process.
//
// Every message is a frame: a fixed 16-byte header followed by `length` payload bytes.
//
//   u32 magic    'GCSC' (kMagic), little-endian
//   u16 version  kVersion; a peer that sees another version closes the connection
//   u16 type     MessageType
//   u32 length   payload bytes, at most kMaxPayload
//   u32 flags    0 (reserved)
//
// Payloads are sequences of little-endian fixed-width integers, IEEE doubles and strings
// (u32 byte length + bytes, no terminator). Decoders check every bound and report failure
// instead of reading past the end; an oversized or malformed frame ends the connection.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::wire {

inline constexpr std::uint32_t kMagic = 0x43534347u; // "GCSC" in memory order
inline constexpr std::uint16_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::uint32_t kMaxPayload = 16u * 1024u * 1024u;
inline constexpr std::size_t kMaxString = 1u * 1024u * 1024u;
inline constexpr std::size_t kTokenHexLength = 32;

enum class MessageType : std::uint16_t {
    // agent -> profiler
    Hello = 1, // token, pid, python version, agent version
    Sample = 2, // one telemetry sample (SampleRecord)
    GcEvents = 3, // a batch of finished collections (GcEventRecord)
    Census = 4, // per-type object counts and sizes (CensusRecord)
    Error = 5, // code, message: a command failed, the agent stays up
    Bye = 6, // the agent has wound down (callback removed) and closes
    Ack = 7, // a command finished: command type, status, message
    SnapshotBegin = 8, // a heap snapshot follows (SnapshotBeginRecord)
    SnapshotStrings = 9, // string table entries: type names, labels, edge names (SnapshotStringsRecord)
    SnapshotObjects = 10, // objects with their outgoing references (SnapshotObjectsRecord)
    SnapshotEnd = 11, // the snapshot is complete (SnapshotEndRecord)
    Exiting = 12, // the program is exiting and waits for the profiler (kConfigureHoldExit); no payload
    SnapshotRefcounts = 13, // references to add to objects already sent (SnapshotRefcountsRecord)

    // profiler -> agent (the complete set of commands the agent accepts)
    Configure = 64, // accepts the Hello and sets the intervals (ConfigureRecord)
    CensusNow = 65, // take a census now
    Detach = 66, // wind down and close
    Collect = 67, // run gc.collect(generation): only when the user asks
    Snapshot = 68, // take a heap snapshot (SnapshotRequestRecord)
};

inline bool isKnownType(std::uint16_t t)
{
    return (t >= 1 && t <= 13) || (t >= 64 && t <= 68);
}
inline bool isCommand(MessageType t)
{
    return static_cast<std::uint16_t>(t) >= 64;
}

struct FrameHeader {
    std::uint32_t magic = kMagic;
    std::uint16_t version = kVersion;
    MessageType type = MessageType::Hello;
    std::uint32_t length = 0;
    std::uint32_t flags = 0;
};

enum class HeaderError { None, BadMagic, BadVersion, UnknownType, TooLarge, BadFlags };

inline const char* describe(HeaderError e)
{
    switch (e) {
    case HeaderError::None:
        return "ok";
    case HeaderError::BadMagic:
        return "not a gcscope frame (bad magic)";
    case HeaderError::BadVersion:
        return "unsupported wire protocol version";
    case HeaderError::UnknownType:
        return "unknown message type";
    case HeaderError::TooLarge:
        return "message larger than the protocol allows";
    case HeaderError::BadFlags:
        return "reserved header flags set";
    }
    return "?";
}

// ---- little-endian primitives ----

class Encoder {
public:
    void u8(std::uint8_t v) { buf_.push_back(static_cast<char>(v)); }
    void u16(std::uint16_t v) { put(v); }
    void u32(std::uint32_t v) { put(v); }
    void u64(std::uint64_t v) { put(v); }
    void i64(std::int64_t v) { put(static_cast<std::uint64_t>(v)); }
    void f64(double v)
    {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        put(bits);
    }
    void str(std::string_view s)
    {
        if (s.size() > kMaxString)
            s = s.substr(0, kMaxString);
        u32(static_cast<std::uint32_t>(s.size()));
        buf_.append(s.data(), s.size());
    }
    const std::string& bytes() const { return buf_; }
    std::string take() { return std::move(buf_); }
    std::size_t size() const { return buf_.size(); }
    void clear() { buf_.clear(); }

private:
    template <typename T> void put(T v)
    {
        char b[sizeof(T)];
        for (std::size_t i = 0; i < sizeof(T); ++i)
            b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
        buf_.append(b, sizeof(T));
    }
    std::string buf_;
};

// Reads a payload. Every getter returns false once the input is exhausted or malformed, and
// stays failed; callers check ok() (or each result) before using values.
class Decoder {
public:
    Decoder(const char* data, std::size_t size)
        : p_(data)
        , end_(data + size)
    {
    }
    explicit Decoder(std::string_view s)
        : Decoder(s.data(), s.size())
    {
    }

    bool u8(std::uint8_t& v) { return get(v); }
    bool u16(std::uint16_t& v) { return get(v); }
    bool u32(std::uint32_t& v) { return get(v); }
    bool u64(std::uint64_t& v) { return get(v); }
    bool i64(std::int64_t& v)
    {
        std::uint64_t u;
        if (!get(u))
            return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    bool f64(double& v)
    {
        std::uint64_t bits;
        if (!get(bits))
            return false;
        std::memcpy(&v, &bits, sizeof v);
        return true;
    }
    bool str(std::string& s)
    {
        std::uint32_t n;
        if (!u32(n))
            return false;
        if (n > kMaxString || static_cast<std::size_t>(end_ - p_) < n)
            return fail();
        s.assign(p_, n);
        p_ += n;
        return true;
    }
    bool ok() const { return ok_; }
    bool atEnd() const { return ok_ && p_ == end_; }
    std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

private:
    bool fail()
    {
        ok_ = false;
        p_ = end_;
        return false;
    }
    template <typename T> bool get(T& v)
    {
        if (!ok_ || static_cast<std::size_t>(end_ - p_) < sizeof(T))
            return fail();
        T r = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            r |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(p_[i])) << (8 * i));
        v = r;
        p_ += sizeof(T);
        return true;
    }
    const char* p_;
    const char* end_;
    bool ok_ = true;
};

inline std::string encodeHeader(MessageType type, std::uint32_t length)
{
    Encoder e;
    e.u32(kMagic);
    e.u16(kVersion);
    e.u16(static_cast<std::uint16_t>(type));
    e.u32(length);
    e.u32(0);
    return e.take();
}

// A whole frame ready to write: header + payload.
inline std::string frame(MessageType type, std::string_view payload)
{
    std::string out = encodeHeader(type, static_cast<std::uint32_t>(payload.size()));
    out.append(payload.data(), payload.size());
    return out;
}

inline HeaderError decodeHeader(const char* data, FrameHeader& h)
{
    Decoder d(data, kHeaderSize);
    std::uint16_t type = 0;
    d.u32(h.magic);
    d.u16(h.version);
    d.u16(type);
    d.u32(h.length);
    d.u32(h.flags);
    if (h.magic != kMagic)
        return HeaderError::BadMagic;
    if (h.version != kVersion)
        return HeaderError::BadVersion;
    if (!isKnownType(type))
        return HeaderError::UnknownType;
    if (h.length > kMaxPayload)
        return HeaderError::TooLarge;
    if (h.flags != 0)
        return HeaderError::BadFlags;
    h.type = static_cast<MessageType>(type);
    return HeaderError::None;
}

// ---- records ----
// Each record has encode() and a decode() that returns false on malformed input. Times are
// CLOCK_REALTIME nanoseconds since the Unix epoch unless a name says otherwise.

struct HelloRecord {
    std::string token; // kTokenHexLength hex characters handed over at injection
    std::uint32_t pid = 0; // getpid() inside the target
    std::uint32_t pythonVersionHex = 0; // Py_Version, e.g. 0x030b02f0
    std::uint32_t agentVersion = 0; // kAgentVersion of the agent build
    std::string pythonExecutable; // sys.executable as the target sees it, may be empty
    std::int64_t clockNs = 0; // the agent's realtime clock when it said hello

    void encode(Encoder& e) const
    {
        e.str(token);
        e.u32(pid);
        e.u32(pythonVersionHex);
        e.u32(agentVersion);
        e.str(pythonExecutable);
        e.i64(clockNs);
    }
    bool decode(Decoder& d)
    {
        return d.str(token) && d.u32(pid) && d.u32(pythonVersionHex) && d.u32(agentVersion) && d.str(pythonExecutable)
            && d.i64(clockNs) && d.atEnd();
    }
};

inline constexpr std::uint32_t kAgentVersion
    = 3; // 2: gc events carry candidates and CPython's duration; 3: snapshots say how they were taken

inline constexpr int kGenerations = 3;

struct GenerationStats {
    std::int64_t collections = 0;
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
};

struct SampleRecord {
    std::int64_t timeNs = 0;
    std::array<std::int64_t, kGenerations> count {}; // gc.get_count()
    std::array<std::int64_t, kGenerations> threshold {}; // gc.get_threshold()
    bool enabled = true; // gc.isenabled()
    std::int64_t freezeCount = 0; // gc.get_freeze_count()
    std::array<GenerationStats, kGenerations> stats {}; // gc.get_stats()
    std::int64_t gcGarbage = 0; // len(gc.garbage)

    void encode(Encoder& e) const
    {
        e.i64(timeNs);
        for (auto v : count)
            e.i64(v);
        for (auto v : threshold)
            e.i64(v);
        e.u8(enabled ? 1 : 0);
        e.i64(freezeCount);
        for (const auto& s : stats) {
            e.i64(s.collections);
            e.i64(s.collected);
            e.i64(s.uncollectable);
        }
        e.i64(gcGarbage);
    }
    bool decode(Decoder& d)
    {
        d.i64(timeNs);
        for (auto& v : count)
            d.i64(v);
        for (auto& v : threshold)
            d.i64(v);
        std::uint8_t en = 0;
        d.u8(en);
        enabled = en != 0;
        d.i64(freezeCount);
        for (auto& s : stats) {
            d.i64(s.collections);
            d.i64(s.collected);
            d.i64(s.uncollectable);
        }
        d.i64(gcGarbage);
        return d.atEnd() && en <= 1;
    }
};

struct GcEventRecord {
    std::int64_t startNs = 0; // realtime at the "start" callback
    std::int64_t durationNs = 0; // monotonic time from "start" to "stop"
    std::int32_t generation = 0;
    std::int64_t collected = 0;
    std::int64_t uncollectable = 0;
    // From 3.15 the "stop" callback's info also carries these; -1 where the interpreter does not.
    std::int64_t candidates = -1; // objects the collection examined
    std::int64_t pythonDurationNs = -1; // the collection's duration as CPython itself measured it
};

struct GcEventsRecord {
    std::vector<GcEventRecord> events;
    std::uint64_t dropped = 0; // events lost because the agent's buffer was full

    void encode(Encoder& e) const
    {
        e.u64(dropped);
        e.u32(static_cast<std::uint32_t>(events.size()));
        for (const auto& ev : events) {
            e.i64(ev.startNs);
            e.i64(ev.durationNs);
            e.u32(static_cast<std::uint32_t>(ev.generation));
            e.i64(ev.collected);
            e.i64(ev.uncollectable);
            e.i64(ev.candidates);
            e.i64(ev.pythonDurationNs);
        }
    }
    bool decode(Decoder& d)
    {
        std::uint32_t n = 0;
        if (!d.u64(dropped) || !d.u32(n))
            return false;
        // Each event takes 52 bytes: refuse counts the payload cannot hold before reserving.
        if (n > d.remaining() / 52)
            return false;
        events.resize(n);
        for (auto& ev : events) {
            std::uint32_t gen = 0;
            d.i64(ev.startNs);
            d.i64(ev.durationNs);
            d.u32(gen);
            d.i64(ev.collected);
            d.i64(ev.uncollectable);
            d.i64(ev.candidates);
            d.i64(ev.pythonDurationNs);
            if (gen >= static_cast<std::uint32_t>(kGenerations))
                return false;
            ev.generation = static_cast<std::int32_t>(gen);
        }
        return d.atEnd();
    }
};

struct CensusEntry {
    std::string type; // "module.qualname", builtins bare ("dict", "__main__.Node")
    std::uint64_t count = 0;
    std::uint64_t size = 0; // sum of shallow sizes in bytes
};

struct CensusRecord {
    std::int64_t timeNs = 0;
    std::int64_t pauseNs = 0; // how long the census held the GIL
    std::uint64_t objects = 0; // GC-tracked objects counted (the agent's own excluded)
    std::vector<CensusEntry> entries;

    void encode(Encoder& e) const
    {
        e.i64(timeNs);
        e.i64(pauseNs);
        e.u64(objects);
        e.u32(static_cast<std::uint32_t>(entries.size()));
        for (const auto& c : entries) {
            e.str(c.type);
            e.u64(c.count);
            e.u64(c.size);
        }
    }
    bool decode(Decoder& d)
    {
        std::uint32_t n = 0;
        if (!d.i64(timeNs) || !d.i64(pauseNs) || !d.u64(objects) || !d.u32(n))
            return false;
        if (n > d.remaining() / 20) // a string length + two u64 at least
            return false;
        entries.resize(n);
        for (auto& c : entries)
            if (!d.str(c.type) || !d.u64(c.count) || !d.u64(c.size))
                return false;
        return d.atEnd();
    }
};

struct ErrorRecord {
    std::uint32_t code = 0;
    std::string message;
    void encode(Encoder& e) const
    {
        e.u32(code);
        e.str(message);
    }
    bool decode(Decoder& d) { return d.u32(code) && d.str(message) && d.atEnd(); }
};

struct ByeRecord {
    std::string reason; // "detach", "profiler gone", "interpreter finalizing", ...
    void encode(Encoder& e) const { e.str(reason); }
    bool decode(Decoder& d) { return d.str(reason) && d.atEnd(); }
};

struct AckRecord {
    std::uint16_t command = 0; // the MessageType that finished
    std::uint32_t status = 0; // 0 ok
    std::int64_t value = 0; // command specific (Collect: objects collected)
    std::string message;
    void encode(Encoder& e) const
    {
        e.u16(command);
        e.u32(status);
        e.i64(value);
        e.str(message);
    }
    bool decode(Decoder& d) { return d.u16(command) && d.u32(status) && d.i64(value) && d.str(message) && d.atEnd(); }
};

// ConfigureRecord flags.
// The program's exit waits (bounded) in an atexit hook until the profiler detaches, after an Exiting
// notice: room for a last snapshot of a program that ends by itself.
constexpr std::uint32_t kConfigureHoldExit = 1;

struct ConfigureRecord {
    std::uint32_t intervalMs = 100; // telemetry sample period, >= 1
    std::uint32_t censusEveryMs = 5000; // 0 disables the periodic census
    std::uint32_t flags = 0; // kConfigure*; other bits are reserved (ignored)
    void encode(Encoder& e) const
    {
        e.u32(intervalMs);
        e.u32(censusEveryMs);
        e.u32(flags);
    }
    bool decode(Decoder& d) { return d.u32(intervalMs) && d.u32(censusEveryMs) && d.u32(flags) && d.atEnd(); }
};

struct CollectRecord {
    std::uint32_t generation = 2;
    void encode(Encoder& e) const { e.u32(generation); }
    bool decode(Decoder& d) { return d.u32(generation) && d.atEnd() && generation < kGenerations; }
};

template <typename Record> std::string frameOf(MessageType type, const Record& r)
{
    Encoder e;
    r.encode(e);
    return frame(type, e.bytes());
}

template <typename Record> std::optional<Record> decodeAs(std::string_view payload)
{
    Record r;
    Decoder d(payload);
    if (!r.decode(d))
        return std::nullopt;
    return r;
}

// ---- heap snapshots ----
// On Snapshot, the agent sends SnapshotBegin, then any number of SnapshotStrings and
// SnapshotObjects frames (a string id is always defined before an object uses it), any number of
// SnapshotRefcounts (none but on 3.14+), then SnapshotEnd. A snapshot child (SnapshotMethod::Child) sends the frames
// while it walks, so Begin can only say what it expects; one walked in the target sends them after
// the walk. References are by target address; the profiler resolves them. Untracked objects that
// tracked ones refer to (str, bytes, int, float, ...) are sent once each as leaves (kObjectTracked
// clear, no references). On failure the agent sends Error instead of SnapshotEnd, at a frame
// boundary: the frames sent before it are dropped.

inline constexpr std::uint32_t kSnapshotNoStrings = 1u; // request flag: leave string contents out of labels
inline constexpr std::uint32_t kSnapshotInProcess = 2u; // request flag: walk in the target, no child (--no-fork)

// How a snapshot was taken (SnapshotBeginRecord::method).
enum class SnapshotMethod : std::uint8_t {
    InProcess = 0, // walked in the target, which paused for the walk
    Child = 1, // walked by a copy-on-write child of the target, which paused for the clone only
};

struct SnapshotRequestRecord {
    std::uint32_t snapshotId = 0; // chosen by the profiler, echoed in Begin/End
    std::uint32_t flags = 0; // kSnapshotNoStrings
    std::uint32_t maxLabel = 60; // longest label preview in bytes
    void encode(Encoder& e) const
    {
        e.u32(snapshotId);
        e.u32(flags);
        e.u32(maxLabel);
    }
    bool decode(Decoder& d) { return d.u32(snapshotId) && d.u32(flags) && d.u32(maxLabel) && d.atEnd(); }
};

struct SnapshotBeginRecord {
    std::uint32_t snapshotId = 0;
    std::int64_t timeNs = 0; // when the walk started (realtime)
    std::int64_t pauseNs = 0; // how long the target's Python threads were held (GIL) for the walk
    // What the agent expects to send: exact when walked before sending, an estimate when a child
    // sends while it walks (0: no idea). For progress and reservations only: End has the counts.
    std::uint64_t expectedObjects = 0;
    std::uint64_t expectedReferences = 0;
    SnapshotMethod method = SnapshotMethod::InProcess;
    std::string methodNote; // why it was walked in the target when a child was not asked against, and how the objects
                            // were listed when not from the collector's lists; "" otherwise
    void encode(Encoder& e) const
    {
        e.u32(snapshotId);
        e.i64(timeNs);
        e.i64(pauseNs);
        e.u64(expectedObjects);
        e.u64(expectedReferences);
        e.u8(static_cast<std::uint8_t>(method));
        e.str(methodNote);
    }
    bool decode(Decoder& d)
    {
        std::uint8_t m = 0;
        if (!(d.u32(snapshotId) && d.i64(timeNs) && d.i64(pauseNs) && d.u64(expectedObjects)
                && d.u64(expectedReferences) && d.u8(m) && d.str(methodNote) && d.atEnd())
            || m > static_cast<std::uint8_t>(SnapshotMethod::Child))
            return false;
        method = static_cast<SnapshotMethod>(m);
        return true;
    }
};

// Strings with consecutive ids firstId, firstId+1, ...; id 0 is always "" and never sent.
struct SnapshotStringsRecord {
    std::uint32_t firstId = 1;
    std::vector<std::string> strings;
    void encode(Encoder& e) const
    {
        e.u32(firstId);
        e.u32(static_cast<std::uint32_t>(strings.size()));
        for (const auto& s : strings)
            e.str(s);
    }
    bool decode(Decoder& d)
    {
        std::uint32_t n = 0;
        if (!d.u32(firstId) || !d.u32(n) || firstId == 0 || n > d.remaining() / 4)
            return false;
        strings.resize(n);
        for (auto& s : strings)
            if (!d.str(s))
                return false;
        return d.atEnd();
    }
};

inline constexpr std::uint8_t kObjectTracked = 1; // GC-tracked (else a leaf)
inline constexpr std::uint8_t kObjectHasFinalizer
    = 2; // its type defines __del__ (tp_finalize/tp_del of a Python class)
inline constexpr std::uint8_t kObjectExplicitRoot = 4; // sys.modules, a thread's frame, ...
inline constexpr std::uint8_t kObjectImmortal = 8; // immortal (3.12+): its refcount is a marker, not a count
// Its refcount counts references the snapshot holds that ob_refcnt does not (borrowed stack references
// of 3.14+ generators and frames): the collector skips them when it subtracts, the snapshot adds them.
inline constexpr std::uint8_t kObjectBorrowedReferences = 16;
// More references of the object in the record before (same address): one record must fit a frame
// (about 1.4M references), so a bigger container (a list of 5M orders) takes several records, all
// with the same fields. Only the first counts as an object.
inline constexpr std::uint8_t kObjectContinued = 32;
inline constexpr std::uint32_t kEdgeIndexBit = 0x80000000u; // edge label: list/tuple index in the low bits

struct SnapshotReference {
    std::uint64_t target = 0; // address
    std::uint32_t label = 0; // 0 none; kEdgeIndexBit|i: index i; else a string id (attribute, dict key)
};

struct SnapshotObject {
    std::uint64_t address = 0;
    std::uint32_t type = 0; // string id of "module.qualname"
    std::uint64_t size = 0; // shallow size in bytes
    std::int64_t refcount = 0; // ob_refcnt, less any reference the walk itself held
    std::uint8_t flags = 0;
    std::uint32_t label = 0; // string id of a short safe label, 0 none
    std::vector<SnapshotReference> references; // one per tp_traverse visit, in visit order
};

struct SnapshotObjectsRecord {
    std::vector<SnapshotObject> objects;
    void encode(Encoder& e) const
    {
        e.u32(static_cast<std::uint32_t>(objects.size()));
        for (const auto& o : objects) {
            e.u64(o.address);
            e.u32(o.type);
            e.u64(o.size);
            e.i64(o.refcount);
            e.u8(o.flags);
            e.u32(o.label);
            e.u32(static_cast<std::uint32_t>(o.references.size()));
            for (const auto& r : o.references) {
                e.u64(r.target);
                e.u32(r.label);
            }
        }
    }
    bool decode(Decoder& d)
    {
        struct Collect {
            std::vector<SnapshotObject>& objects;
            bool object(const SnapshotObject& o, std::uint32_t references)
            {
                objects.push_back(o);
                objects.back().references.reserve(references);
                return true;
            }
            bool reference(std::uint64_t target, std::uint32_t label)
            {
                objects.back().references.push_back({ target, label });
                return true;
            }
        };
        objects.clear();
        return visit(d, Collect { objects });
    }
    // Reads an objects frame in place, without building the vectors decode() fills: calls
    // visitor.object(o, referenceCount) (o.references left empty), then visitor.reference(target,
    // label) for each of its references. Either may return false to stop. False when the frame is
    // malformed or the visitor stopped; the visitor may have seen part of it.
    template <typename Visitor> static bool visit(Decoder& d, Visitor&& visitor)
    {
        std::uint32_t n = 0;
        if (!d.u32(n) || n > d.remaining() / 37) // the fixed part of an object is 37 bytes
            return false;
        SnapshotObject o;
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint32_t refs = 0;
            if (!d.u64(o.address) || !d.u32(o.type) || !d.u64(o.size) || !d.i64(o.refcount) || !d.u8(o.flags)
                || !d.u32(o.label) || !d.u32(refs) || refs > d.remaining() / 12 || !visitor.object(o, refs))
                return false;
            for (std::uint32_t r = 0; r < refs; ++r) {
                std::uint64_t target = 0;
                std::uint32_t label = 0;
                if (!d.u64(target) || !d.u32(label) || !visitor.reference(target, label))
                    return false;
            }
        }
        return d.atEnd();
    }
};

// Objects whose refcount does not count references the snapshot holds (3.14+: borrowed stack
// references of suspended generators and finished frames): `add` is to be added to the refcount of
// the object at `address`, already sent, which then carries kObjectBorrowedReferences. Sorted by
// address, each once in a frame; sent after the last SnapshotObjects frame (in several frames when
// they do not fit one).
struct SnapshotRefcountsRecord {
    struct Entry {
        std::uint64_t address = 0;
        std::uint32_t add = 0;
        bool operator==(const Entry&) const = default;
    };
    std::vector<Entry> entries;
    static constexpr std::size_t kEntryBytes = 12;
    void encode(Encoder& e) const
    {
        e.u32(static_cast<std::uint32_t>(entries.size()));
        for (const auto& x : entries) {
            e.u64(x.address);
            e.u32(x.add);
        }
    }
    bool decode(Decoder& d)
    {
        std::uint32_t n = 0;
        if (!d.u32(n) || n > d.remaining() / kEntryBytes)
            return false;
        entries.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            auto& x = entries[i];
            if (!d.u64(x.address) || !d.u32(x.add) || x.add == 0 || (i > 0 && x.address <= entries[i - 1].address))
                return false;
        }
        return d.atEnd();
    }
};

struct SnapshotEndRecord {
    std::uint32_t snapshotId = 0;
    std::uint64_t objectsSent = 0;
    std::uint64_t trackedObjects = 0; // of objectsSent, those the collector tracks
    std::uint64_t referencesSent = 0;
    std::uint32_t stringsSent = 0;
    // Child snapshots: the memory private to the child when it had encoded the snapshot, that is what
    // copy-on-write cost the system (pages the target wrote since the clone) plus the child's own.
    std::uint64_t extraMemoryBytes = 0;
    void encode(Encoder& e) const
    {
        e.u32(snapshotId);
        e.u64(objectsSent);
        e.u64(trackedObjects);
        e.u64(referencesSent);
        e.u32(stringsSent);
        e.u64(extraMemoryBytes);
    }
    bool decode(Decoder& d)
    {
        return d.u32(snapshotId) && d.u64(objectsSent) && d.u64(trackedObjects) && d.u64(referencesSent)
            && d.u32(stringsSent) && d.u64(extraMemoryBytes) && d.atEnd();
    }
};

// The string handed to the agent's start function at injection:
//   "v=1;sock=/tmp/gcscope-XXXX/agent.sock;token=<32 hex>"
// Keys may come in any order; unknown keys are ignored so newer profilers can add some.
struct AgentConfig {
    std::string socketPath;
    std::string token;

    std::string format() const { return "v=1;sock=" + socketPath + ";token=" + token; }

    static std::optional<AgentConfig> parse(std::string_view s)
    {
        AgentConfig c;
        bool version = false;
        while (!s.empty()) {
            auto semi = s.find(';');
            auto item = s.substr(0, semi);
            s = semi == std::string_view::npos ? std::string_view {} : s.substr(semi + 1);
            auto eq = item.find('=');
            if (eq == std::string_view::npos)
                return std::nullopt;
            auto key = item.substr(0, eq);
            auto value = item.substr(eq + 1);
            if (key == "v")
                version = value == "1";
            else if (key == "sock")
                c.socketPath = std::string(value);
            else if (key == "token")
                c.token = std::string(value);
        }
        if (!version || c.socketPath.empty() || c.token.size() != kTokenHexLength)
            return std::nullopt;
        for (char ch : c.token)
            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
                return std::nullopt;
        return c;
    }
};

} // namespace gcscope::wire
