#include "BlobInserter.h"

#include "Statement.h"

namespace gcscope::storage {

namespace {
// About 2 MiB of chunks ahead: enough to ride out a slow write, little memory.
constexpr std::size_t kMostWaiting = 384;
// The thread is woken when this many wait (or by drain()), and then inserts until none does. Woken
// for every chunk, it went to sleep after each one too: two context switches per 2 KiB chunk, some
// 25,000 chunks at 1M objects, each switch a trip to the hypervisor on a VM.
constexpr std::size_t kWakeAt = 32;
} // namespace

BlobInserter::BlobInserter(std::function<void(std::size_t bytes)> inserted)
    : inserted_(std::move(inserted))
{
}

BlobInserter::~BlobInserter()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        queue_.clear();
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void BlobInserter::rethrow()
{
    if (error_)
        std::rethrow_exception(error_);
}

void BlobInserter::push(Statement& statement, std::int64_t snapshot, std::int64_t first, std::int64_t count,
    std::span<const unsigned char> blob)
{
    std::unique_lock lock(mutex_);
    rethrow();
    changed_.wait(lock, [&] { return queue_.size() < kMostWaiting || error_; });
    rethrow();
    std::vector<unsigned char> copy;
    if (!spare_.empty()) {
        copy = std::move(spare_.back());
        spare_.pop_back();
    }
    copy.assign(blob.begin(), blob.end());
    queue_.push_back({ &statement, snapshot, first, count, std::move(copy) });
    if (!thread_.joinable())
        thread_ = std::thread([this] { run(); });
    const bool wake = queue_.size() >= kWakeAt;
    lock.unlock();
    if (wake)
        changed_.notify_all();
}

void BlobInserter::drain()
{
    std::unique_lock lock(mutex_);
    draining_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return (queue_.empty() && !running_) || error_; });
    draining_ = false;
    rethrow();
}

void BlobInserter::cancel() noexcept
{
    std::unique_lock lock(mutex_);
    queue_.clear();
    changed_.wait(lock, [&] { return !running_; });
}

void BlobInserter::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stop_ || queue_.size() >= kWakeAt || (draining_ && !queue_.empty()); });
        while (!stop_ && !queue_.empty()) {
            Item item = std::move(queue_.front());
            queue_.pop_front();
            running_ = true;
            const bool roomAgain = queue_.size() + 1 == kMostWaiting; // a push may wait for it
            lock.unlock();
            if (roomAgain)
                changed_.notify_all();
            std::exception_ptr failed;
            try {
                item.statement->bind(1, item.snapshot)
                    .bind(2, item.first)
                    .bind(3, item.count)
                    .bindBlobNoCopy(4, item.blob)
                    .run();
                if (inserted_)
                    inserted_(item.blob.size());
            } catch (...) {
                failed = std::current_exception();
            }
            lock.lock();
            running_ = false;
            if (failed) {
                error_ = failed;
                queue_.clear();
            }
            item.blob.clear();
            if (spare_.size() < kMostWaiting)
                spare_.push_back(std::move(item.blob));
        }
        if (stop_)
            return;
        changed_.notify_all(); // none waits: drain(), cancel() and push() may go on
    }
}

} // namespace gcscope::storage
