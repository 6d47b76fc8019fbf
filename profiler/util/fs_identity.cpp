#include "util/fs_identity.h"

#include <sys/fsuid.h>

namespace gcscope::util {

// setfsuid returns the previous value whether or not it succeeded; the gid first, while we may.
FsIdentity::FsIdentity(uid_t uid, gid_t gid)
    : previousUid_(0)
    , previousGid_(static_cast<gid_t>(setfsgid(gid)))
{
    previousUid_ = static_cast<uid_t>(setfsuid(uid));
}

FsIdentity::~FsIdentity()
{
    setfsuid(previousUid_);
    setfsgid(previousGid_);
}

} // namespace gcscope::util
