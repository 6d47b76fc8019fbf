#include <gcscope/storage/Records.h>

namespace gcscope::storage {

const char* toString(SessionMode mode)
{
    return mode == SessionMode::Run ? "run" : "attach";
}

} // namespace gcscope::storage
