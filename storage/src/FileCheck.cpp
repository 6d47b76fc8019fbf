#include "FileCheck.h"

#include <gcscope/storage/StorageError.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace gcscope::storage {

namespace {
// The database header is documented at https://www.sqlite.org/fileformat.html#the_database_header
constexpr std::size_t kHeaderSize = 100;
constexpr std::string_view kMagic { "SQLite format 3\0", 16 };

std::uint32_t bigEndian(const unsigned char* p, std::size_t bytes)
{
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        v = (v << 8) | p[i];
    return v;
}

std::string reason(const char* what, int err)
{
    return std::string(what) + " (" + std::strerror(err) + ")";
}
} // namespace

FileFacts checkFile(const std::string& path)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0)
        throw StorageError(path, errno == ENOENT ? std::string("no such file") : reason("cannot read", errno));
    if (!S_ISREG(st.st_mode))
        throw StorageError(path, "not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);

    FileFacts facts;
    struct stat walStat { };
    facts.walFilePresent = ::stat((path + "-wal").c_str(), &walStat) == 0;
    if (size == 0) {
        facts.empty = true;
        return facts;
    }

    std::array<unsigned char, kHeaderSize> header {};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw StorageError(path, reason("cannot read", errno));
    const ssize_t got = ::pread(fd, header.data(), header.size(), 0);
    const int readErrno = errno;
    ::close(fd);
    if (got < 0)
        throw StorageError(path, reason("cannot read", readErrno));

    const auto n = static_cast<std::size_t>(got);
    if (n < kMagic.size() || std::memcmp(header.data(), kMagic.data(), kMagic.size()) != 0)
        throw StorageError(path, "not a SQLite database");
    if (n < kHeaderSize)
        throw StorageError(path, "truncated (file has " + std::to_string(n) + " bytes, a SQLite header needs 100)");

    std::uint32_t pageSize = bigEndian(&header[16], 2);
    if (pageSize == 1)
        pageSize = 65536;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0)
        throw StorageError(path, "corrupt (invalid page size " + std::to_string(pageSize) + " in the header)");
    facts.walMode = header[18] == 2 || header[19] == 2;

    // The page count at offset 28 is valid when the change counter matches "version valid for".
    // With a WAL present the newest pages may live there (a checkpoint can be half done), so SQLite
    // judges that case itself.
    const std::uint32_t pages = bigEndian(&header[28], 4);
    const bool pagesValid = pages != 0 && bigEndian(&header[24], 4) == bigEndian(&header[92], 4);
    const std::uint64_t expected = std::uint64_t { pages } * pageSize;
    if (pagesValid && !facts.walFilePresent && expected > size)
        throw StorageError(path,
            "truncated (header says " + std::to_string(expected) + " bytes, file has " + std::to_string(size) + ")");
    return facts;
}

} // namespace gcscope::storage
