#include "views/IdleMemoryReturn.h"

#include "views/BackgroundJob.h"

#include "util/huge_pages.h"

#include <QCoreApplication>
#include <QThreadPool>

#include <thread>

namespace gcscope::ui {
namespace {

IdleMemoryReturn* installed = nullptr;

} // namespace

std::atomic<bool> IdleMemoryReturn::working_ { false };
std::atomic<int> IdleMemoryReturn::returns_ { 0 };

IdleMemoryReturn::IdleMemoryReturn(std::chrono::milliseconds after, std::chrono::milliseconds every)
    : QObject(QCoreApplication::instance())
{
    soon_.setSingleShot(true);
    soon_.setInterval(after);
    periodic_.setInterval(every);
    connect(&soon_, &QTimer::timeout, this, &IdleMemoryReturn::tryNow);
    connect(&periodic_, &QTimer::timeout, this, &IdleMemoryReturn::tryNow);
    periodic_.start();
}

void IdleMemoryReturn::install(std::chrono::milliseconds after, std::chrono::milliseconds every)
{
    if (!installed)
        installed = new IdleMemoryReturn(after, every);
}

void IdleMemoryReturn::noteActivity()
{
    if (installed)
        installed->soon_.start();
}

int IdleMemoryReturn::returns()
{
    return returns_.load();
}

void IdleMemoryReturn::tryNow()
{
    // Work still running would only fault in again what it is given back; a job that is cancelled
    // but not yet stopped counts as running.
    if (BackgroundJob::pool()->activeThreadCount() > 0) {
        soon_.start();
        return;
    }
    if (working_.exchange(true))
        return;
    // malloc_trim walks the heap and unmaps its free pages: off the GUI thread, which may be
    // drawing meanwhile (it waits for the heap's lock only if it allocates).
    std::thread([] {
        util::returnFreedMemory();
        ++returns_;
        working_ = false;
    }).detach();
}

} // namespace gcscope::ui
