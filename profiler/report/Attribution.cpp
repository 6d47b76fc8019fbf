#include "report/Attribution.h"
#include "snapshot/snapshot_store.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace gcscope::report {

using namespace analysis;

namespace {

constexpr std::size_t kMaxClimb = 256; // dominator levels walked up per instance

bool isTreeNode(ObjectId id)
{
    return id != kVirtualRoot && id != kNoObject;
}

// Votes needed: `majority` of the instances the growth added, as seen in the sample.
double voteBar(const OwnerQuery& q, std::size_t sampled, std::size_t reachable)
{
    double expected = static_cast<double>(sampled);
    if (q.grown > 0 && reachable > 0)
        expected *= std::min(1.0, static_cast<double>(q.grown) / static_cast<double>(reachable));
    return std::max(1.0, q.majority * expected);
}

double shareOf(std::size_t votes, const OwnerQuery& q, std::size_t sampled, std::size_t reachable)
{
    double expected = static_cast<double>(sampled);
    if (q.grown > 0 && reachable > 0)
        expected *= std::min(1.0, static_cast<double>(q.grown) / static_cast<double>(reachable));
    return expected > 0 ? std::min(1.0, static_cast<double>(votes) / expected) : 0;
}

// The lowest candidate that grew most (with an earlier snapshot) or has the most votes, or kNoObject.
ObjectId lowestCandidate(const HeapContext& heap, const std::unordered_map<ObjectId, std::size_t>& votes, double bar,
    const EarlierSizes* earlier)
{
    std::unordered_set<ObjectId> candidates;
    for (const auto& [o, n] : votes)
        if (static_cast<double>(n) >= bar)
            candidates.insert(o);
    std::unordered_set<ObjectId> hasCandidateBelow;
    for (ObjectId c : candidates) {
        ObjectId a = heap.dominators.idom[c];
        for (std::size_t steps = 0; isTreeNode(a) && steps < kMaxClimb; ++steps, a = heap.dominators.idom[a])
            if (candidates.count(a))
                hasCandidateBelow.insert(a);
    }
    ObjectId best = kNoObject;
    std::size_t bestVotes = 0;
    std::int64_t bestGrowth = 0;
    for (ObjectId c : candidates) {
        if (hasCandidateBelow.count(c))
            continue;
        const std::size_t n = votes.at(c);
        const std::int64_t grew = earlier ? earlier->growth(heap.graph, c) : 0;
        const bool better = best == kNoObject || grew > bestGrowth
            || (grew == bestGrowth && (n > bestVotes || (n == bestVotes && c < best)));
        if (better) {
            best = c;
            bestVotes = n;
            bestGrowth = grew;
        }
    }
    return best;
}

bool dominatedBy(const HeapContext& heap, ObjectId instance, ObjectId owner)
{
    ObjectId a = heap.dominators.idom[instance];
    for (std::size_t steps = 0; isTreeNode(a) && steps < kMaxClimb; ++steps, a = heap.dominators.idom[a])
        if (a == owner)
            return true;
    return false;
}

// The nearest collection on the instance's shortest retention path, or kNoObject.
ObjectId nearestCollection(const HeapContext& heap, ObjectId instance)
{
    const auto found = heap.paths.find(instance, 1);
    if (!found.reachable || found.paths.empty())
        return kNoObject;
    const auto& steps = found.paths.front().steps;
    for (std::size_t k = steps.size() - 1; k-- > 0;) {
        const ObjectId o = steps[k].object;
        if (heap.isCollection(o))
            return o;
        if (heap.isNamespace(o) || steps.size() - 1 - k > 8)
            return kNoObject;
    }
    return kNoObject;
}

} // namespace

EarlierSizes::EarlierSizes(const HeapGraph& earlier)
    : typeNames_(earlier.typeNames)
{
    std::vector<char> collection(typeNames_.size());
    for (std::size_t t = 0; t < typeNames_.size(); ++t)
        collection[t] = isCollectionTypeName(typeNames_[t]);
    for (ObjectId o : earlier.byAddress()) {
        if (!collection[earlier.type[o]])
            continue;
        if (snapshot::IdentityKey::fits(earlier.address[o], earlier.type[o]))
            entries_.push_back({ snapshot::IdentityKey::of(earlier.address[o], earlier.type[o]), earlier.size[o] });
        else
            wide_.push_back({ earlier.address[o], earlier.size[o], earlier.type[o] });
    }
}

EarlierSizes::EarlierSizes(std::vector<std::string> typeNames, std::vector<snapshot::ObjectSize> collections)
    : typeNames_(std::move(typeNames))
    , entries_(std::move(collections))
{
}

