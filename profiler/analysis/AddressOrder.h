// A snapshot's objects in address order (HeapGraph::byAddress), and the sort that makes it.
//
// Only finding an object by its address (HeapGraph::find), pairing two snapshots' objects
// (Comparison) and the report's evidence read a graph in address order. A graph built from a stream
// sorts while the stream's references are resolved, where it costs nothing; a graph loaded from a
// file leaves the order to its first reader: top, cycles, paths and the Inspector never need it, and
// at 30M objects the sort is 0.5 to 0.8 s of a load.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace gcscope::analysis {

using ObjectId = std::uint32_t;

[[noreturn]] void throwSharedAddress(); // std::invalid_argument, naming the fault

// Every index of `address` ordered by address. Throws std::invalid_argument when two are equal.
// `scratch`, when it holds at least 2 * address.size() words, is the sort's to use; else it takes
// 16 bytes per object of its own while it runs.
std::vector<ObjectId> sortedByAddress(const std::vector<std::uint64_t>& address, std::span<std::uint64_t> scratch = {});

// The order, made once, by whichever thread asks first (the others wait for it), or given. Copies
// take the order made so far; a moved-from one is empty.
class AddressOrder {
public:
    AddressOrder();
    AddressOrder(const AddressOrder& other);
    AddressOrder& operator=(const AddressOrder& other);
    AddressOrder(AddressOrder&& other) noexcept = default;
    AddressOrder& operator=(AddressOrder&& other) noexcept = default;

    // The order of these addresses (its graph's), sorted if it is not made yet; an exception from
    // the sort (a shared address) leaves it unmade.
    const std::vector<ObjectId>& get(const std::vector<std::uint64_t>& address) const;
    void set(std::vector<ObjectId> ids);
    bool made() const { return state_ && state_->made.load(std::memory_order_acquire); }

private:
    struct State {
        std::mutex mutex;
        std::atomic<bool> made { false };
        std::vector<ObjectId> ids;
    };
    std::unique_ptr<State> state_;
};

} // namespace gcscope::analysis
