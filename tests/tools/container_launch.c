/* gcscope-test-container: runs a command the way docker and podman run a container's process, so
 * that tests can attach to a Python in one: in its own mount and PID namespaces (it is PID 1 there),
 * chrooted into ROOT with its own /proc and a private /tmp (a tmpfs), and, with --userns HOSTUID,
 * in its own user namespace too, its root being HOSTUID on the host (rootless podman).
 *
 *   gcscope-test-container [--userns HOSTUID] [--bind SRC:DST]... ROOT COMMAND [ARG...]
 *
 * --bind mounts the host's SRC at DST inside ROOT (a directory that must exist there), as a
 * container's volumes are.
 * Prints "CONTAINER_PID <host pid>" on stdout before the command runs, waits for it and exits with
 * its status (128 + signal when killed). Needs root (CAP_SYS_ADMIN) on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char* what)
{
    fprintf(stderr, "gcscope-test-container: %s: %s\n", what, strerror(errno));
    return 125;
}

static int writeFile(pid_t pid, const char* name, const char* text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* In the new namespaces: wait for the parent's uid/gid maps, become the namespace's root, mount
 * what a container has, chroot and exec. */
#define MAX_BINDS 16
static const char* binds[MAX_BINDS];
static int bindCount;

static int child(const char* root, char** argv, int ready, int userns)
{
    char byte;
    if (read(ready, &byte, 1) != 1)
        _exit(fail("waiting for the parent"));
    close(ready);
    if (userns && (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0))
        _exit(fail("becoming root in the user namespace"));
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        _exit(fail("making mounts private"));
    char path[4096];
    for (int i = 0; i < bindCount; ++i) {
        char source[4096];
        snprintf(source, sizeof source, "%s", binds[i]);
        char* colon = strchr(source, ':');
        if (!colon)
            _exit(fail("--bind wants SRC:DST"));
        *colon = '\0';
        snprintf(path, sizeof path, "%s%s", root, colon + 1);
        if (mount(source, path, NULL, MS_BIND | MS_REC, NULL) != 0)
            _exit(fail(path));
    }
    snprintf(path, sizeof path, "%s/proc", root);
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        _exit(fail("mounting /proc"));
    snprintf(path, sizeof path, "%s/tmp", root);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
        _exit(fail("mounting /tmp"));
    if (chroot(root) != 0 || chdir("/") != 0)
        _exit(fail("chroot"));
    execvp(argv[0], argv);
    _exit(fail(argv[0]));
}

int main(int argc, char** argv)
{
    int arg = 1;
    long hostUid = -1;
    while (arg + 1 < argc && argv[arg][0] == '-') {
        if (strcmp(argv[arg], "--userns") == 0)
            hostUid = strtol(argv[arg + 1], NULL, 10);
        else if (strcmp(argv[arg], "--bind") == 0 && bindCount < MAX_BINDS)
            binds[bindCount++] = argv[arg + 1];
        else
            break;
        arg += 2;
    }
    if (argc - arg < 2) {
        fprintf(stderr, "usage: gcscope-test-container [--userns HOSTUID] [--bind SRC:DST]... ROOT COMMAND [ARG...]\n");
        return 125;
    }
    const char* root = argv[arg];
    int pipeFds[2];
    if (pipe2(pipeFds, O_CLOEXEC) != 0)
        return fail("pipe");
    unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | (hostUid >= 0 ? CLONE_NEWUSER : 0);
    /* The raw clone keeps this simple: a fork into new namespaces. */
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0)
        return fail("clone");
    if (pid == 0) {
        close(pipeFds[1]);
        return child(root, argv + arg + 1, pipeFds[0], hostUid >= 0);
    }
    close(pipeFds[0]);
    if (hostUid >= 0) {
        char map[64];
        snprintf(map, sizeof map, "0 %ld 65536\n", hostUid);
        if (writeFile(pid, "uid_map", map) != 0 || writeFile(pid, "gid_map", map) != 0) {
            kill(pid, SIGKILL);
            return fail("writing the user namespace's maps");
        }
    }
    printf("CONTAINER_PID %d\n", (int)pid);
    fflush(stdout);
    if (write(pipeFds[1], "x", 1) != 1)
        return fail("starting the child");
    close(pipeFds[1]);
    /* Signals meant for the container go to its process. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return fail("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
