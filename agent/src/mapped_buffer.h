// Growable storage in its own anonymous mapping, for the heap snapshot's big buffers (the encoded
// objects, the string table, the walk's hash sets), which grow with the target's heap.
//
// Why not std::vector: the agent lives in someone else's process. Memory it frees goes back to the
// system at once instead of staying in the target's malloc arenas; growth is an mremap, not a copy;
// a buffer can be faulted in ahead of use (before the GIL is taken: first-touch page faults cost
// about 0.5 ms per MiB, as much as the walk itself); and a failed growth is an error the snapshot
// reports, where the agent's operator new would abort the target.
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace gcscope::agent {

class MappedBuffer {
public:
    MappedBuffer() = default;
    ~MappedBuffer() { release(); }
    MappedBuffer(MappedBuffer&& other) noexcept { *this = std::move(other); }
    MappedBuffer& operator=(MappedBuffer&& other) noexcept
    {
        if (this != &other) {
            release();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
            capacity_ = std::exchange(other.capacity_, 0);
            failed_ = std::exchange(other.failed_, false);
        }
        return *this;
    }
    MappedBuffer(const MappedBuffer&) = delete;
    MappedBuffer& operator=(const MappedBuffer&) = delete;

    // Capacity for at least `bytes`; false (and failed() from then on) when the system refuses.
    // With `prefault` the new memory is faulted in now rather than on first write. `hugePages` asks
    // for transparent huge pages: far fewer TLB misses for randomly accessed tables (costly in a VM),
    // but slow to fault in (the kernel may compact memory first), so only for memory prepared
    // before the GIL is taken.
    bool reserve(std::size_t bytes, bool prefault = false, bool hugePages = false);
    // A hint: capacity for `bytes`, faulted in now, if the system agrees; never fails the buffer.
    // In huge pages: it prepares a snapshot, before the GIL is taken or in the snapshot child.
    void prefault(std::size_t bytes) { remap(bytes, true, true); }
    // From now on every buffer of this process asks for huge pages, whether it is prepared or grows.
    // For the snapshot child only (SnapshotChild::enterChild): no GIL is held there and no thread
    // of the target waits on it, and a fresh 4 KiB page costs it 11 us on this project's VMs
    // (tests/bench/memory_costs.cpp) against a fraction of that in a huge page.
    static void askHugePagesAlways();

    // `n` more bytes at the end (uninitialised; fresh mappings read as zero), or null on failure.
    char* extend(std::size_t n)
    {
        if (n <= capacity_ - size_) {
            char* p = data_ + size_;
            size_ += n;
            return p;
        }
        return extendSlow(n);
    }
    bool append(const void* bytes, std::size_t n)
    {
        char* p = extend(n);
        if (p && n)
            std::memcpy(p, bytes, n);
        return p != nullptr;
    }
    void resize(std::size_t n) { size_ = n <= capacity_ ? n : size_; }
    // Drops the first `n` bytes (those sent, say): what follows moves to the front.
    void dropFront(std::size_t n)
    {
        if (n == 0 || n > size_)
            return;
        if (size_ > n)
            std::memmove(data_, data_ + n, size_ - n);
        size_ -= n;
    }

    char* data() { return data_; }
    const char* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    bool failed() const { return failed_; }

    void release();

private:
    char* extendSlow(std::size_t n);
    bool remap(std::size_t bytes, bool prefault, bool hugePages = false);

    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    bool failed_ = false;
};

// An array of trivially copyable values on a MappedBuffer.
template <typename T> class MappedArray {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    bool push_back(const T& value)
    {
        char* p = bytes_.extend(sizeof(T));
        if (!p)
            return false;
        std::memcpy(p, &value, sizeof(T));
        return true;
    }
    // `count` more values at the end, uninitialised (see MappedBuffer::extend), or null on failure.
    T* extend(std::size_t count) { return reinterpret_cast<T*>(bytes_.extend(count * sizeof(T))); }
    T pop_back()
    {
        T value = back();
        bytes_.resize(bytes_.size() - sizeof(T));
        return value;
    }
    // `count` zeroed values. Only for an array never used before: a fresh mapping reads as zero.
    bool assignZeroed(std::size_t count, bool prefault = false, bool hugePages = false)
    {
        if (bytes_.size() != 0 || !bytes_.reserve(count * sizeof(T), prefault, hugePages))
            return false;
        return bytes_.extend(count * sizeof(T)) != nullptr;
    }
    void prefault(std::size_t count) { bytes_.prefault(count * sizeof(T)); }
    T& operator[](std::size_t i) { return data()[i]; }
    const T& operator[](std::size_t i) const { return data()[i]; }
    T& back() { return data()[size() - 1]; }
    T* data() { return reinterpret_cast<T*>(bytes_.data()); }
    const T* data() const { return reinterpret_cast<const T*>(bytes_.data()); }
    std::size_t size() const { return bytes_.size() / sizeof(T); }
    bool empty() const { return bytes_.size() == 0; }
    void clear() { bytes_.resize(0); } // keeps the memory
    bool failed() const { return bytes_.failed(); }
    void release() { bytes_.release(); }

private:
    MappedBuffer bytes_;
};

} // namespace gcscope::agent
