// `gcscope report FILE [--format html|json|md] [-o OUT] [--session ID]`: the leak report of a
// recording (suspects, owners, GC section and advice) as one file. Without -o it goes to stdout.
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "report/ReportText.h"

#include "report/ReportWriter.h"

#include <gcscope/storage/Database.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace gcscope::cli {
namespace {

struct ReportArgs {
    std::string file;
    std::string format;
    std::string output;
    std::int64_t session = 0;
};

// --format, else the output's extension, else HTML.
report::ReportFormat chooseFormat(const ReportArgs& a)
{
    if (!a.format.empty()) {
        if (auto f = report::parseReportFormat(a.format))
            return *f;
        throw CLI::ValidationError("--format", "must be html, json or md, not '" + a.format + "'");
    }
    auto ext = std::filesystem::path(a.output).extension().string();
    if (!ext.empty())
        ext.erase(0, 1);
    if (ext == "htm")
        ext = "html";
    return report::parseReportFormat(ext).value_or(report::ReportFormat::Html);
}

int runReport(const ReportArgs& a, bool sessionGiven)
{
    const auto format = chooseFormat(a);
    auto db = storage::Database::openForReading(a.file);
    report::ReportOptions options;
    if (sessionGiven)
        options.sessionId = a.session;
    options.keepAnalyses = true;
    const auto built = report::buildReport(db, options);
    if (a.output.empty() || a.output == "-") {
        const auto text = report::render(built, format);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kOk;
    }
    report::writeReport(built, format, a.output);
    printNote("wrote the " + std::string(report::fileExtension(format)) + " leak report of session "
        + std::to_string(built.target.sessionId) + " (" + std::to_string(built.suspects.size()) + " suspect"
        + (built.suspects.size() == 1 ? "" : "s") + ", " + std::to_string(built.advice.size()) + " advice) to "
        + a.output);
    if (built.verdict.kind == "undecided")
        printNote(report::headline(built)); // never a silent "0 suspects" when the evidence cannot tell
    return kOk;
}

} // namespace

Command addReportCommand(CLI::App& app)
{
    auto* sub = app.add_subcommand(
        "report", "Leak suspects, GC statistics and GC advice as an HTML, JSON or Markdown report");
    auto args = std::make_shared<ReportArgs>();
    sub->add_option("file", args->file, "A gcscope database")->required();
    sub->add_option(
        "--format", args->format, "html (one self-contained file), json or md (default: from -o, else html)");
    sub->add_option("-o,--output", args->output, "File to write (default: standard output)");
    auto* session
        = sub->add_option("--session", args->session, "Session id (default: the last)")->check(CLI::PositiveNumber);
    return { sub, [args, session] { return runReport(*args, session->count() > 0); } };
}

} // namespace gcscope::cli
