#include "analysis/HeapGraphBuilder.h"

#include "analysis/AddressOrder.h"

#include "util/phase_trace.h"
#include "util/prefault.h"
#include "util/release.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>

namespace gcscope::analysis {

namespace {
constexpr std::uint64_t kUnresolved = std::numeric_limits<std::uint64_t>::max();

// An edge count as edgeBegin holds it; more than a graph can hold is refused by name.
EdgeIndex edgeIndexOf(std::uint64_t count)
{
    if (count > kMaxEdges)
        throw std::length_error("too many references in one heap snapshot (at most 4294967295)");
    return static_cast<EdgeIndex>(count);
}
} // namespace

// Key -> ObjectId, open addressing with linear probing, probed ahead of use: the look-ups of
// millions of references miss the cache nearly every time, so callers ask for slots some
// references ahead. Sized for a load of about 0.7 (not the next power of two): at 30M objects that
// is 0.37 GB of fresh memory for address codes (AddressCodes.h, 8-byte slots), 0.55 GB for whole
// addresses (12-byte slots), where a power of two would double it, and its first touch costs more
// than the probes it saves. insert() says when a key is already there.
template <class Key> class KeyIndex {
public:
    explicit KeyIndex(std::size_t capacity)
        : size_(std::max<std::size_t>(16, capacity + capacity / 2))
        , wordCount_((size_ * kSlotBytes + 7) / 8)
        // Zeroed: every slot empty. calloc takes fresh pages as they are, without writing them, so
        // they are faulted in where first used (or ahead of it, by a Prefaulter).
        , words_(static_cast<std::uint64_t*>(std::calloc(wordCount_, sizeof(std::uint64_t))))
    {
        if (!words_)
            throw std::bad_alloc();
    }
    // Room for this many keys at the intended load.
    std::size_t capacity() const { return size_ - size_ / 3; }
    bool insert(Key key, ObjectId id)
    {
        std::size_t at = home(key);
        for (; storedAt(at) != 0; at = next(at))
            if (keyAt(at) == key)
                return false;
        const std::uint32_t stored = id + 1; // ids stop below kNoObject: never 0
        char* slot = bytes() + at * kSlotBytes;
        std::memcpy(slot, &key, sizeof key);
        std::memcpy(slot + sizeof key, &stored, sizeof stored);
        return true;
    }
    void prefetch(Key key) const { __builtin_prefetch(bytes() + home(key) * kSlotBytes); }
    ObjectId find(Key key) const
    {
        for (std::size_t at = home(key);; at = next(at)) {
            const std::uint32_t stored = storedAt(at);
            if (stored == 0 || keyAt(at) == key)
                return stored - 1; // 0 - 1 is kNoObject
        }
    }
    // The table's memory: for a Prefaulter, and as scratch for a sort once the table is done with.
    std::span<std::uint64_t> words() { return { words_.get(), wordCount_ }; }

private:
    static_assert(kNoObject == std::numeric_limits<std::uint32_t>::max());
    // A slot is a key and id + 1 (0: empty), unaligned when the key is an address: read and written
    // by memcpy.
    static constexpr std::size_t kSlotBytes = sizeof(Key) + sizeof(std::uint32_t);
    struct Free {
        void operator()(void* p) const { std::free(p); }
    };
    char* bytes() { return reinterpret_cast<char*>(words_.get()); }
    const char* bytes() const { return reinterpret_cast<const char*>(words_.get()); }
    Key keyAt(std::size_t at) const
    {
        Key k;
        std::memcpy(&k, bytes() + at * kSlotBytes, sizeof k);
        return k;
    }
    std::uint32_t storedAt(std::size_t at) const
    {
        std::uint32_t stored;
        std::memcpy(&stored, bytes() + at * kSlotBytes + sizeof(Key), sizeof stored);
        return stored;
    }
    // The hash scaled to [0, size_) by a multiply, not a mask: any table size will do.
    std::size_t home(Key key) const
    {
        __extension__ using Wide = unsigned __int128; // GCC and Clang on 64-bit targets
        const Wide hash = std::uint64_t { key } * 0x9E3779B97F4A7C15ull;
        return static_cast<std::size_t>((hash * size_) >> 64);
    }
    std::size_t next(std::size_t at) const { return at + 1 == size_ ? 0 : at + 1; }
    std::size_t size_;
    std::size_t wordCount_;
    std::unique_ptr<std::uint64_t[], Free> words_;
};

// Whole addresses: the general path's.
class AddressIndex : public KeyIndex<std::uint64_t> {
public:
    using KeyIndex::KeyIndex;
    // All of `addresses`, object i at addresses[i]; throws when two are the same.
    explicit AddressIndex(const std::vector<std::uint64_t>& addresses)
        : KeyIndex(addresses.size())
    {
        for (std::size_t i = 0; i < addresses.size(); ++i)
            if (!insert(addresses[i], static_cast<ObjectId>(i)))
                throwSharedAddress();
    }
};

// Address codes: the fast path's, for references by address.
class CodeIndex : public KeyIndex<std::uint32_t> {
public:
    using KeyIndex::KeyIndex;
};

HeapGraphBuilder::HeapGraphBuilder() = default;
HeapGraphBuilder::~HeapGraphBuilder() = default;
HeapGraphBuilder::HeapGraphBuilder(HeapGraphBuilder&&) noexcept = default;
HeapGraphBuilder& HeapGraphBuilder::operator=(HeapGraphBuilder&&) noexcept = default;

std::uint32_t HeapGraphBuilder::internType(std::string_view name)
{
    if (auto it = typeIndex_.find(name); it != typeIndex_.end())
        return it->second;
    auto index = static_cast<std::uint32_t>(graph_.typeNames.size());
    graph_.typeNames.emplace_back(name);
    typeIndex_.emplace(std::string(name), index);
    return index;
}

std::uint32_t HeapGraphBuilder::internString(std::string_view text)
{
    if (text.empty())
        return 0;
    if (auto it = stringIndex_.find(text); it != stringIndex_.end())
        return it->second;
    auto index = static_cast<std::uint32_t>(graph_.strings.size());
    // Index labels use the high bit, so name labels must stay below it.
    if (index >= kIndexLabelBit)
        throw std::length_error("too many distinct strings in one heap snapshot");
    graph_.strings.push_back(text);
    stringIndex_.emplace(std::string(text), index);
    return index;
}

void HeapGraphBuilder::adoptStrings(storage::StringTable strings)
{
    if (graph_.strings.size() > 1 || !stringIndex_.empty())
        throw std::logic_error("adoptStrings after strings were interned");
    if (strings.empty() || !strings[0].empty())
        throw std::invalid_argument("a snapshot string table must start with \"\"");
    if (strings.size() > kIndexLabelBit)
        throw std::length_error("too many distinct strings in one heap snapshot");
    graph_.strings = std::move(strings);
}

ObjectId HeapGraphBuilder::addObject(const ObjectInfo& object)
{
    return addObject(object.address, internType(object.type), object.size, object.refcount, object.flags,
        internString(object.label));
}

ObjectId HeapGraphBuilder::addObject(std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label)
{
    if (graph_.address.size() >= kMaxObjects)
        throw std::length_error("too many objects in one heap snapshot");
    auto id = static_cast<ObjectId>(graph_.address.size());
    if (fast_ && id > 0) // the previous object's references are complete
        graph_.edgeBegin.push_back(edgeIndexOf(fastByAddress_ ? fastCodes_.size() : graph_.edgeTarget.size()));
    graph_.address.push_back(address);
    graph_.type.push_back(type);
    graph_.size.push_back(size);
    graph_.refcount.push_back(refcount);
    graph_.flags.push_back(flags);
    graph_.label.push_back(label);
    if (liveIndex_ && (id + 1) % kIndexBatch == 0)
        indexUpTo(id + 1);
    return id;
}

void HeapGraphBuilder::indexAddressesAsAdded(std::size_t expected)
{
    if (liveIndex_ || !graph_.address.empty())
        return;
    liveIndex_ = std::make_unique<CodeIndex>(std::min(expected, kMostObjectsReserved));
    // What the stream will fill, faulted in ahead of it on a thread of its own: the index first
    // (written anywhere), then the arrays reserve() sized, at the pace they fill.
    if (fast_ && !fastById_)
        fastCodes_.reserve(edgeHint_);
    // At the lowest priority: the agent's walk and this receiver come first (util/prefault.h).
    startPrefaulter(liveIndex_->words(), util::Prefaulter::Priority::Background);
}

void HeapGraphBuilder::prefaultReserved()
{
    if (prefaulter_ || !graph_.address.empty() || !fast_ || fastByAddress_)
        return;
    graph_.edgeTarget.reserve(edgeHint_); // what the first addEdge would reserve
    startPrefaulter({}, util::Prefaulter::Priority::Caller);
}

void HeapGraphBuilder::startPrefaulter(std::span<std::uint64_t> index, util::Prefaulter::Priority priority)
{
    prefaulter_ = std::make_unique<util::Prefaulter>();
    if (!index.empty())
        prefaulter_->add(index.data(), index.size_bytes(), true);
    const auto reserved = [this](auto& v) { prefaulter_->add(v.data(), v.capacity() * sizeof(v[0])); };
    reserved(graph_.address);
    reserved(graph_.type);
    prefaulter_->add(graph_.size.reservedData(), graph_.size.reservedBytes());
    prefaulter_->add(graph_.refcount.reservedData(), graph_.refcount.reservedBytes());
    reserved(graph_.flags);
    reserved(graph_.label);
    reserved(graph_.edgeBegin);
    reserved(graph_.edgeLabel);
    reserved(fastCodes_);
    reserved(graph_.edgeTarget);
    prefaulter_->start(priority);
}

// A batch at a time: every slot of the batch is prefetched, then each is written, so that their
// cache and TLB misses overlap. Written one object at a time, with the stream's decoding between
// two, each insert waited out a miss of its own: at 10M objects 120 to 145 ns an object on this
// project's VMs, three quarters of the receiver's time, and a prefetch 16 objects ahead of the write
// did not change it (the decoding between filled the processor's window first).
void HeapGraphBuilder::indexUpTo(std::size_t objects)
{
    while (indexed_ < objects) {
        const std::size_t end = std::min(objects, indexed_ + kIndexBatch);
        if (end > liveIndex_->capacity()) { // more objects than expected: twice the room
            auto bigger = std::make_unique<CodeIndex>(std::max(2 * liveIndex_->capacity(), end));
            liveIndex_.reset(); // before the new one is written: one table's memory at a time, nearly
            for (std::size_t i = 0; i < indexed_; ++i)
                bigger->insert(codes_.code(graph_.address[i]), static_cast<ObjectId>(i));
            liveIndex_ = std::move(bigger);
        }
        std::uint32_t batch[kIndexBatch];
        for (std::size_t i = indexed_; i < end; ++i) {
            const std::uint32_t code = codes_.code(graph_.address[i]);
            if (code == AddressCodes::kNoCode) { // the general path indexes whole addresses
                leaveFastPath();
                return;
            }
            batch[i - indexed_] = code;
            liveIndex_->prefetch(code);
        }
        for (std::size_t k = 0; indexed_ < end; ++indexed_, ++k)
            if (!liveIndex_->insert(batch[k], static_cast<ObjectId>(indexed_)))
                sharedAddressSeen_ = true;
    }
}

void HeapGraphBuilder::addEdge(ObjectId from, ObjectId to, std::uint32_t label)
{
    if (fast_ && !fastByAddress_ && from + std::size_t { 1 } == graph_.address.size()) {
        if (!fastById_)
            graph_.edgeTarget.reserve(edgeHint_);
        fastById_ = true;
        graph_.edgeTarget.push_back(to);
        graph_.edgeLabel.push_back(label);
        return;
    }
    leaveFastPath();
    edges_.push_back({ from, to, label, false, false });
}

void HeapGraphBuilder::addEdgeToAddress(ObjectId from, std::uint64_t toAddress, std::uint32_t label)
{
    if (fast_ && !fastById_ && from + std::size_t { 1 } == graph_.address.size()) {
        const std::uint32_t code = codes_.code(toAddress);
        if (code != AddressCodes::kNoCode) {
            if (!fastByAddress_)
                fastCodes_.reserve(edgeHint_);
            fastByAddress_ = true;
            fastCodes_.push_back(code);
            graph_.edgeLabel.push_back(label);
            return;
        }
    }
    leaveFastPath();
    edges_.push_back({ from, toAddress, label, false, true });
    anyAddressEdge_ = true;
}

void HeapGraphBuilder::addEdgeByAddress(std::uint64_t fromAddress, std::uint64_t toAddress, std::uint32_t label)
{
    leaveFastPath();
    edges_.push_back({ fromAddress, toAddress, label, true, true });
    anyAddressEdge_ = true;
}

// Moves the edges the fast path holds to the general one, which takes them in any order.
void HeapGraphBuilder::leaveFastPath()
{
    if (!fast_)
        return;
    fast_ = false;
    const std::uint64_t count = graph_.edgeLabel.size();
    edges_.reserve(edges_.size() + count);
    for (std::size_t i = 0; i < graph_.edgeBegin.size() && count > 0; ++i) {
        const std::uint64_t end = i + 1 < graph_.edgeBegin.size() ? graph_.edgeBegin[i + 1] : count;
        for (std::uint64_t e = graph_.edgeBegin[i]; e < end; ++e)
            edges_.push_back({ i, fastByAddress_ ? codes_.address(fastCodes_[e]) : graph_.edgeTarget[e],
                graph_.edgeLabel[e], false, fastByAddress_ });
    }
    anyAddressEdge_ = anyAddressEdge_ || fastByAddress_;
    prefaulter_.reset();
    liveIndex_.reset(); // the general path builds its own
    util::release(graph_.edgeBegin);
    graph_.edgeBegin.push_back(0);
    util::release(graph_.edgeTarget);
    util::release(graph_.edgeLabel);
    util::release(fastCodes_);
}

void HeapGraphBuilder::reserve(std::size_t objects, std::size_t edges)
{
    // The counts are hints up to kMostObjectsReserved objects and this many references (60M for a
    // heap of about 10M tracked objects); beyond them the arrays grow as objects arrive. Reserving
    // only maps address space: pages cost memory once written.
    constexpr std::size_t kMostEdges = std::size_t { 1 } << 26;
    objects = std::min(objects, kMostObjectsReserved);
    edges = std::min(edges, kMostEdges);
    graph_.address.reserve(objects);
    graph_.type.reserve(objects);
    graph_.size.reserve(objects);
    graph_.refcount.reserve(objects);
    graph_.flags.reserve(objects);
    graph_.label.reserve(objects);
    edgeHint_ = edges;
    if (fast_) {
        graph_.edgeBegin.reserve(objects + 1);
        graph_.edgeLabel.reserve(edges);
    } else {
        edges_.reserve(edges);
    }
}

// The general path: every end given as an address becomes an ObjectId (or kUnresolved), through
// the fast path's table.
void HeapGraphBuilder::resolveAddresses()
{
    sortByAddress();
    if (!anyAddressEdge_)
        return;
    const AddressIndex index(graph_.address);
    const auto resolve = [&](std::uint64_t address) {
        const ObjectId id = index.find(address);
        return id == kNoObject ? kUnresolved : std::uint64_t { id };
    };
    for (auto& edge : edges_) {
        if (edge.fromIsAddress)
            edge.from = resolve(edge.from);
        if (edge.toIsAddress)
            edge.to = resolve(edge.to);
    }
}

// byAddress, and the check that no two objects share an address: 20 bytes per object while it
// sorts (the ids, a key and a spare key each), where pairs of address and id took 36.
void HeapGraphBuilder::sortByAddress(std::span<std::uint64_t> scratch)
{
    graph_.addressOrder.set(sortedByAddress(graph_.address, scratch));
}

// Fast path, references by address: each becomes an ObjectId, or is dropped (counted) when the
// snapshot holds no object there; edgeBegin closes up over the dropped ones. The ids are written
// over the address codes, in graph_.edgeTarget (which took fastCodes_'s memory): the k-th id kept
// goes to word k, and reference e's code, still to be read, is at word e >= k.
// Tells `ready` as objects get their final references: object i's are final once edgeBegin[i + 1]
// is rewritten.
void HeapGraphBuilder::resolveFastAddresses(const CodeIndex& index, ReadyObjects* ready)
{
    const auto n = graph_.address.size();
    auto& words = graph_.edgeTarget;
    const std::uint64_t count = words.size();
    constexpr std::uint64_t kAhead = 16;
    constexpr std::size_t kPublishEvery = std::size_t { 1 } << 15;
    std::uint64_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t begin = graph_.edgeBegin[i], end = graph_.edgeBegin[i + 1];
        graph_.edgeBegin[i] = static_cast<EdgeIndex>(kept); // at most what it was
        if (ready && i % kPublishEvery == 0)
            ready->publish(i);
        for (std::uint64_t e = begin; e < end; ++e) {
            if (e + kAhead < count)
                index.prefetch(words[e + kAhead]);
            const ObjectId to = index.find(words[e]);
            if (to == kNoObject) {
                ++unresolvedEdges_;
                continue;
            }
            words[kept] = to;
            graph_.edgeLabel[kept] = graph_.edgeLabel[e];
            ++kept;
        }
    }
    graph_.edgeBegin[n] = static_cast<EdgeIndex>(kept);
    // Shrinking in place: what runs alongside may be reading the arrays.
    words.resize(kept);
    graph_.edgeLabel.resize(kept);
    if (ready)
        ready->publish(n);
}

