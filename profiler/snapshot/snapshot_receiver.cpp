#include "snapshot/snapshot_receiver.h"

#include <limits>

namespace gcscope::snapshot {

namespace {
constexpr std::uint32_t kUnmapped = std::numeric_limits<std::uint32_t>::max();
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
        || type == MessageType::SnapshotObjects || type == MessageType::SnapshotEnd;
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
    if (typeOf_.size() <= stringId)
        typeOf_.resize(strings_.size(), kUnmapped);
    if (typeOf_[stringId] == kUnmapped)
        typeOf_[stringId] = builder_.internType(strings_[stringId]);
    return typeOf_[stringId];
}

std::uint32_t SnapshotReceiver::stringIndex(std::uint32_t stringId)
{
    if (stringId == 0)
        return 0;
    if (stringId >= strings_.size())
        return kUnmapped;
    if (stringOf_.size() <= stringId)
        stringOf_.resize(strings_.size(), kUnmapped);
    if (stringOf_[stringId] == kUnmapped)
        stringOf_[stringId] = builder_.internString(strings_[stringId]);
    return stringOf_[stringId];
}

std::uint32_t SnapshotReceiver::edgeLabel(std::uint32_t wireLabel)
{
    if (wireLabel == 0 || (wireLabel & wire::kEdgeIndexBit))
        return wireLabel;
    return stringIndex(wireLabel);
}

SnapshotReceiver::Status SnapshotReceiver::take(const session::Frame& frame)
{
    using wire::MessageType;
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
        if (b->objects < analysis::kMaxObjects)
            builder_.reserve(b->objects, b->references);
        return Status::More;
    }
    case MessageType::SnapshotStrings: {
        auto s = wire::decodeAs<wire::SnapshotStringsRecord>(frame.payload);
        if (!begun_ || !s || s->firstId != strings_.size())
            return fail("malformed snapshot string table from the agent");
        for (auto& text : s->strings)
            strings_.push_back(std::move(text));
        return Status::More;
    }
    case MessageType::SnapshotObjects: {
        auto batch = wire::decodeAs<wire::SnapshotObjectsRecord>(frame.payload);
        if (!begun_ || !batch)
            return fail("malformed snapshot objects from the agent");
        for (const auto& o : batch->objects) {
            const auto type = typeIndex(o.type);
            const auto label = stringIndex(o.label);
            if (type == kUnmapped || label == kUnmapped)
                return fail("the agent used a snapshot string before defining it");
            const auto id = builder_.addObject(o.address, type, o.size, o.refcount,
                static_cast<std::uint8_t>(o.flags
                    & (analysis::Tracked | analysis::HasFinalizer | analysis::ExplicitRoot | analysis::Immortal
                        | analysis::BorrowedReferences)),
                label);
            for (const auto& r : o.references) {
                const auto l = edgeLabel(r.label);
                if (l == kUnmapped)
                    return fail("the agent used a snapshot string before defining it");
                builder_.addEdgeToAddress(id, r.target, l);
            }
            references_ += o.references.size();
        }
        objects_ += batch->objects.size();
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

ReceivedSnapshot SnapshotReceiver::finish()
{
    ReceivedSnapshot out;
    out.begin = begin_;
    out.end = end_;
    out.graph = builder_.build();
    out.unresolvedReferences = builder_.unresolvedEdges();
    return out;
}

} // namespace gcscope::snapshot
