#include "snapshot/snapshot_receiver.h"

#include "util/phase_trace.h"

#include <algorithm>
#include <limits>

namespace gcscope::snapshot {

namespace {
constexpr std::uint32_t kUnmapped = std::numeric_limits<std::uint32_t>::max();
// The string table's room for each label the agent's estimate suggests (taken at its word only up to
// analysis::kMostObjectsReserved objects): past it the table grows as strings arrive.
constexpr std::uint64_t kReservedLabelBytes = 16;
static_assert(wire::kObjectTracked == analysis::Tracked && wire::kObjectHasFinalizer == analysis::HasFinalizer
        && wire::kObjectExplicitRoot == analysis::ExplicitRoot && wire::kObjectImmortal == analysis::Immortal
        && wire::kObjectBorrowedReferences == analysis::BorrowedReferences,
    "the wire flags and the analysis flags are the same bits");
static_assert(wire::kEdgeIndexBit == analysis::kIndexLabelBit);
} // namespace

SnapshotReceiver::SnapshotReceiver(std::uint32_t snapshotId)
    : id_(snapshotId)
{
}

bool SnapshotReceiver::isSnapshotFrame(wire::MessageType type)
{
    using wire::MessageType;
    return type == MessageType::SnapshotBegin || type == MessageType::SnapshotStrings
        || type == MessageType::SnapshotObjects || type == MessageType::SnapshotRefcounts
        || type == MessageType::SnapshotEnd;
}

SnapshotReceiver::Status SnapshotReceiver::fail(std::string message)
{
    error_ = std::move(message);
    return Status::Failed;
}

std::uint32_t SnapshotReceiver::typeIndex(std::uint32_t stringId)
{
    if (stringId >= strings_.size())
        return kUnmapped;
    return typeOf_.of(stringId, [this](std::uint32_t id) { return builder_.internType(strings_[id]); });
}

// The graph takes the agent's string table as it is (SnapshotReceiver::finish), so a label's id is
// its index there: all that is checked is that the agent defined it first.
std::uint32_t SnapshotReceiver::stringIndex(std::uint32_t stringId) const
{
    return stringId < strings_.size() ? stringId : kUnmapped;
}

std::uint32_t SnapshotReceiver::edgeLabel(std::uint32_t wireLabel) const
{
    if (wireLabel == 0 || (wireLabel & wire::kEdgeIndexBit))
        return wireLabel;
    return stringIndex(wireLabel);
}

SnapshotReceiver::Status SnapshotReceiver::take(const session::Frame& frame)
{
    using wire::MessageType;
    bytes_ += frame.payload.size();
    switch (frame.type) {
    case MessageType::Error: {
        auto e = wire::decodeAs<wire::ErrorRecord>(frame.payload);
        return fail("the agent could not take the snapshot: " + (e ? e->message : std::string("unknown error")));
    }
    case MessageType::SnapshotBegin: {
        auto b = wire::decodeAs<wire::SnapshotBeginRecord>(frame.payload);
        if (!b || b->snapshotId != id_ || begun_)
            return fail("malformed snapshot start from the agent");
        begin_ = *b;
        begun_ = true;
        if (util::phasesTraced())
            util::markPhase("snapshot begun (" + std::to_string(b->expectedObjects) + " objects and "
                + std::to_string(b->expectedReferences) + " references expected)");
        if (b->expectedObjects < analysis::kMaxObjects && b->expectedReferences < analysis::kMaxObjects * 16) {
            builder_.reserve(b->expectedObjects, b->expectedReferences);
            // References come by address: the index fills while the stream arrives, with time to spare
            // (the agent's walk sets the pace), instead of after it.
            builder_.indexAddressesAsAdded(b->expectedObjects);
            // Labels (a str's preview, a number) are one an object at most, some 11 bytes each on a
            // service heap: room for them up front maps address space only, where growing the table
            // by doubling copied it and faulted in its fresh pages about twice (at 1M objects, 30 MB
            // on the receiving thread).
            const auto labels = std::min<std::uint64_t>(b->expectedObjects, analysis::kMostObjectsReserved);
            strings_.reserve(labels + 1, labels * kReservedLabelBytes);
        }
        return Status::More;
    }
    case MessageType::SnapshotStrings: {
        auto s = wire::decodeAs<wire::SnapshotStringsRecord>(frame.payload);
        if (!begun_ || !s || s->firstId != strings_.size())
            return fail("malformed snapshot string table from the agent");
        for (const auto& text : s->strings)
            strings_.push_back(text);
        return Status::More;
    }
    case MessageType::SnapshotObjects: {
        if (!begun_ || refcountsTaken_)
            return fail("malformed snapshot objects from the agent");
        // Read in place: a snapshot of millions of objects must not cost a vector per object.
        struct Visitor {
            SnapshotReceiver& r;
            analysis::ObjectId id = 0;
            bool undefined = false;
            bool object(const wire::SnapshotObject& o, std::uint32_t references)
            {
                if (o.flags & wire::kObjectContinued) { // more references of the object before
                    if (r.lastObject_ == analysis::kNoObject || o.address != r.lastAddress_)
                        return false;
                    id = r.lastObject_;
                    r.references_ += references;
                    return true;
                }
                const auto type = r.typeIndex(o.type);
                const auto label = r.stringIndex(o.label);
                if (type == kUnmapped || label == kUnmapped)
                    return !(undefined = true);
                id = r.builder_.addObject(o.address, type, o.size, o.refcount,
                    static_cast<std::uint8_t>(o.flags
                        & (analysis::Tracked | analysis::HasFinalizer | analysis::ExplicitRoot | analysis::Immortal
                            | analysis::BorrowedReferences)),
                    label);
                r.lastObject_ = id;
                r.lastAddress_ = o.address;
                ++r.objects_;
                r.references_ += references;
                return true;
            }
            bool reference(std::uint64_t target, std::uint32_t label)
            {
                const auto l = r.edgeLabel(label);
                if (l == kUnmapped)
                    return !(undefined = true);
                r.builder_.addEdgeToAddress(id, target, l);
                return true;
            }
        } visitor { *this };
        wire::Decoder decoder(frame.payload);
        if (!wire::SnapshotObjectsRecord::visit(decoder, visitor))
            return fail(visitor.undefined ? "the agent used a snapshot string before defining it"
                                          : "malformed snapshot objects from the agent");
        return Status::More;
    }
    case MessageType::SnapshotRefcounts: {
        auto r = wire::decodeAs<wire::SnapshotRefcountsRecord>(frame.payload);
        if (!begun_ || !r)
            return fail("malformed snapshot refcounts from the agent");
        for (const auto& entry : r->entries)
            builder_.addToRefcount(entry.address, static_cast<std::int64_t>(entry.add));
        refcountsTaken_ = true; // no objects after them
        return Status::More;
    }
    case MessageType::SnapshotEnd: {
        auto e = wire::decodeAs<wire::SnapshotEndRecord>(frame.payload);
        if (!begun_ || !e || e->snapshotId != id_)
            return fail("malformed snapshot end from the agent");
        if (e->objectsSent != objects_ || e->referencesSent != references_)
            return fail("the snapshot arrived incomplete (" + std::to_string(objects_) + " of "
                + std::to_string(e->objectsSent) + " objects)");
        end_ = *e;
        return Status::Done;
    }
    default:
        return Status::More;
    }
}

ReceivedSnapshot SnapshotReceiver::finish(const WhileBuilding& alongside)
{
    ReceivedSnapshot out;
    out.begin = begin_;
    out.end = end_;
    builder_.adoptStrings(std::move(strings_));
    strings_ = storage::StringTable { "" };
    // The agent cannot know which of the objects its refcount corrections name were sent (those of
    // its own, left out, were not): the builder leaves the others alone, as references to them.
    if (alongside)
        out.graph = builder_.build([&](const analysis::HeapGraph& graph, const analysis::ReadyObjects& ready) {
            alongside(out, graph, ready);
        });
    else
        out.graph = builder_.build();
    out.unresolvedReferences = builder_.unresolvedEdges();
    return out;
}

} // namespace gcscope::snapshot