// The fast path by id (a stored snapshot): the references are final as they came.
void HeapGraphBuilder::finishFastPath()
{
    const auto n = graph_.address.size();
    if (n > 0)
        graph_.edgeBegin.push_back(edgeIndexOf(graph_.edgeTarget.size()));
    unresolvedEdges_ = 0;
    for (const ObjectId to : graph_.edgeTarget)
        if (to >= n)
            throw std::out_of_range("a heap snapshot edge names an object id that was never added");
    // No address order: its first reader makes it (AddressOrder.h).
}

template <typename Find> void HeapGraphBuilder::applyRefcountAdditions(Find&& find)
{
    for (const auto& addition : refcountAdditions_) {
        const ObjectId id = find(addition.address);
        if (id == kNoObject)
            continue;
        graph_.refcount[id] += addition.add;
        graph_.flags[id] |= BorrowedReferences;
    }
    util::release(refcountAdditions_);
}

void HeapGraphBuilder::addToRefcount(std::uint64_t address, std::int64_t add)
{
    refcountAdditions_.push_back({ address, add });
}

HeapGraph HeapGraphBuilder::build()
{
    return build(Alongside {});
}

HeapGraph HeapGraphBuilder::build(const Alongside& alongside)
{
    prefaulter_.reset(); // the stream has ended: what it did not reach is faulted in where used
    try {
        return buildOrThrow(alongside);
    } catch (...) {
        takeGraph(); // the builder starts from nothing again
        throw;
    }
}

