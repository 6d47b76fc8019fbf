// Dominator trees kept in the file (schema 7): snapshot_dominators and snapshot_dominator_chunks.
#include <gcscope/storage/KeptDominators.h>

#include "DominatorChunk.h"
#include "Keeping.h"
#include "Statement.h"

#include <gcscope/storage/Database.h>

#include <algorithm>

namespace gcscope::storage {

namespace {
constexpr int kFirstKeepingSchema = 7;
} // namespace

std::optional<KeptDominators> readKeptDominators(
    const Database& db, std::int64_t snapshotId, std::uint32_t rule, std::uint64_t objects)
{
    if (db.schemaVersion() < kFirstKeepingSchema)
        return std::nullopt;
    Statement header(db, "SELECT rule, objects, reachable FROM snapshot_dominators WHERE snapshot_id = ?1");
    header.bind(1, snapshotId);
    if (!header.step())
        return std::nullopt;
    const bool usable = header.integer(0) == static_cast<std::int64_t>(rule)
        && header.integer(1) == static_cast<std::int64_t>(objects) && header.integer(2) >= 0;
    KeptDominators kept;
    kept.reachable = static_cast<std::uint64_t>(header.integer(2));
    header.reset();
    if (!usable)
        return std::nullopt;
    kept.idom.resize(objects);
    kept.retained.resize(objects);
    Statement chunks(
        db, "SELECT first_id, objects, data FROM snapshot_dominator_chunks WHERE snapshot_id = ?1 ORDER BY first_id");
    chunks.bind(1, snapshotId);
    std::uint64_t next = 0;
    while (chunks.step()) {
        const std::int64_t first = chunks.integer(0), count = chunks.integer(1);
        if (first < 0 || static_cast<std::uint64_t>(first) != next || count <= 0
            || static_cast<std::uint64_t>(count) > objects - next) {
            chunks.reset();
            return std::nullopt;
        }
        const auto at = static_cast<std::size_t>(first);
        const auto n = static_cast<std::size_t>(count);
        if (!decodeDominatorChunk(static_cast<std::uint32_t>(first), objects, chunks.blob(2),
                std::span(kept.idom).subspan(at, n), std::span(kept.retained).subspan(at, n))) {
            chunks.reset();
            return std::nullopt;
        }
        next += n;
    }
    if (next != objects)
        return std::nullopt;
    const auto reachable = static_cast<std::uint64_t>(
        std::count_if(kept.idom.begin(), kept.idom.end(), [](std::uint32_t d) { return d != kKeptNoDominator; }));
    if (reachable != kept.reachable)
        return std::nullopt;
    return kept;
}

std::string keepDominators(const std::filesystem::path& path, std::int64_t snapshotId, std::uint32_t rule,
    std::uint64_t reachable, std::span<const std::uint32_t> idom, std::span<const std::uint64_t> retained)
{
    if (idom.size() != retained.size())
        return "the tree's two columns differ in length";
    return keepInFile(path, "keeping the dominator tree", [&](Database& db, bool& wrote) -> std::string {
        if (!holdsSnapshot(db, snapshotId, idom.size()))
            return "the file holds no such snapshot";
        // Kept already by this rule, and whole (another program kept it meanwhile): nothing to
        // write. A tree that does not read back (damaged) is replaced.
        if (readKeptDominators(db, snapshotId, rule, idom.size()))
            return {};
        {
            Statement drop(db, "DELETE FROM snapshot_dominator_chunks WHERE snapshot_id = ?1");
            drop.bind(1, snapshotId).run();
            Statement dropHeader(db, "DELETE FROM snapshot_dominators WHERE snapshot_id = ?1");
            dropHeader.bind(1, snapshotId).run();
        }
        Statement header(db,
            "INSERT INTO snapshot_dominators (snapshot_id, rule, objects, reachable, computed_ns, created_by) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        header.bind(1, snapshotId)
            .bind(2, static_cast<std::int64_t>(rule))
            .bind(3, static_cast<std::int64_t>(idom.size()))
            .bind(4, static_cast<std::int64_t>(reachable))
            .bind(5, keptNowNs())
            .bind(6, std::string_view("gcscope " GCSCOPE_VERSION))
            .run();
        Statement chunk(
            db, "INSERT INTO snapshot_dominator_chunks (snapshot_id, first_id, objects, data) VALUES (?1, ?2, ?3, ?4)");
        std::vector<unsigned char> data;
        for (std::size_t first = 0; first < idom.size(); first += kDominatorChunkObjects) {
            const std::size_t n = std::min<std::size_t>(kDominatorChunkObjects, idom.size() - first);
            data.clear();
            encodeDominatorChunk(
                static_cast<std::uint32_t>(first), idom.subspan(first, n), retained.subspan(first, n), data);
            chunk.bind(1, snapshotId)
                .bind(2, static_cast<std::int64_t>(first))
                .bind(3, static_cast<std::int64_t>(n))
                .bindBlobNoCopy(4, data)
                .run();
        }
        wrote = true;
        return {};
    });
}

} // namespace gcscope::storage
