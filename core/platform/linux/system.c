/* SPDX-License-Identifier: MIT */
/*
 * system.c - the rest of the platform on Linux: where the thread runs
 * (getcpu), the monotonic clock, and log/panic on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zslab/platform.h"

#define NS_PER_SEC   UINT64_C(1000000000)
#define LOG_LINE_MAX 512
/* Messages above ZSLAB_LOG_WARN print only when this variable is set. */
#define VERBOSE_ENV "ZSLAB_VERBOSE"

void zslab_platform_getcpu(uint32_t *cpu, uint32_t *node)
{
    unsigned c = 0, n = 0;
    if (getcpu(&c, &n) != 0)
        c = n = 0;
    if (cpu)
        *cpu = c;
    if (node)
        *node = n;
}

uint64_t zslab_platform_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* One write() per line, so lines from several threads do not interleave. */
void zslab_platform_log(int level, const char *msg)
{
    if (level > ZSLAB_LOG_WARN && !getenv(VERBOSE_ENV))
        return;
    char line[LOG_LINE_MAX];
    size_t n = strnlen(msg, sizeof(line) - 1);
    memcpy(line, msg, n);
    line[n++] = '\n';
    for (size_t done = 0; done < n;) {
        ssize_t w = write(STDERR_FILENO, line + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

_Noreturn void zslab_platform_panic(const char *msg)
{
    zslab_platform_log(ZSLAB_LOG_ERROR, msg);
    abort();
}
