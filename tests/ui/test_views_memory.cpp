// IdleMemoryReturn: gcscope-gui keeps what its analyses free (util::keepFreedMemory) while they
// run, and gives it back to the system once no view has work running. Real background jobs on the
// views' thread pool, real malloc, the process's own resident size.
#include "views/BackgroundJob.h"
#include "views/IdleMemoryReturn.h"

#include "util/huge_pages.h"

#include "test_views_support.h"

#include <cstdlib>
#include <fstream>
#include <future>
#include <string>

using namespace gcscope;
using namespace gcscope::ui;

namespace {

constexpr std::size_t kBlock = std::size_t { 256 } << 20;

std::size_t residentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    return 0;
}

// What an analysis does at 10M objects, in small: a big array made, written and freed.
int makeAndFreeABigBlock(const JobControl&)
{
    auto* block = static_cast<volatile unsigned char*>(std::malloc(kBlock));
    if (!block)
        throw std::bad_alloc();
    for (std::size_t i = 0; i < kBlock; i += 4096)
        block[i] = 1;
    std::free(const_cast<unsigned char*>(block));
    return 1;
}

// As gcscope-gui's main does, before any thread starts: every thread allocates from the one heap
// that keeps what is freed (a thread that got an arena of its own would map big blocks apart).
const bool keptFromTheStart = [] {
    util::useOneMallocArena();
    util::keepFreedMemory();
    return true;
}();

} // namespace

class ViewsMemoryTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(keptFromTheStart);
        IdleMemoryReturn::install(std::chrono::milliseconds(100), std::chrono::hours(1));
    }

    void givenAJobThatFreedABigBlock_whenTheViewsAreIdle_thenTheMemoryGoesBack()
    {
        const std::size_t base = residentBytes();
        std::size_t whenDone = 0;
        bool done = false;
        BackgroundJob job;
        job.start<int>(
            QStringLiteral("a big block"), makeAndFreeABigBlock,
            [&](int) {
                whenDone = residentBytes();
                done = true;
            },
            [](const QString& error) { QFAIL(qPrintable(error)); });
        const int before = IdleMemoryReturn::returns();
        QTRY_VERIFY_WITH_TIMEOUT(done, 10'000);
        // Kept while the job ran and right after: the next phase would have reused it.
        QVERIFY2(whenDone >= base + kBlock * 3 / 4,
            qPrintable(QStringLiteral("resident %1 MiB, %2 MiB before").arg(whenDone >> 20).arg(base >> 20)));
        QTRY_VERIFY_WITH_TIMEOUT(IdleMemoryReturn::returns() > before, 10'000);
        const std::size_t after = residentBytes();
        QVERIFY2(after + kBlock * 3 / 4 <= whenDone,
            qPrintable(QStringLiteral("resident %1 MiB after the return, %2 MiB before it")
                           .arg(after >> 20)
                           .arg(whenDone >> 20)));
    }

    void givenAJobRunning_whenActivityIsNoted_thenNothingIsReturnedUntilItStops()
    {
        QTest::qWait(500); // the return the last test's job asked for when it was destroyed
        std::promise<void> release;
        auto gate = release.get_future().share();
        bool done = false;
        BackgroundJob job;
        job.start<int>(
            QStringLiteral("waiting"),
            [gate](const JobControl&) {
                gate.wait();
                return 1;
            },
            [&](int) { done = true; }, [](const QString& error) { QFAIL(qPrintable(error)); });
        QTRY_VERIFY(BackgroundJob::pool()->activeThreadCount() > 0);
        const int before = IdleMemoryReturn::returns();
        IdleMemoryReturn::noteActivity();
        QTest::qWait(600); // six times the wait after activity
        QCOMPARE(IdleMemoryReturn::returns(), before);
        release.set_value();
        QTRY_VERIFY_WITH_TIMEOUT(done, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(IdleMemoryReturn::returns() > before, 10'000);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsMemoryTest)
#include "test_views_memory.moc"