std::int64_t EarlierSizes::growth(const HeapGraph& now, ObjectId id) const
{
    const auto size = static_cast<std::int64_t>(now.size[id]);
    const auto address = now.address[id];
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), address,
        [](const snapshot::ObjectSize& e, std::uint64_t a) { return e.address() < a; });
    if (it != entries_.end() && it->address() == address)
        return typeNames_[it->type()] == now.typeName(id) ? size - static_cast<std::int64_t>(it->size) : size;
    const auto w = std::lower_bound(
        wide_.begin(), wide_.end(), address, [](const Wide& e, std::uint64_t a) { return e.address < a; });
    if (w != wide_.end() && w->address == address && typeNames_[w->type] == now.typeName(id))
        return size - static_cast<std::int64_t>(w->size);
    return size;
}

std::vector<ObjectId> spreadSample(std::span<const ObjectId> ids, std::size_t count)
{
    if (ids.size() <= count)
        return { ids.begin(), ids.end() };
    std::vector<ObjectId> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(ids[i * ids.size() / count]);
    return out;
}

OwnerResult findOwner(const HeapContext& heap, const OwnerQuery& q)
{
    OwnerResult result;
    std::vector<ObjectId> reachable;
    for (ObjectId o : q.instances)
        if (heap.dominators.isReachable(o))
            reachable.push_back(o);
    const auto sample = spreadSample(reachable, q.sample);
    result.sampled = sample.size();
    if (sample.empty())
        return result;
    const double bar = voteBar(q, sample.size(), reachable.size());

    std::unordered_map<ObjectId, std::size_t> votes;
    for (ObjectId s : sample) {
        ObjectId a = heap.dominators.idom[s];
        for (std::size_t steps = 0; isTreeNode(a) && steps < kMaxClimb; ++steps, a = heap.dominators.idom[a])
            ++votes[a];
    }
    ObjectId owner = lowestCandidate(heap, votes, bar, q.earlier);
    std::vector<ObjectId> held;
    if (owner != kNoObject && !heap.isNamespace(owner)) {
        result.method = "dominator";
        for (ObjectId s : sample)
            if (dominatedBy(heap, s, owner))
                held.push_back(s);
    } else {
        std::unordered_map<ObjectId, std::size_t> holders;
        std::vector<ObjectId> holderOf(sample.size(), kNoObject);
        for (std::size_t i = 0; i < sample.size(); ++i)
            if ((holderOf[i] = nearestCollection(heap, sample[i])) != kNoObject)
                ++holders[holderOf[i]];
        owner = kNoObject;
        std::size_t best = 0;
        for (const auto& [o, n] : holders)
            if (n > best || (n == best && o < owner)) {
                owner = o;
                best = n;
            }
        if (owner == kNoObject || static_cast<double>(best) < bar)
            return result;
        result.method = "holder";
        for (std::size_t i = 0; i < sample.size(); ++i)
            if (holderOf[i] == owner)
                held.push_back(sample[i]);
    }
    result.owner = owner;
    result.share = shareOf(held.size(), q, sample.size(), reachable.size());
    if (!held.empty())
        result.representative = held[held.size() / 2];
    return result;
}

std::uint64_t retainedSizeOf(const HeapContext& heap, std::span<const ObjectId> instances)
{
    std::unordered_set<ObjectId> members(instances.begin(), instances.end());
    std::uint64_t total = 0;
    for (ObjectId o : instances) {
        if (!heap.dominators.isReachable(o))
            continue;
        bool nested = false;
        ObjectId a = heap.dominators.idom[o];
        for (std::size_t steps = 0; isTreeNode(a) && steps < 64 && !nested; ++steps, a = heap.dominators.idom[a])
            nested = members.count(a) != 0;
        if (!nested)
            total += heap.dominators.retained[o];
    }
    return total;
}

EnclosingType enclosingType(const HeapContext& heap, std::span<const ObjectId> instances,
    const std::vector<std::uint8_t>& candidateTypes, std::size_t sampleSize)
{
    EnclosingType result;
    const auto sample = spreadSample(instances, sampleSize);
    std::unordered_map<std::uint32_t, std::size_t> votes;
    for (ObjectId s : sample) {
        if (!heap.dominators.isReachable(s))
            continue;
        ++result.sampled;
        const auto own = heap.graph.type[s];
        ObjectId a = heap.dominators.idom[s];
        for (std::size_t steps = 0; isTreeNode(a) && steps < 32; ++steps, a = heap.dominators.idom[a]) {
            const auto t = heap.graph.type[a];
            if (t != own && t < candidateTypes.size() && candidateTypes[t]) {
                ++votes[t];
                break;
            }
        }
    }
    for (const auto& [t, n] : votes)
        if (n > result.votes || (n == result.votes && t < result.type)) {
            result.type = t;
            result.votes = n;
        }
    return result;
}

} // namespace gcscope::report
