// writeReport: the rendered report written whole, or not at all.
#include "report/ReportWriter.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace gcscope::report {

void writeReport(const LeakReport& report, ReportFormat format, const std::filesystem::path& path)
{
    const std::string text = render(report, format);
    // A temporary file next to the target, renamed into place: a reader never sees half a report. The
    // counter keeps two exports of one process (the GUI's, from worker threads) apart.
    static std::atomic<unsigned> counter { 0 };
    const auto temporary = path.parent_path()
        / (".gcscope-report-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error(path.string() + ": cannot write (" + std::strerror(errno) + ")");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw std::runtime_error(path.string() + ": cannot write (" + std::strerror(errno) + ")");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw std::runtime_error(path.string() + ": cannot write (" + ec.message() + ")");
    }
}

} // namespace gcscope::report
