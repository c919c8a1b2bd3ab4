/* LD_PRELOAD fault injector for tests/fault_injection.rs.
 *
 * Counts the calls through which a write reaches the disk (write to a file descriptor
 * other than stdin/stdout/stderr, fsync, fdatasync, fchmod, fchown, linkat, renameat,
 * renameat2, rename, unlinkat) and, at the Nth one, either kills the process before the
 * call (PMRC_FAULT_CRASH_AT=N, as a power cut or `kill -9` would) or makes a write fail
 * with ENOSPC (PMRC_FAULT_ENOSPC_AT=N, a full disk). PMRC_FAULT_TRACE=FILE appends one
 * line per counted call, so a test can learn how many points there are. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long counted;

static long env_number(const char *name) {
    const char *v = getenv(name);
    return v ? atol(v) : 0;
}

static void trace(const char *call) {
    const char *path = getenv("PMRC_FAULT_TRACE");
    if (!path) return;
    int (*real_open)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
    ssize_t (*real_write)(int, const void *, size_t) = dlsym(RTLD_NEXT, "write");
    int fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) return;
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %s\n", counted, call);
    real_write(fd, line, (size_t)n);
    close(fd);
}

/* Returns nonzero when this call must fail with ENOSPC; never returns on a crash. */
static int point(const char *call, int is_write) {
    counted++;
    trace(call);
    if (counted == env_number("PMRC_FAULT_CRASH_AT")) raise(SIGKILL);
    return is_write && counted == env_number("PMRC_FAULT_ENOSPC_AT");
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t count) {
    if (fd > 2 && point("write", 1)) {
        errno = ENOSPC;
        return -1;
    }
    return REAL(write)(fd, buf, count);
}

int fsync(int fd) { point("fsync", 0); return REAL(fsync)(fd); }
int fdatasync(int fd) { point("fdatasync", 0); return REAL(fdatasync)(fd); }
int fchmod(int fd, mode_t mode) { point("fchmod", 0); return REAL(fchmod)(fd, mode); }
int fchown(int fd, uid_t u, gid_t g) { point("fchown", 0); return REAL(fchown)(fd, u, g); }
int linkat(int a, const char *p, int b, const char *q, int f) {
    point("linkat", 0);
    return REAL(linkat)(a, p, b, q, f);
}
int renameat(int a, const char *p, int b, const char *q) {
    point("renameat", 0);
    return REAL(renameat)(a, p, b, q);
}
int renameat2(int a, const char *p, int b, const char *q, unsigned int f) {
    point("renameat2", 0);
    return REAL(renameat2)(a, p, b, q, f);
}
int rename(const char *p, const char *q) { point("rename", 0); return REAL(rename)(p, q); }
int unlinkat(int a, const char *p, int f) { point("unlinkat", 0); return REAL(unlinkat)(a, p, f); }
