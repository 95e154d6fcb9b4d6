/* SPDX-License-Identifier: MIT */
/*
 * system.c - the rest of the platform on Linux: where the thread runs
 * (getcpu), the monotonic clock, and log/panic on stderr, all without
 * stdio or malloc (the platform may be the process's malloc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zslab/platform.h"
#include "zslab_linux.h"

#define NS_PER_SEC   UINT64_C(1000000000)
#define LOG_LINE_MAX 512
/* Messages above ZSLAB_LOG_WARN print only when this variable is set. */
#define VERBOSE_ENV "ZSLAB_VERBOSE"
#define FAIL_BYTES  192
#define HEX_DIGITS  16
#define DEC_DIGITS  20

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

/* A bounded append, for the one failure line below. */
struct line {
    char buf[FAIL_BYTES];
    size_t len;
};

static void put_str(struct line *l, const char *s)
{
    while (*s && l->len + 1 < sizeof(l->buf))
        l->buf[l->len++] = *s++;
    l->buf[l->len] = '\0';
}

static void put_u64(struct line *l, uint64_t v, unsigned base)
{
    char digits[DEC_DIGITS + 1];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    char out[DEC_DIGITS + 3];
    size_t k = 0;
    if (base == HEX_DIGITS) {
        out[k++] = '0';
        out[k++] = 'x';
    }
    while (n)
        out[k++] = digits[--n];
    out[k] = '\0';
    put_str(l, out);
}

_Noreturn void zslab_linux_fail(const char *what, const void *addr, uint64_t bytes, int err)
{
    struct line l = {.len = 0};
    put_str(&l, "zslab: ");
    put_str(&l, what);
    put_str(&l, "(");
    put_u64(&l, (uintptr_t)addr, HEX_DIGITS);
    put_str(&l, ", ");
    put_u64(&l, bytes, 10);
    put_str(&l, "): failed (errno ");
    put_u64(&l, (uint64_t)(unsigned)err, 10);
    put_str(&l, ")");
    zslab_platform_panic(l.buf);
}
