// The runtime's thread-list lock (HEAD_LOCK) from 3.13, a PyMutex: threads add and remove their
// states under it without holding the GIL. CPython takes it without detaching its thread state;
// PyMutex_Lock() would detach ours (release the GIL) while it waits, in the middle of a snapshot.
// So: a bounded spin on the lock's byte, as PyMutex's fast path does, and PyMutex_Unlock() to let go
// (it wakes a waiter that parked meanwhile). Holders keep it for a few instructions only.
#pragma once

#include "python_api.h"

#include <ctime>

namespace gcscope::agent::shared {

class HeadLock {
public:
    explicit HeadLock(PyMutex* mutex)
    {
        auto* bits = reinterpret_cast<unsigned char*>(mutex);
        for (int attempt = 0; attempt < 20000; ++attempt) {
            unsigned char expected = 0;
            if (__atomic_compare_exchange_n(bits, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                mutex_ = mutex;
                return;
            }
            if (attempt > 100) {
                timespec pause { 0, 5000 };
                nanosleep(&pause, nullptr);
            }
        }
    }
    ~HeadLock()
    {
        if (mutex_)
            py().PyMutex_Unlock(mutex_);
    }
    HeadLock(const HeadLock&) = delete;
    HeadLock& operator=(const HeadLock&) = delete;

    bool held() const { return mutex_ != nullptr; }

private:
    PyMutex* mutex_ = nullptr;
};

} // namespace gcscope::agent::shared
