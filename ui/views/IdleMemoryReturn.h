// gcscope-gui keeps the memory it frees (util::keepFreedMemory), so that each phase of an analysis
// reuses what the one before freed instead of having the kernel clear fresh pages. When no view has
// work running, this gives the heap's free memory back to the system: an idle window holds what its
// views show, and no more. It looks a short while after each job stops (its temporaries are free
// then) and once a minute (a document closed, a recording's snapshot stored).
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <chrono>

namespace gcscope::ui {

class IdleMemoryReturn : public QObject {
    Q_OBJECT
public:
    // Starts returning memory, `after` a job stops and every `every`. Call once, on the GUI thread,
    // in a process that called util::keepFreedMemory; without it noteActivity does nothing.
    static void install(std::chrono::milliseconds after = std::chrono::seconds(3),
        std::chrono::milliseconds every = std::chrono::minutes(1));
    // Something may have freed memory (a job stopped, a view closed): look again `after` from now.
    // GUI thread only.
    static void noteActivity();
    // How many times memory was given back (for tests).
    static int returns();

private:
    IdleMemoryReturn(std::chrono::milliseconds after, std::chrono::milliseconds every);
    void tryNow();

    QTimer soon_;
    QTimer periodic_;
    // Static: a return still working when the application ends outlives this object.
    static std::atomic<bool> working_;
    static std::atomic<int> returns_;
};

} // namespace gcscope::ui