HeapGraph HeapGraphBuilder::buildOrThrow(const Alongside& alongside)
{
    const auto n = graph_.address.size();
    for (std::size_t i = 0; i < n; ++i)
        if (graph_.type[i] >= graph_.typeNames.size() || graph_.label[i] >= graph_.strings.size())
            throw std::out_of_range("a heap snapshot object names a type or label that was never interned");
    if (fast_ && fastByAddress_) {
        // Every object by its address code, indexed as the objects came or now. One without a code
        // sends every reference to the general path (indexUpTo), which keeps whole addresses.
        if (!liveIndex_)
            liveIndex_ = std::make_unique<CodeIndex>(n);
        indexUpTo(n);
        if (fast_) {
            if (sharedAddressSeen_)
                throwSharedAddress();
            return buildFromAddresses(std::move(liveIndex_), alongside);
        }
    }
    liveIndex_.reset(); // references by id, or none: nothing to look up
    if (fast_)
        finishFastPath();
    else
        buildGeneral();
    if (!refcountAdditions_.empty())
        graph_.byAddress(); // many lookups
    applyRefcountAdditions([this](std::uint64_t address) { return graph_.find(address); });
    if (alongside) { // nothing left to overlap with: it runs on the whole graph
        ReadyObjects ready;
        ready.total_ = n;
        ready.publish(n);
        ready.finish(true);
        alongside(graph_, ready);
    }
    return takeGraph();
}

