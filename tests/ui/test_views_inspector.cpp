// The object inspector over the last snapshot of a real recording of the leaking demo: every model
// passes QAbstractItemModelTester; a __main__.Request is kept alive through AuditLog.entries
// (edges "entries", "[i]") exactly as `gcscope paths` says; the trees fetch lazily; large types
// page; the dominator tree reveals the object; requests from other views are followed; stale loads
// are dropped.
#include "core/DocumentContext.h"
#include "util/thread_priority.h"
#include "views/BackgroundJob.h"
#include "views/DominatorTreeModel.h"
#include "views/InspectorView.h"
#include "views/InstanceListModel.h"
#include "views/ModelRoles.h"
#include "views/ReferenceTreeModel.h"
#include "views/RetentionPathModel.h"
#include "views/SnapshotAnalysis.h"
#include "views/SnapshotCache.h"
#include "views/TypeSummaryModel.h"

#include "test_views_support.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeView>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace gcscope::ui;
using gcscope::analysis::kNoObject;
using gcscope::analysis::ObjectId;

namespace {

struct Testers {
    std::vector<std::unique_ptr<QAbstractItemModelTester>> all;
    explicit Testers(const InspectorView& view)
    {
        for (QAbstractItemModel* m :
            std::initializer_list<QAbstractItemModel*> { view.typeModel(), view.typeProxy(), view.instanceModel(),
                view.pathModel(), view.referrersModel(), view.referentsModel(), view.dominatorModel() })
            all.push_back(
                std::make_unique<QAbstractItemModelTester>(m, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
};

} // namespace

class ViewsInspectorTest : public QObject {
    Q_OBJECT
private:
    QString db_;
    qint64 lastSnapshot_ = 0;

    void open(DocumentContext& context, InspectorView& view)
    {
        QSignalSpy loaded(&view, &InspectorView::loaded);
        context.setDatabasePath(db_);
        QVERIFY(test::waitFor([&] { return loaded.count() >= 1 && !view.isLoading(); }));
        QVERIFY(view.analysis());
    }

    void showRequest(DocumentContext& context, InspectorView& view)
    {
        context.requestInspectType(QStringLiteral("__main__.Request"));
        QVERIFY(view.currentObject() != kNoObject);
        QCOMPARE(QString::fromStdString(view.analysis()->graph.typeName(view.currentObject())),
            QStringLiteral("__main__.Request"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString skip;
        db_ = test::fixture("leaky.db", &skip);
        if (db_.isEmpty())
            QSKIP(qPrintable(skip));
        lastSnapshot_ = test::cliJson({ QStringLiteral("info"), db_ })
                            .value(QStringLiteral("snapshots"))
                            .toArray()
                            .last()
                            .toObject()
                            .value(QStringLiteral("id"))
                            .toInteger();
    }

    void givenTheLeakyDemo_whenARequestIsInspected_thenItsRetentionPathGoesThroughAuditLogEntries()
    {
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        view.resize(1280, 800);
        view.show();
        open(context, view);
        QCOMPARE(view.analysis()->info.id, lastSnapshot_); // the newest when none is chosen
        showRequest(context, view);

        const auto& paths = view.pathModel()->paths();
        QVERIFY(paths.reachable);
        QVERIFY(!paths.paths.empty());
        // Reading the shortest path: ... --entries--> list --[i]--> tuple --[1]--> Request.
        QStringList edges;
        const auto& steps = paths.paths[0].steps;
        for (std::size_t s = 0; s < steps.size(); ++s)
            edges << view.pathModel()->edgeInto(0, s);
        const int entries = edges.indexOf(QStringLiteral("entries"));
        QVERIFY2(entries > 0, qPrintable(edges.join(QStringLiteral(" → "))));
        const auto& g = view.analysis()->graph;
        QCOMPARE(QString::fromStdString(g.typeName(steps[static_cast<std::size_t>(entries)].object)),
            QStringLiteral("list"));
        const QRegularExpression index(QStringLiteral("^\\[\\d+\\]$"));
        QVERIFY(index.match(edges.value(entries + 1)).hasMatch());
        QCOMPARE(edges.last(), QStringLiteral("[1]")); // the (time, request) tuple's second item
        // The model shows the same as its rows: path row, then steps with the edge in column 0.
        const QModelIndex path0 = view.pathModel()->index(0, 0);
        QCOMPARE(view.pathModel()->rowCount(path0), static_cast<int>(steps.size()));
        QCOMPARE(view.pathModel()->index(entries, RetentionPathModel::StepColumn, path0).data().toString(),
            QStringLiteral("entries"));
        QVERIFY(view.pathModel()->index(entries, 0, path0).data(HighlightRole).toBool());

        // `gcscope paths --object ADDR --json` finds the same path.
        const auto address = g.address[view.currentObject()];
        const auto cli = test::cliJson({ QStringLiteral("paths"), db_, QStringLiteral("--object"),
            QStringLiteral("0x") + QString::number(address, 16) });
        QVERIFY(cli.value(QStringLiteral("reachable")).toBool());
        const auto cliSteps = cli.value(QStringLiteral("paths")).toArray().first().toArray();
        QCOMPARE(static_cast<std::size_t>(cliSteps.size()), steps.size());
        for (qsizetype s = 0; s < cliSteps.size(); ++s) {
            const auto o = cliSteps[s].toObject();
            QCOMPARE(o.value(QStringLiteral("address")).toString(),
                QStringLiteral("0x") + QString::number(g.address[steps[static_cast<std::size_t>(s)].object], 16));
            if (s > 0)
                QCOMPARE(
                    cliSteps[s - 1].toObject().value(QStringLiteral("edge")).toString(), edges[static_cast<int>(s)]);
        }
    }

    void givenAnInspectedObject_whenReferrersAreExpanded_thenChildrenArriveOnlyOnFetch()
    {
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        open(context, view);
        showRequest(context, view);
        auto* referrers = view.referrersModel();
        QVERIFY(referrers->rowCount() >= 1); // the first page of top-level rows
        // The highlighted first referrer is the tuple on the path; the view opened it along the path.
        const QModelIndex tuple = referrers->index(0, 0);
        QVERIFY(tuple.data(HighlightRole).toBool());
        QCOMPARE(tuple.data(TypeNameRole).toString(), QStringLiteral("tuple"));
        QCOMPARE(referrers->index(0, ReferenceTreeModel::EdgeColumn).data().toString(), QStringLiteral("[1]"));

        // A row nobody expanded has children to fetch, but none fetched yet.
        const QModelIndex plain = view.referentsModel()->index(0, 0);
        QVERIFY(plain.isValid());
        if (view.referentsModel()->hasChildren(plain)) {
            QCOMPARE(view.referentsModel()->rowCount(plain), 0);
            QVERIFY(view.referentsModel()->canFetchMore(plain));
            view.referentsModel()->fetchMore(plain);
            QVERIFY(view.referentsModel()->rowCount(plain) > 0);
            QVERIFY(!view.referentsModel()->canFetchMore(plain)
                || view.referentsModel()->rowCount(plain) == ObjectTreeModel::kPage);
        }
        // The referrers tree was expanded along the path only: the list behind the tuple holds it as [i].
        const QModelIndex list = referrers->index(0, 0, tuple);
        QVERIFY(list.isValid());
        QCOMPARE(list.data(TypeNameRole).toString(), QStringLiteral("list"));
        QVERIFY(view.referrersView()->isExpanded(tuple));
        QVERIFY(QRegularExpression(QStringLiteral("^\\[\\d+\\]$"))
                    .match(referrers->index(0, ReferenceTreeModel::EdgeColumn, tuple).data().toString())
                    .hasMatch());
        // The list is a big object: its referrers (what holds the audit log) sit one level up.
        QVERIFY(referrers->hasChildren(list));
    }

    void givenAThousandsStrongType_whenListed_thenInstancesArriveInPages()
    {
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        open(context, view);
        showRequest(context, view);
        auto* instances = view.instanceModel();
        QVERIFY2(instances->totalCount() > InstanceListModel::kPage, "the demo leaks thousands of requests");
        // Whole pages only (the view itself may fetch one more while laying out), not everything.
        const int shown = instances->rowCount();
        QVERIFY(shown >= InstanceListModel::kPage);
        QCOMPARE(shown % InstanceListModel::kPage, 0);
        QVERIFY(static_cast<std::size_t>(shown) < instances->totalCount());
        QVERIFY(instances->canFetchMore({}));
        instances->fetchMore({});
        QVERIFY(instances->rowCount() > shown);
        // Largest retained first; sorting by address reorders the whole list.
        instances->sort(InstanceListModel::AddressColumn, Qt::AscendingOrder);
        const auto first = instances->index(0, 0).data(AddressRole).toULongLong();
        const auto second = instances->index(1, 0).data(AddressRole).toULongLong();
        QVERIFY(first < second);
        // Revealing an instance far down fetches up to it.
        const auto type = view.analysis()->graph.type[view.currentObject()];
        const auto all = view.analysis()->types().instancesOf(type);
        instances->sort(InstanceListModel::RetainedColumn, Qt::DescendingOrder);
        // The last row: the smallest retained size; among equals (the sort is stable) the address order
        // of the sort before.
        const auto& retained = view.analysis()->dominators.retained;
        const auto& address = view.analysis()->graph.address;
        const auto last = *std::max_element(all.begin(), all.end(), [&](auto x, auto y) {
            return retained[x] != retained[y] ? retained[x] > retained[y] : address[x] < address[y];
        });
        const int row = instances->revealObject(last);
        QCOMPARE(row, static_cast<int>(all.size()) - 1);
        QCOMPARE(instances->rowCount(), row + 1);
        QCOMPARE(instances->index(row, 0).data(AddressRole).toULongLong(), address[last]);
    }

    void givenARequest_whenTheDominatorTreeRevealsIt_thenItsAncestorsRetainMore()
    {
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        open(context, view);
        showRequest(context, view);
        auto* tree = view.dominatorModel();
        const QModelIndex at = tree->reveal(view.currentObject());
        QVERIFY(at.isValid());
        QCOMPARE(tree->objectAt(at), view.currentObject());
        QCOMPARE(view.dominatorView()->currentIndex().siblingAtColumn(0), at);
        const auto& retained = view.analysis()->dominators.retained;
        for (QModelIndex p = at.parent(); p.isValid(); p = p.parent())
            QVERIFY(retained[tree->objectAt(p)] >= retained[tree->objectAt(at)]);
        // Top level: the roots, largest retained first.
        const auto a = retained[tree->objectAt(tree->index(0, 0))];
        const auto b = retained[tree->objectAt(tree->index(1, 0))];
        QVERIFY(a >= b);
        QVERIFY(!tree->index(0, DominatorTreeModel::ShareColumn).data().toString().isEmpty());
    }

    void givenAnAddress_whenAnotherViewAsksForIt_thenTheInspectorShowsThatObject()
    {
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        open(context, view);
        showRequest(context, view);
        const auto& g = view.analysis()->graph;
        // Any other object: the list holding the audit log entries.
        const auto& steps = view.pathModel()->paths().paths[0].steps;
        const auto list = steps[steps.size() - 3].object;
        QSignalSpy shown(&view, &InspectorView::objectShown);
        context.requestInspectObject(g.address[list]);
        QCOMPARE(view.currentObject(), list);
        QCOMPARE(shown.count(), 1);
        view.back();
        QCOMPARE(QString::fromStdString(g.typeName(view.currentObject())), QStringLiteral("__main__.Request"));
        view.forward();
        QCOMPARE(view.currentObject(), list);
    }

    void givenTwoJobsWantingOneAnalysis_whenTheOneComputingItIsCancelled_thenTheOtherGetsItMadeOnce()
    {
        // A view that reloads cancels its first job; the Leaks view may be waiting for the same
        // analysis. The computation goes on for it, instead of being thrown away and made again.
        struct Control : JobControl {
            std::atomic<bool> stop { false };
            mutable std::atomic<bool> began { false };
            mutable std::atomic<bool> progressed { false }; // told of the computation's progress
            bool slowStart = false;
            bool cancelled() const override { return stop.load(); }
            void progress(int, int, const QString&) const override
            {
                progressed = true;
                if (slowStart && !began.exchange(true)) // the load has begun: hold it while B joins
                    std::this_thread::sleep_for(std::chrono::seconds(1));
            }
        };
        SnapshotCache::instance().clear();
        const auto id = SnapshotCache::snapshotsIn(db_).back().id;
        const auto madeBefore = SnapshotCache::instance().made();
        Control a, b;
        a.slowStart = true;
        std::shared_ptr<const SnapshotAnalysis> forA, forB;
        bool aCancelled = false;
        QString bFailed;
        std::atomic<bool> bEnded { false };
        std::thread first([&] {
            try {
                forA = SnapshotCache::instance().analysis(db_, id, a);
            } catch (const JobCancelled&) {
                aCancelled = true;
            }
        });
        QVERIFY(test::waitFor([&] { return a.began.load(); }));
        std::thread second([&] {
            try {
                forB = SnapshotCache::instance().analysis(db_, id, b);
            } catch (const std::exception& e) {
                bFailed = QString::fromUtf8(e.what());
            } catch (const JobCancelled&) {
                bFailed = QStringLiteral("cancelled");
            }
            bEnded = true;
        });
        // A is cancelled once B has joined its computation (B is told of its progress from then on;
        // B may also find it done, if A got that far): cancelled before, A's computation would
        // rightly stop, and B make it again.
        QVERIFY(test::waitFor([&] { return b.progressed.load() || bEnded.load(); }));
        a.stop = true;
        first.join();
        second.join();
        QVERIFY2(bFailed.isEmpty(), qPrintable(bFailed));
        QVERIFY(forB);
        QCOMPARE(forB->info.id, id);
        QVERIFY(aCancelled || forA == forB);
        QCOMPARE(SnapshotCache::instance().made() - madeBefore, 2u); // one graph, one analysis
    }

    void givenASnapshotAnalysedOnce_whenAnalysedAgain_thenItsDominatorTreeIsReadFromTheFile()
    {
        // A copy: the fixture is shared with the other tests, which keep nothing in it.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString copy = dir.filePath(QStringLiteral("kept.db"));
        QVERIFY(QFile::copy(db_, copy));
        qputenv("GCSCOPE_KEEP_ANALYSES", "1");
        struct Control : JobControl {
            bool cancelled() const override { return false; }
            void progress(int, int, const QString&) const override { }
        } control;
        SnapshotCache::instance().clear();
        auto first = SnapshotCache::instance().analysis(copy, lastSnapshot_, control);
        QVERIFY(!first->dominatorsRead);
        finishKeeping(); // kept off the views' way, once the analysis was done
        SnapshotCache::instance().clear();
        auto again = SnapshotCache::instance().analysis(copy, lastSnapshot_, control);
        qputenv("GCSCOPE_KEEP_ANALYSES", "0");
        QVERIFY(again != first);
        QVERIFY(again->dominatorsRead);
        QVERIFY(again->dominators.idom == first->dominators.idom);
        QVERIFY(again->dominators.retained == first->dominators.retained);
        QCOMPARE(again->dominators.reachableCount, first->dominators.reachableCount);
        QVERIFY(again->types().types == first->types().types);
        QVERIFY(!again->types().types.empty());
        SnapshotCache::instance().clear();
    }

    // The analysis runs the dominators' chain, the longest, on the job's thread, and the paths' chain
    // on a thread of its own a little behind it (views/SnapshotAnalysis.cpp): with two processors the
    // Leaks view took 6.4 s instead of 6.9 on two 10M-object snapshots. The job's thread, which the
    // pool gives to the next job, keeps its priority, and no thread is left lowered. What only some
    // views show is left to them: the leak report needs none of it.
    void givenAnAnalysis_whenItRuns_thenOnlyItsSideChainYieldsAndTheJobThreadKeepsItsPriority()
    {
        struct Control : JobControl {
            mutable std::mutex mutex;
            mutable std::map<QString, int> niceOf; // phase -> the nice value of the thread that ran it
            bool cancelled() const override { return false; }
            void progress(int, int, const QString& text) const override
            {
                const int nice = gcscope::util::thisThreadNice();
                std::lock_guard lock(mutex);
                for (const char* phase : { "finding roots", "finding garbage", "finding cycles", "indexing referrers",
                         "indexing retention paths", "computing dominators", "summing types" })
                    if (text.contains(QLatin1String(phase)))
                        niceOf[QLatin1String(phase)] = nice;
            }
        } control;
        const auto threadsNice = [] {
            const auto all = gcscope::util::threadNices();
            return std::map<pid_t, int>(all.begin(), all.end());
        };
        const int base = gcscope::util::thisThreadNice();
        const auto before = threadsNice();
        SnapshotCache::instance().clear();
        auto a = SnapshotCache::instance().analysis(db_, lastSnapshot_, control);
        QVERIFY(a && a->paths && !a->dominators.idom.empty());
        QVERIFY(!a->unreachableFound()); // left to the views that show them
        QVERIFY(!a->typesSummed());
        QVERIFY(!a->cyclesFound());
        QCOMPARE(gcscope::util::thisThreadNice(), base);
        const auto noneLeftLowered = [&] {
            for (const auto& [tid, nice] : threadsNice())
                QVERIFY2(nice == (before.count(tid) ? before.at(tid) : base),
                    qPrintable(QStringLiteral("thread %1 left at nice %2").arg(tid).arg(nice)));
        };
        noneLeftLowered();
        {
            std::lock_guard lock(control.mutex);
            QCOMPARE(control.niceOf.size(), std::size_t { 4 });
            for (const char* phase : { "finding roots", "computing dominators" })
                QCOMPARE(control.niceOf.at(QLatin1String(phase)), base);
            const int behind = std::min(base + 5, gcscope::util::kLowestNice);
            for (const char* phase : { "indexing referrers", "indexing retention paths" })
                QCOMPARE(control.niceOf.at(QLatin1String(phase)), behind);
        }

        // The parts, for a view not shown: worked out on threads of their own that yield, which end
        // with them; the caller keeps its priority.
        workOutParts(*a, SnapshotParts { .unreachable = true, .types = true, .cycles = true }, true);
        QVERIFY(a->unreachableFound() && a->typesSummed() && a->cyclesFound());
        QVERIFY(!a->types().types.empty());
        QCOMPARE(gcscope::util::thisThreadNice(), base);
        noneLeftLowered();
        SnapshotCache::instance().clear();
    }

    // Loaded while its tab is not shown (gcscope-gui opening a file on the Leaks view), the inspector
    // still has every part it shows once loaded: the types, the tree's children, the garbage marks.
    void givenTheInspectorNotShown_whenAFileOpens_thenItsPartsAreWorkedOutAll()
    {
        SnapshotCache::instance().clear();
        DocumentContext context;
        InspectorView view(&context);
        open(context, view);
        QVERIFY(!view.isVisible());
        const auto a = view.analysis();
        QCOMPARE(a->info.id, lastSnapshot_);
        QVERIFY(a->typesSummed() && a->unreachableFound());
        QVERIFY(!a->cyclesFound()); // the cycles view's
        QVERIFY(view.typeModel()->rowCount() > 0);
        SnapshotCache::instance().clear();
    }

    void givenALoadUnderWay_whenTheSnapshotChangesOrIsCancelled_thenOnlyTheLatestIsShown()
    {
        SnapshotCache::instance().clear(); // make the loads take real time
        DocumentContext context;
        InspectorView view(&context);
        Testers testers(view);
        QSignalSpy loaded(&view, &InspectorView::loaded);
        context.setDatabasePath(db_);
        const auto snapshots = SnapshotCache::snapshotsIn(db_);
        context.setSnapshots(snapshots.front().id);
        QVERIFY(view.isLoading());
        context.setSnapshots(snapshots[1].id);
        QVERIFY(test::waitFor([&] { return !view.isLoading(); }));
        QTest::qWait(200);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(view.analysis()->info.id, snapshots[1].id);

        // Cancel: idle at once, and nothing arrives later.
        SnapshotCache::instance().clear();
        context.setSnapshots(snapshots.front().id);
        QVERIFY(view.isLoading());
        QToolButton* cancel = nullptr;
        for (auto* button : view.findChildren<QToolButton*>())
            if (button->text() == QStringLiteral("Cancel"))
                cancel = button;
        QVERIFY(cancel);
        cancel->click();
        QVERIFY(!view.isLoading());
        QTest::qWait(1500);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(view.analysis()->info.id, snapshots[1].id);
    }
};

GCSCOPE_VIEWS_TEST_MAIN(ViewsInspectorTest)
#include "test_views_inspector.moc"
