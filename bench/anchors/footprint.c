/* SPDX-License-Identifier: MIT */
/*
 * footprint.c - what the allocator costs in memory (workload f):
 *   footprint  the seed workload, untimed: RSS before it (the baseline: the
 *              harness's own arrays are already resident), its peak (VmHWM,
 *              reset to the baseline first), after the frees, after the
 *              allocator's trim call.  Markers on fd -1 let strace count the
 *              memory syscalls of each phase (the driver runs it so);
 *   tiny       10 allocations, 16 B to 8 KiB, and the process's RSS then.
 * /proc is read with read(2) into stack buffers: no stdio, no malloc, so the
 * reading itself moves nothing it measures.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

#define PROC_BUF_BYTES 8192
#define KIB            1024u
#define CLEAR_REFS_HWM "5" /* proc(5): reset the peak RSS to the current RSS */

static size_t read_proc(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
    if (fd >= 0)
        close(fd);
    if (n < 0)
        die("cannot read %s", path);
    buf[n] = '\0';
    return (size_t)n;
}

/* Resident bytes now: the second field of /proc/self/statm, in pages. */
static double rss_bytes(void)
{
    char buf[PROC_BUF_BYTES];
    unsigned long size_pages, resident_pages;
    read_proc("/proc/self/statm", buf, sizeof(buf));
    if (sscanf(buf, "%lu %lu", &size_pages, &resident_pages) != 2)
        die("/proc/self/statm: cannot parse '%s'", buf);
    return (double)resident_pages * (double)sysconf(_SC_PAGESIZE);
}

/* VmHWM of /proc/self/status, in bytes. */
static double peak_rss_bytes(void)
{
    char buf[PROC_BUF_BYTES];
    unsigned long kib;
    read_proc("/proc/self/status", buf, sizeof(buf));
    const char *line = strstr(buf, "VmHWM:");
    if (!line || sscanf(line, "VmHWM: %lu kB", &kib) != 1)
        die("/proc/self/status has no VmHWM line");
    return (double)kib * KIB;
}

static bool reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    bool ok = fd >= 0 && write(fd, CLEAR_REFS_HWM, 1) == 1;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* write(2) to fd -1 fails with EBADF and does nothing; strace logs it. */
static void mark(const char *what)
{
    char text[64];
    int n = snprintf(text, sizeof(text), ANCHORS_MARK_PREFIX "%s\n", what);
    if (write(-1, text, (size_t)n) >= 0)
        die("write to fd -1 succeeded");
}

void workload_footprint(const struct params *p, const struct calls *c)
{
    void **objs = harness_array(p->objects * sizeof(*objs));
    double baseline = rss_bytes();
    bool hwm_reset = reset_peak_rss();
    mark(ANCHORS_MARK_BEGIN);
    for (size_t i = 0; i < p->objects; i++)
        objs[i] = op_alloc(MODE_THROUGHPUT, c, NULL, ANCHORS_OBJECT_BYTES);
    double after_alloc = rss_bytes();
    for (size_t i = 0; i < p->objects; i++)
        op_free(MODE_THROUGHPUT, c, NULL, objs[i], ANCHORS_OBJECT_BYTES);
    mark(ANCHORS_MARK_FREED);
    double after_free = rss_bytes();
    size_t released = backend.trim();
    mark(ANCHORS_MARK_TRIMMED);
    double after_trim = rss_bytes();
    double peak = hwm_reset ? peak_rss_bytes() : after_alloc;
    /* Counters after the measurement only: reading them prints, and the
     * first print may allocate a stdio buffer. */
    emit_counters("end");
    emit_metric("payload_bytes", (double)p->objects * ANCHORS_OBJECT_BYTES);
    emit_metric("rss.baseline", baseline);
    emit_metric("rss.after_alloc", after_alloc);
    emit_metric("rss.peak", peak);
    emit_metric("rss.after_free", after_free);
    emit_metric("rss.after_trim", after_trim);
    emit_metric("hwm_reset", hwm_reset);
    emit_metric("trim_released_bytes", (double)released);
    harness_array_free(objs, p->objects * sizeof(*objs));
}

void workload_tiny(const struct calls *c)
{
    void *objs[ANCHORS_TINY_ALLOCS];
    size_t size = ANCHORS_TINY_MIN_BYTES;
    for (unsigned i = 0; i < ANCHORS_TINY_ALLOCS; i++, size *= 2)
        objs[i] = op_alloc(MODE_THROUGHPUT, c, NULL, size);
    double rss = rss_bytes();
    emit_counters("tiny");
    emit_metric("rss.tiny", rss);
    size = ANCHORS_TINY_MIN_BYTES;
    for (unsigned i = 0; i < ANCHORS_TINY_ALLOCS; i++, size *= 2)
        op_free(MODE_THROUGHPUT, c, NULL, objs[i], size);
}
