#include "util/random_token.h"

#include <stdexcept>
#include <sys/random.h>
#include <vector>

namespace gcscope::util {

std::string randomTokenHex(std::size_t bytes)
{
    std::vector<unsigned char> raw(bytes);
    std::size_t got = 0;
    while (got < bytes) {
        ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0)
            throw std::runtime_error("cannot read random bytes for the agent token");
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

} // namespace gcscope::util
