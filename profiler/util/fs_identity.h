// Files made while one of these lives are made as another user: the calling thread's filesystem
// uid and gid (setfsuid/setfsgid, per thread) are the given ones until it is destroyed. Used to
// make the socket and the agent's copy inside a rootless container, whose file systems cannot hold
// files of a uid that has no mapping in its user namespace (root's, for one).
#pragma once

#include <sys/types.h>

namespace gcscope::util {

class FsIdentity {
public:
    FsIdentity(uid_t uid, gid_t gid);
    ~FsIdentity();
    FsIdentity(const FsIdentity&) = delete;
    FsIdentity& operator=(const FsIdentity&) = delete;

private:
    uid_t previousUid_;
    gid_t previousGid_;
};

} // namespace gcscope::util
