/* A tiny library the injector tests load into real Python processes. Its entry function
 * appends one line to a file and returns how often it has been called in this process, so a
 * test sees that the second injection reached the same loaded copy. The argument is
 * "FILE[;sleep=MS][;exit=CODE]": sleep keeps the call busy (timeouts, held signals), exit ends
 * the target inside the call (a target dying mid-injection). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int calls;

static long option(const char* arg, const char* name)
{
    const char* found = strstr(arg, name);
    return found ? strtol(found + strlen(name), NULL, 10) : -1;
}

__attribute__((visibility("default"))) int probe_start(const char* arg)
{
    char path[4096];
    size_t length = strcspn(arg, ";");
    if (length >= sizeof path)
        return -1;
    memcpy(path, arg, length);
    path[length] = '\0';

    ++calls;
    FILE* out = fopen(path, "a");
    if (!out)
        return -2;
    fprintf(out, "pid=%d calls=%d\n", (int)getpid(), calls);
    fclose(out);

    long sleepMs = option(arg, ";sleep=");
    if (sleepMs > 0) {
        struct timespec t = { sleepMs / 1000, (sleepMs % 1000) * 1000000L };
        while (nanosleep(&t, &t) != 0) { }
    }
    long exitCode = option(arg, ";exit=");
    if (exitCode >= 0)
        _exit((int)exitCode);
    return calls;
}
