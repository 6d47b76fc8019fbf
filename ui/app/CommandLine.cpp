#include "app/CommandLine.h"

#include <QCommandLineParser>

namespace gcscope::ui {

ParsedCommandLine parseCommandLine(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("gcscope: GC and heap profiler for running CPython processes"));
    const QCommandLineOption help({ QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), QStringLiteral("Print the version and exit."));
    const QCommandLineOption attach(QStringLiteral("attach"),
        QStringLiteral("Attach to the Python process PID and record it."), QStringLiteral("PID"));
    const QCommandLineOption demo(
        QStringLiteral("demo"), QStringLiteral("Start the bundled leaking demo service and record it live."));
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"), QStringLiteral("Save a grab of the window, then quit."), QStringLiteral("PATH"));
    QCommandLineOption delay(QStringLiteral("screenshot-delay"), QStringLiteral("Wait before the grab."),
        QStringLiteral("MS"), QStringLiteral("3000"));
    QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Show this tab."), QStringLiteral("NAME"));
    QCommandLineOption untilLoaded(QStringLiteral("until-loaded"),
        QStringLiteral(
            "Quit once the --tab view has loaded, saying when (status 1, saying why, should it fail to load)."));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size."), QStringLiteral("WxH"));
    QCommandLineOption palette(QStringLiteral("palette"), QStringLiteral("dark or light."), QStringLiteral("NAME"));
    for (auto* hidden : { &screenshot, &delay, &tab, &untilLoaded, &size, &palette })
        hidden->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({ help, version, attach, demo, screenshot, delay, tab, untilLoaded, size, palette });
    parser.addPositionalArgument(
        QStringLiteral("file"), QStringLiteral("A gcscope recording to open."), QStringLiteral("[FILE.db]"));

    ParsedCommandLine result;
    auto usageError = [&](const QString& message) {
        result.action = ParsedCommandLine::Action::Exit;
        result.exitCode = 2;
        result.output = QStringLiteral("gcscope-gui: error: %1\nRun 'gcscope-gui --help' for usage.\n").arg(message);
        return result;
    };
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        result.action = ParsedCommandLine::Action::Exit;
        // Without an application object the parser cannot know our name.
        result.output = parser.helpText().replace(QStringLiteral("<executable_name>"), QStringLiteral("gcscope-gui"));
        return result;
    }
    if (parser.isSet(version)) {
        result.action = ParsedCommandLine::Action::Exit;
        result.output = QStringLiteral("gcscope-gui %1\n").arg(QStringLiteral(GCSCOPE_VERSION));
        return result;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() > 1)
        return usageError(QStringLiteral("one file at most"));
    auto& o = result.options;
    if (!files.isEmpty())
        o.file = files.first();
    if (parser.isSet(attach)) {
        bool ok = false;
        o.attachPid = parser.value(attach).toLongLong(&ok);
        if (!ok || o.attachPid <= 0)
            return usageError(QStringLiteral("--attach needs a process id, not '%1'").arg(parser.value(attach)));
    }
    o.demo = parser.isSet(demo);
    if (int(o.demo) + int(o.attachPid > 0) + int(!o.file.isEmpty()) > 1)
        return usageError(QStringLiteral("give a file, --attach or --demo, not several"));
    o.screenshot = parser.value(screenshot);
    o.screenshotDelayMs = parser.value(delay).toInt();
    o.tab = parser.value(tab);
    o.untilLoaded = parser.isSet(untilLoaded);
    const QStringList loading { QStringLiteral("dashboard"), QStringLiteral("leaks"), QStringLiteral("types"),
        QStringLiteral("inspector"), QStringLiteral("cycles") };
    if (o.untilLoaded && !loading.contains(o.tab.toLower()))
        return usageError(QStringLiteral("--until-loaded needs --tab with a view that loads: %1")
                              .arg(loading.join(QStringLiteral(", "))));
    if (o.untilLoaded && o.file.isEmpty() && !o.demo && o.attachPid <= 0)
        return usageError(QStringLiteral("--until-loaded needs a file, --attach or --demo"));
    o.palette = parser.value(palette);
    if (parser.isSet(size)) {
        const auto parts = parser.value(size).split(QLatin1Char('x'));
        if (parts.size() == 2)
            o.size = QSize(parts[0].toInt(), parts[1].toInt());
    }
    return result;
}

} // namespace gcscope::ui
