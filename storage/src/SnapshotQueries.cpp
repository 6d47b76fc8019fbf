// Reader's heap snapshot queries (schema version 2; objects by chunks from version 5).
#include <gcscope/storage/Reader.h>

#include "LabelChunk.h"
#include "ReferenceBlob.h"
#include "SnapshotChunk.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>
#include <gcscope/storage/StorageError.h>
#include <gcscope/wire.h>

#include <limits>

namespace gcscope::storage {

namespace {
constexpr int kFirstSnapshotSchema = 2;

// Files before schema 4 say nothing of how a snapshot was taken: in the target, as all were then.
std::string snapshotColumns(const Database& db)
{
    return std::string("SELECT id, session_id, taken_ns, pause_ns, pid, python_version, objects, tracked_objects, "
                       "edges, flags, ingest_ns, label, ")
        + (db.schemaVersion() >= 4 ? "method, method_note, extra_memory" : "'in-process', NULL, NULL")
        + (db.schemaVersion() >= 7 ? ", (SELECT rule FROM snapshot_dominators d WHERE d.snapshot_id = snapshots.id)"
                                   : ", NULL")
        + (db.schemaVersion() >= 8 ? ", (SELECT rule FROM snapshot_garbage g WHERE g.snapshot_id = snapshots.id)"
                                   : ", NULL")
        + " FROM snapshots";
}

SnapshotInfo snapshotFrom(const Statement& row)
{
    SnapshotInfo s;
    s.id = row.integer(0);
    if (!row.isNull(1))
        s.sessionId = row.integer(1);
    s.takenNs = row.integer(2);
    s.pauseNs = row.integer(3);
    s.pid = row.integer(4);
    s.pythonVersion = row.text(5);
    s.objects = static_cast<std::uint64_t>(row.integer(6));
    s.trackedObjects = static_cast<std::uint64_t>(row.integer(7));
    s.references = static_cast<std::uint64_t>(row.integer(8));
    s.flags = static_cast<std::uint32_t>(row.integer(9));
    s.ingestNs = row.integer(10);
    if (!row.isNull(11))
        s.label = row.text(11);
    s.byChild = row.text(12) == "child";
    if (!row.isNull(13))
        s.methodNote = row.text(13);
    if (!row.isNull(14))
        s.extraMemoryBytes = static_cast<std::uint64_t>(row.integer(14));
    if (!row.isNull(15))
        s.dominatorRule = static_cast<std::uint32_t>(row.integer(15));
    if (!row.isNull(16))
        s.garbageRule = static_cast<std::uint32_t>(row.integer(16));
    s.edges = s.references;
    s.pauseMs = static_cast<double>(s.pauseNs) / 1e6;
    return s;
}

// Highest string id of a snapshot; the writer makes them 1..n, so it is also their number: the
// rows of snapshot_strings and, from schema 6, the labels of snapshot_label_chunks. (That the
// chunks' ids fill the gaps exactly, readSnapshotStrings checks.)
std::uint32_t lastStringId(const Database& db, std::int64_t snapshotId)
{
    Statement query(db, "SELECT count(*), coalesce(max(id), 0) FROM snapshot_strings WHERE snapshot_id = ?1");
    query.bind(1, snapshotId);
    query.step();
    const std::int64_t rows = query.integer(0);
    const std::int64_t lastRow = query.integer(1);
    query.reset();
    std::int64_t labels = 0;
    bool emptyChunk = false; // a label chunk of no strings is never the writer's
    if (db.schemaVersion() >= 6) {
        Statement chunks(db,
            "SELECT coalesce(sum(strings), 0), coalesce(min(strings), 1) FROM snapshot_label_chunks"
            " WHERE snapshot_id = ?1");
        chunks.bind(1, snapshotId);
        chunks.step();
        labels = chunks.integer(0);
        emptyChunk = chunks.integer(1) < 1;
        chunks.reset();
    }
    const std::int64_t total = rows + labels;
    if (emptyChunk || labels < 0 || lastRow > total || total > std::numeric_limits<std::uint32_t>::max()
        || (labels == 0 && lastRow != total))
        throw StorageError(db.path(),
            "corrupt (snapshot " + std::to_string(snapshotId) + " has " + std::to_string(total)
                + " strings with ids up to " + std::to_string(lastRow) + ")");
    return static_cast<std::uint32_t>(total);
}
} // namespace

std::vector<SnapshotInfo> Reader::snapshots() const
{
    std::vector<SnapshotInfo> result;
    if (db_.schemaVersion() < kFirstSnapshotSchema)
        return result;
    Statement query(db_, snapshotColumns(db_) + " ORDER BY id");
    while (query.step())
        result.push_back(snapshotFrom(query));
    return result;
}

std::optional<SnapshotInfo> Reader::snapshot(std::int64_t id) const
{
    if (db_.schemaVersion() < kFirstSnapshotSchema)
        return std::nullopt;
    Statement query(db_, snapshotColumns(db_) + " WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        return std::nullopt;
    SnapshotInfo s = snapshotFrom(query);
    query.reset();
    return s;
}

SnapshotInfo Reader::requireSnapshot(std::int64_t id) const
{
    std::optional<SnapshotInfo> s = snapshot(id);
    if (!s)
        throw StorageError(db_.path(), "no snapshot " + std::to_string(id));
    if (s->objects > std::uint64_t { std::numeric_limits<std::uint32_t>::max() } + 1)
        throw StorageError(db_.path(), "corrupt (snapshot " + std::to_string(id) + " claims too many objects)");
    return *s;
}

StringTable Reader::readSnapshotStrings(std::int64_t snapshotId, const std::function<void()>& between) const
{
    requireSnapshot(snapshotId);
    const std::uint64_t count = std::uint64_t { lastStringId(db_, snapshotId) } + 1;
    const auto corrupt = [&](const std::string& what) {
        return StorageError(db_.path(), "corrupt (snapshot " + std::to_string(snapshotId) + " " + what + ")");
    };
    // Every id 1..n exactly once: a few thousand rows (type and reference names), the labels in
    // chunks by id. The table is filled in id order, the rows merged in where their ids fall.
    std::vector<std::pair<std::uint32_t, std::string>> rows;
    Statement query(db_, "SELECT id, text FROM snapshot_strings WHERE snapshot_id = ?1 ORDER BY id");
    query.bind(1, snapshotId);
    while (query.step()) {
        const std::int64_t id = query.integer(0);
        if (id < 1 || static_cast<std::uint64_t>(id) >= count)
            throw corrupt("has string id " + std::to_string(id));
        rows.emplace_back(static_cast<std::uint32_t>(id), query.text(1));
    }
    StringTable strings;
    strings.reserve(count, 0);
    strings.push_back("");
    std::size_t nextRow = 0;
    const auto lacking = [&] {
        return corrupt("lacks strings: string " + std::to_string(strings.size()) + " of " + std::to_string(count - 1));
    };
    // The rows up to (not including) id, which must leave no gap.
    const auto placeRowsBefore = [&](std::uint64_t id) {
        for (; nextRow < rows.size() && rows[nextRow].first < id; ++nextRow) {
            if (rows[nextRow].first != strings.size())
                throw lacking();
            strings.push_back(rows[nextRow].second);
        }
    };
    if (db_.schemaVersion() >= 6 && rows.size() + 1 < count) {
        Statement chunks(
            db_, "SELECT first_id, strings, data FROM snapshot_label_chunks WHERE snapshot_id = ?1 ORDER BY first_id");
        chunks.bind(1, snapshotId);
        for (std::uint64_t chunk = 0; chunks.step(); ++chunk) {
            if (between && chunk > 0 && chunk % kStringChunksBetweenCalls == 0)
                between();
            const std::int64_t first = chunks.integer(0), labels = chunks.integer(1);
            if (first < 1 || labels < 1 || first > std::numeric_limits<std::uint32_t>::max()
                || labels > kLabelChunkStrings)
                throw corrupt("has a bad label chunk at string id " + std::to_string(first));
            bool clash = false;
            const bool read = readLabelChunk(static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(labels),
                chunks.blob(2), [&](std::uint32_t id, std::string_view text) {
                    if (clash)
                        return;
                    placeRowsBefore(id);
                    if (id >= count || id < strings.size() || (nextRow < rows.size() && rows[nextRow].first == id)) {
                        clash = true; // past the end, twice, or also a row
                        return;
                    }
                    if (id != strings.size())
                        throw lacking();
                    strings.push_back(text);
                });
            if (!read || clash)
                throw corrupt("has a bad label chunk at string id " + std::to_string(first));
        }
    }
    placeRowsBefore(count);
    if (strings.size() != count)
        throw lacking();
    return strings;
}

std::optional<std::vector<StoredTypeTotal>> Reader::snapshotTypeTotals(std::int64_t snapshotId) const
{
    const SnapshotInfo info = requireSnapshot(snapshotId);
    if (db_.schemaVersion() < 6)
        return std::nullopt;
    Statement query(db_,
        "SELECT t.type, s.text, t.objects, t.size FROM snapshot_types t"
        " LEFT JOIN snapshot_strings s ON s.snapshot_id = t.snapshot_id AND s.id = t.type"
        " WHERE t.snapshot_id = ?1 ORDER BY t.type");
    query.bind(1, snapshotId);
    std::vector<StoredTypeTotal> totals;
    std::uint64_t objects = 0;
    while (query.step()) {
        if (query.isNull(1) || query.integer(2) < 0 || query.integer(3) < 0)
            throw StorageError(db_.path(),
                "corrupt (snapshot " + std::to_string(snapshotId) + " has a bad type total for string id "
                    + std::to_string(query.integer(0)) + ")");
        totals.push_back({ query.text(1), static_cast<std::uint64_t>(query.integer(2)),
            static_cast<std::uint64_t>(query.integer(3)) });
        objects += totals.back().objects;
    }
    if (totals.empty() && info.objects > 0)
        return std::nullopt; // stored before schema 6
    if (objects != info.objects)
        throw StorageError(db_.path(),
            "corrupt (snapshot " + std::to_string(snapshotId) + " has " + std::to_string(info.objects)
                + " objects, its type totals " + std::to_string(objects) + ")");
    return totals;
}

namespace {
// One object's fields as stored, its references still encoded.
struct StoredRow {
    std::uint64_t address;
    std::int64_t type;
    std::uint64_t size;
    std::int64_t refcount;
    std::int64_t flags;
    std::int64_t label;
    std::span<const unsigned char> refs;
};

// "FILE: corrupt (snapshot S, object O: what)".
StorageError corruptObject(const Database& db, std::int64_t snapshotId, std::uint64_t object, const char* what)
{
    return StorageError(db.path(),
        "corrupt (snapshot " + std::to_string(snapshotId) + ", object " + std::to_string(object) + ": " + what + ")");
}

// Every stored object of the snapshot in id order, from its chunks (schema 5) or else its rows, the
// ids checked to run 0..n-1; `deliver` gets each with its id.
void forEachStoredRow(const Database& db, const SnapshotInfo& info,
    const std::function<void(std::uint64_t id, const StoredRow& row)>& deliver)
{
    const auto corrupt
        = [&](std::uint64_t object, const char* what) { return corruptObject(db, info.id, object, what); };
    std::uint64_t expected = 0;
    bool chunked = false;
    if (db.schemaVersion() >= 5) {
        // Schema 9 names each chunk's layout; older files have only 29-byte records.
        Statement chunks(db,
            db.schemaVersion() >= 9
                ? "SELECT first_id, objects, data, layout FROM snapshot_chunks WHERE snapshot_id = ?1 ORDER BY first_id"
                : "SELECT first_id, objects, data, 0 FROM snapshot_chunks WHERE snapshot_id = ?1 ORDER BY first_id");
        chunks.bind(1, info.id);
        ChunkView view;
        while (chunks.step()) {
            chunked = true;
            const std::int64_t first = chunks.integer(0);
            const std::int64_t count = chunks.integer(1);
            if (first != static_cast<std::int64_t>(expected) || count <= 0
                || static_cast<std::uint64_t>(count) > info.objects - expected)
                throw corrupt(expected, "ids are not 0..n-1");
            const auto n = static_cast<std::uint32_t>(count);
            const std::int64_t layout = chunks.integer(3);
            if (layout != static_cast<std::int64_t>(ChunkLayout::Records)
                && layout != static_cast<std::int64_t>(ChunkLayout::Packed))
                throw corrupt(expected, "unknown chunk layout");
            if (!view.open(chunks.blob(2), n, static_cast<ChunkLayout>(layout)))
                throw corrupt(expected, "bad chunk");
            // Past 2^63 a value reads negative, and is refused as one.
            for (std::uint32_t i = 0; i < n; ++i)
                deliver(expected++,
                    { view.address(i), static_cast<std::int64_t>(view.type(i)), view.size(i), view.refcount(i),
                        static_cast<std::int64_t>(view.flags(i)), static_cast<std::int64_t>(view.label(i)),
                        view.refs(i) });
        }
    }
    Statement query(db,
        "SELECT id, address, type, size, refcount, flags, label, refs FROM snapshot_objects"
        " WHERE snapshot_id = ?1 ORDER BY id");
    query.bind(1, info.id);
    while (!chunked && query.step()) {
        if (query.integer(0) != static_cast<std::int64_t>(expected) || expected >= info.objects)
            throw corrupt(expected, "ids are not 0..n-1");
        deliver(expected++,
            { static_cast<std::uint64_t>(query.integer(1)), query.integer(2),
                static_cast<std::uint64_t>(query.integer(3)), query.integer(4), query.integer(5), query.integer(6),
                query.blob(7) });
    }
    if (expected != info.objects)
        throw StorageError(db.path(),
            "corrupt (snapshot " + std::to_string(info.id) + " has " + std::to_string(expected)
                + " objects, its header says " + std::to_string(info.objects) + ")");
}
} // namespace

void Reader::forEachSnapshotObject(std::int64_t snapshotId, const std::function<void(const StoredObject&)>& visit) const
{
    const SnapshotInfo info = requireSnapshot(snapshotId);
    const std::uint32_t lastString = lastStringId(db_, snapshotId);
    const auto corrupt
        = [&](std::uint64_t object, const char* what) { return corruptObject(db_, snapshotId, object, what); };
    std::vector<StoredReference> refs;
    StoredObject object;
    // Checks one object's fields and references and hands it on.
    forEachStoredRow(db_, info, [&](std::uint64_t id, const StoredRow& row) {
        if (row.type < 0 || row.type > lastString || row.label < 0 || row.label > lastString)
            throw corrupt(id, "unknown string id");
        if (row.flags < 0 || row.flags > 0xff)
            throw corrupt(id, "bad flags");
        object.id = static_cast<std::uint32_t>(id);
        object.address = row.address;
        object.type = static_cast<std::uint32_t>(row.type);
        object.size = row.size;
        object.refcount = row.refcount;
        object.flags = static_cast<std::uint8_t>(row.flags);
        object.label = static_cast<std::uint32_t>(row.label);
        if (!decodeReferences(object.id, row.refs, refs))
            throw corrupt(id, "bad references blob");
        for (const StoredReference& r : refs)
            if (r.target >= info.objects || (!(r.label & wire::kEdgeIndexBit) && r.label > lastString))
                throw corrupt(id, "reference out of range");
        object.refs = refs;
        visit(object);
    });
}

void Reader::forEachSnapshotRecord(std::int64_t snapshotId, const std::function<void(const StoredRecord&)>& visit) const
{
    const SnapshotInfo info = requireSnapshot(snapshotId);
    const std::uint32_t lastString = lastStringId(db_, snapshotId);
    const auto corrupt
        = [&](std::uint64_t object, const char* what) { return corruptObject(db_, snapshotId, object, what); };
    StoredRecord record;
    forEachStoredRow(db_, info, [&](std::uint64_t id, const StoredRow& row) {
        if (row.type < 0 || row.type > lastString)
            throw corrupt(id, "unknown string id");
        if (row.flags < 0 || row.flags > 0xff)
            throw corrupt(id, "bad flags");
        // Two varints per reference: one byte in each ends one (its high bit clear).
        std::uint64_t ends = 0;
        for (const unsigned char b : row.refs)
            ends += (b & 0x80) == 0 ? 1 : 0;
        if ((ends & 1) != 0 || (!row.refs.empty() && (row.refs.back() & 0x80) != 0))
            throw corrupt(id, "bad references blob");
        record.id = static_cast<std::uint32_t>(id);
        record.address = row.address;
        record.type = static_cast<std::uint32_t>(row.type);
        record.size = row.size;
        record.flags = static_cast<std::uint8_t>(row.flags);
        record.references = static_cast<std::uint32_t>(std::min<std::uint64_t>(ends / 2, 0xFFFFFFFFu));
        visit(record);
    });
}

std::string Reader::snapshotString(std::int64_t snapshotId, std::uint32_t id) const
{
    if (id == 0)
        return {};
    Statement query(db_, "SELECT text FROM snapshot_strings WHERE snapshot_id = ?1 AND id = ?2");
    query.bind(1, snapshotId).bind(2, static_cast<std::int64_t>(id));
    if (!query.step())
        throw StorageError(db_.path(),
            "corrupt (snapshot " + std::to_string(snapshotId) + " has no string " + std::to_string(id) + ")");
    std::string text = query.text(0);
    query.reset();
    return text;
}

} // namespace gcscope::storage
