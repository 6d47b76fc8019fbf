// The start page's process list against real processes: a Python target appears with its version
// and "can attach", a process that is not Python does not, the filter finds it, and the model
// passes QAbstractItemModelTester through refreshes.
#include "test_app_support.h"

#include "app/ProcessListModel.h"
#include "app/ProcessPicker.h"

#include <QAbstractItemModelTester>
#include <QFileInfo>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace gcscope::ui;

class ProcessModelTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void GIVEN_a_running_python_target_WHEN_refreshed_THEN_it_is_listed_with_its_version_and_attachable();
    void GIVEN_a_process_that_is_not_python_WHEN_refreshed_THEN_it_is_not_listed();
    void GIVEN_a_python_only_the_portable_agent_serves_WHEN_refreshed_THEN_it_says_untested();
    void GIVEN_the_picker_WHEN_filtered_by_pid_THEN_only_that_process_shows_and_double_click_asks_to_attach();
};

void ProcessModelTest::GIVEN_a_python_only_the_portable_agent_serves_WHEN_refreshed_THEN_it_says_untested()
{
    // pyenv's 3.12 where this machine has it (no Debian package of 3.12 exists).
    const QString python = QStringLiteral("/root/.pyenv/versions/3.12.1/bin/python3.12");
    if (!QFileInfo(python).isExecutable())
        QSKIP("no CPython 3.12 here (pyenv's 3.12.1): nothing the portable form alone serves");
    if (test::ptraceProblem())
        QSKIP("ptrace is not permitted here");
    test::PythonTarget target(python, QStringLiteral("sleeper.py"));
    QVERIFY(target.waitReady());
    ProcessListModel model;
    QSignalSpy refreshed(&model, &ProcessListModel::refreshed);
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() == 1, 20000);
    const int row = model.rowOfPid(target.pid());
    QVERIFY(row >= 0);
    const QModelIndex attach = model.index(row, ProcessListModel::AttachColumn);
    QCOMPARE(attach.data().toString(), QStringLiteral("yes, portable, untested on this version"));
    QVERIFY(attach.data(Qt::ToolTipRole).toString().contains(QStringLiteral("not been tested on CPython 3.12.1")));
}

void ProcessModelTest::GIVEN_a_running_python_target_WHEN_refreshed_THEN_it_is_listed_with_its_version_and_attachable()
{
    const auto pythons = test::pythons();
    if (pythons.isEmpty())
        QSKIP("no CPython 3.11 here");
    std::vector<std::unique_ptr<test::PythonTarget>> targets;
    for (const auto& python : pythons) {
        targets.push_back(std::make_unique<test::PythonTarget>(python, QStringLiteral("sleeper.py")));
        QVERIFY2(targets.back()->waitReady(), qPrintable(python));
    }

    ProcessListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &ProcessListModel::refreshed);
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() == 1, 20000);
    for (const auto& target : targets) {
        const int row = model.rowOfPid(target->pid());
        QVERIFY2(row >= 0, "the target is listed");
        QCOMPARE(model.index(row, ProcessListModel::PidColumn).data().toLongLong(), target->pid());
        QVERIFY(model.index(row, ProcessListModel::PythonColumn).data().toString().startsWith(QStringLiteral("3.11.")));
        if (!test::ptraceProblem()) {
            QCOMPARE(model.index(row, ProcessListModel::AttachColumn).data().toString(),
                QStringLiteral("yes, exact (3.11)"));
            QVERIFY(model.index(row, 0).data(ProcessListModel::AttachableRole).toBool());
        }
        QVERIFY(
            model.index(row, ProcessListModel::CommandColumn).data().toString().contains(QStringLiteral("sleeper.py")));
    }

    // Refresh again after one target ended: it disappears, the model resets cleanly.
    const qint64 gone = targets.front()->pid();
    targets.erase(targets.begin());
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() == 2, 20000);
    QCOMPARE(model.rowOfPid(gone), -1);
}

void ProcessModelTest::GIVEN_a_process_that_is_not_python_WHEN_refreshed_THEN_it_is_not_listed()
{
    QProcess sleeper;
    sleeper.start(QStringLiteral("sleep"), { QStringLiteral("30") });
    QVERIFY(sleeper.waitForStarted());
    ProcessListModel model;
    QSignalSpy refreshed(&model, &ProcessListModel::refreshed);
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() == 1, 20000);
    QCOMPARE(model.rowOfPid(sleeper.processId()), -1);
    sleeper.kill();
    sleeper.waitForFinished();
}

void ProcessModelTest::
    GIVEN_the_picker_WHEN_filtered_by_pid_THEN_only_that_process_shows_and_double_click_asks_to_attach()
{
    const auto pythons = test::pythons();
    if (pythons.isEmpty())
        QSKIP("no CPython 3.11 here");
    if (auto problem = test::ptraceProblem())
        QSKIP(qPrintable(*problem));
    test::PythonTarget target(pythons.first(), QStringLiteral("sleeper.py"));
    QVERIFY(target.waitReady());

    ProcessPicker picker;
    picker.show();
    QSignalSpy refreshed(picker.model(), &ProcessListModel::refreshed);
    picker.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() == 1, 20000);
    auto* filter = picker.findChild<QLineEdit*>(QStringLiteral("processFilter"));
    QVERIFY(filter);
    filter->setText(QString::number(target.pid()));
    auto* table = picker.table();
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, 0).data().toLongLong(), target.pid());

    picker.selectPid(target.pid());
    QCOMPARE(picker.selectedPid(), std::optional<qint64>(target.pid()));
    QSignalSpy attach(&picker, &ProcessPicker::attachRequested);
    Q_EMIT table->doubleClicked(table->model()->index(0, 1));
    QCOMPARE(attach.count(), 1);
    QCOMPARE(attach.first().first().toLongLong(), target.pid());
}

QTEST_MAIN(ProcessModelTest)
#include "test_app_process_model.moc"