// A snapshot stream: references by address. Resolving them is most of the work, and whatever runs
// alongside (storing the snapshot) follows it object by object; byAddress is sorted after, while
// that is still catching up. Without anything alongside, the sort runs beside the resolving.
HeapGraph HeapGraphBuilder::buildFromAddresses(std::unique_ptr<CodeIndex> index, const Alongside& alongside)
{
    const auto n = graph_.address.size();
    if (n > 0)
        graph_.edgeBegin.push_back(edgeIndexOf(fastCodes_.size()));
    unresolvedEdges_ = 0;
    graph_.edgeTarget.swap(fastCodes_); // resolved in place: see resolveFastAddresses
    util::release(fastCodes_);
    {
        applyRefcountAdditions([&](std::uint64_t address) {
            const std::uint32_t code = codes_.find(address);
            return code == AddressCodes::kNoCode ? kNoObject : index->find(code);
        });
        util::markPhase("address index built");

        ReadyObjects ready;
        ready.total_ = n;
        std::exception_ptr alongsideFailed, sortFailed;
        std::thread beside;
        constexpr std::size_t kWorthAThread = 1u << 16;
        if (alongside)
            beside = std::thread([&] {
                try {
                    alongside(graph_, ready);
                } catch (...) {
                    alongsideFailed = std::current_exception();
                }
            });
        else if (n >= kWorthAThread && addressOrder_)
            beside = std::thread([&] {
                try {
                    sortByAddress();
                } catch (...) {
                    sortFailed = std::current_exception();
                }
            });
        std::exception_ptr buildFailed;
        try {
            resolveFastAddresses(*index, alongside ? &ready : nullptr);
            util::markPhase("references resolved");
            if (addressOrder_ && (alongside || n < kWorthAThread)) {
                // The table's memory, faulted in already, takes the sort's keys when it has room for
                // them (16 bytes an object; the table has about 12).
                if (index->words().size() < 2 * n)
                    index.reset();
                sortByAddress(index ? index->words() : std::span<std::uint64_t> {});
            }
            index.reset();
            if (addressOrder_)
                util::markPhase("sorted by address");
            ready.finish(true);
        } catch (...) {
            buildFailed = std::current_exception();
            ready.finish(false);
        }
        if (beside.joinable())
            beside.join();
        for (const auto& failed : { buildFailed, sortFailed, alongsideFailed })
            if (failed)
                std::rethrow_exception(failed);
    }
    // The room dropped references leave goes back to the system without a copy.
    util::releaseUnused(graph_.edgeTarget);
    util::releaseUnused(graph_.edgeLabel);
    return takeGraph();
}

