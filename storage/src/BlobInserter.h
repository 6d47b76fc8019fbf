// Runs a snapshot's blob inserts (object chunks, label chunks) on a thread of their own, so that
// the caller encodes the next chunks while SQLite writes the last ones and the kernel copies them
// into the page cache. On a 10M-object heap the two took about as long as each other, one after
// the other, on the thread that stores while references are still being resolved. The thread is
// woken once 32 chunks wait (or by drain()), and then inserts until none does.
//
// Only one thread uses the connection at a time: while items wait or run, the caller must not touch
// it; drain() returns once they are all done (SnapshotWriter drains before anything else it runs).
// An insert that fails stops the rest; push() and drain() then throw its error.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace gcscope::storage {

class Statement;

class BlobInserter {
public:
    // `inserted(bytes)` runs on the inserting thread after each insert (the writeback nudge).
    explicit BlobInserter(std::function<void(std::size_t bytes)> inserted);
    ~BlobInserter(); // drops what still waits and stops the thread
    BlobInserter(const BlobInserter&) = delete;
    BlobInserter& operator=(const BlobInserter&) = delete;

    // Binds ?1 snapshot, ?2 first, ?3 count, ?4 a copy of `blob`, and runs `statement`, in order
    // with the other items. Blocks while many wait.
    void push(Statement& statement, std::int64_t snapshot, std::int64_t first, std::int64_t count,
        std::span<const unsigned char> blob);
    // Waits until every item pushed has run.
    void drain();
    // Drops what waits and waits for the item running, if any: the connection is the caller's again.
    void cancel() noexcept;

private:
    struct Item {
        Statement* statement;
        std::int64_t snapshot, first, count;
        std::vector<unsigned char> blob;
    };
    void run();
    void rethrow(); // with the lock held

    std::function<void(std::size_t)> inserted_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Item> queue_;
    std::vector<std::vector<unsigned char>> spare_; // buffers of items done, for the next ones
    bool running_ = false; // the thread runs an item
    bool draining_ = false; // drain() waits: the thread inserts whatever waits, however few
    bool stop_ = false;
    std::exception_ptr error_;
    std::thread thread_; // started at the first push
};

} // namespace gcscope::storage