// The general path: edges in any order, by id or by address.
void HeapGraphBuilder::buildGeneral()
{
    const auto n = graph_.address.size();
    resolveAddresses();

    // Counting sort by source: a stable placement keeps each object's edges in arrival order.
    unresolvedEdges_ = 0;
    std::vector<std::uint64_t> begin(n + 1, 0);
    for (auto& edge : edges_) {
        if (edge.from == kUnresolved || edge.to == kUnresolved) {
            ++unresolvedEdges_;
            continue;
        }
        if (edge.from >= n || edge.to >= n)
            throw std::out_of_range("a heap snapshot edge names an object id that was never added");
        ++begin[edge.from + 1];
    }
    for (std::size_t i = 0; i < n; ++i)
        begin[i + 1] += begin[i];
    const EdgeIndex edges = edgeIndexOf(begin[n]);
    graph_.edgeTarget.resize(edges);
    graph_.edgeLabel.resize(edges);
    {
        std::vector<std::uint64_t> cursor(begin.begin(), begin.end() - 1);
        for (const auto& edge : edges_) {
            if (edge.from == kUnresolved || edge.to == kUnresolved)
                continue;
            auto at = cursor[edge.from]++;
            graph_.edgeTarget[at] = static_cast<ObjectId>(edge.to);
            graph_.edgeLabel[at] = edge.label;
        }
    }
    graph_.edgeBegin.assign(begin.begin(), begin.end()); // below kMaxEdges: checked above
}

std::size_t ReadyObjects::waitFor(std::size_t objects) const
{
    objects = std::min(objects, total_);
    for (;;) {
        const std::size_t now = ready_.load(std::memory_order_acquire);
        if (now == kFailed)
            throwBuildFailed();
        if (now >= objects)
            return now;
        ready_.wait(now, std::memory_order_acquire);
    }
}

void ReadyObjects::waitForAll() const
{
    for (;;) {
        const int state = state_.load(std::memory_order_acquire);
        if (state == kBuilt)
            return;
        if (state == kBuildFailed)
            throwBuildFailed();
        state_.wait(state, std::memory_order_acquire);
    }
}

void ReadyObjects::throwBuildFailed()
{
    throw std::runtime_error("the heap graph could not be built");
}

void ReadyObjects::publish(std::size_t objects)
{
    ready_.store(objects, std::memory_order_release);
    ready_.notify_all();
}

void ReadyObjects::finish(bool built)
{
    if (!built)
        publish(kFailed);
    state_.store(built ? kBuilt : kBuildFailed, std::memory_order_release);
    state_.notify_all();
}

HeapGraph HeapGraphBuilder::takeGraph()
{
    HeapGraph out = std::move(graph_);
    graph_ = HeapGraph {};
    util::release(edges_);
    anyAddressEdge_ = false;
    fast_ = true;
    fastById_ = fastByAddress_ = false;
    util::release(fastCodes_);
    codes_ = AddressCodes {};
    prefaulter_.reset();
    liveIndex_.reset();
    indexed_ = 0;
    sharedAddressSeen_ = false;
    addressOrder_ = true;
    edgeHint_ = 0;
    typeIndex_.clear();
    stringIndex_.clear();
    return out;
}

} // namespace gcscope::analysis
