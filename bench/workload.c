/* SPDX-License-Identifier: MIT */
/*
 * workload.c - Phase 1.5's workload: allocate every object, then free them
 * all in the same order, timing each call alone.  After each call (outside
 * the timing) the size class's counters say what the call did, so the tail
 * can be attributed to causes, not guessed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accurate.h"
#include "percentile.h"

const double curve_quantiles[CURVE_POINTS] = {0.5,   0.75,   0.9,    0.95,    0.99,    0.995,
                                              0.999, 0.9995, 0.9999, 0.99995, 0.99999, 1.0};

struct workload {
    struct options opt;
    int class_index; /* ZSLAB_ALL_CLASSES for a large object size */
    void **objects;
    uint64_t *alloc_ticks, *free_ticks, *sorted;
    uint8_t *alloc_cause, *free_cause;
};

struct workload *workload_new(const struct options *opt)
{
    struct workload *w = calloc(1, sizeof(*w));
    size_t n = opt->iterations;
    if (!w)
        return NULL;
    w->opt = *opt;
    w->class_index = zslab_class_of(opt->object_bytes);
    if (w->class_index == ZSLAB_CLASS_NONE)
        w->class_index = ZSLAB_ALL_CLASSES;
    w->objects = calloc(n, sizeof(*w->objects));
    w->alloc_ticks = calloc(n, sizeof(uint64_t));
    w->free_ticks = calloc(n, sizeof(uint64_t));
    w->sorted = calloc(n, sizeof(uint64_t));
    w->alloc_cause = calloc(n, 1);
    w->free_cause = calloc(n, 1);
    if (!w->objects || !w->alloc_ticks || !w->free_ticks || !w->sorted || !w->alloc_cause ||
        !w->free_cause) {
        workload_free(w);
        return NULL;
    }
    /* calloc memory is not yet backed: touch it now, not during the run. */
    memset(w->objects, 0, n * sizeof(*w->objects));
    memset(w->alloc_ticks, 0, n * sizeof(uint64_t));
    memset(w->free_ticks, 0, n * sizeof(uint64_t));
    memset(w->sorted, 0, n * sizeof(uint64_t));
    memset(w->alloc_cause, 0, n);
    memset(w->free_cause, 0, n);
    return w;
}

void workload_free(struct workload *w)
{
    if (!w)
        return;
    free(w->objects);
    free(w->alloc_ticks);
    free(w->free_ticks);
    free(w->sorted);
    free(w->alloc_cause);
    free(w->free_cause);
    free(w);
}

static uint64_t platform_maps(const zslab_t *z)
{
    zslab_counters_t c;
    zslab_get_counters(z, ZSLAB_ALL_CLASSES, &c);
    return c.platform_map_calls;
}

static uint8_t alloc_cause(const zslab_t *z, const zslab_counters_t *before,
                           const zslab_counters_t *after, uint64_t *maps)
{
    if (after->slow_path_hits == before->slow_path_hits &&
        after->large_allocs == before->large_allocs)
        return CAUSE_FAST;
    uint64_t now = platform_maps(z);
    uint8_t cause = now != *maps ? CAUSE_PLATFORM : CAUSE_SLOW;
    *maps = now;
    return cause;
}

static uint8_t free_cause(const zslab_counters_t *before, const zslab_counters_t *after)
{
    if (after->cache_pushes != before->cache_pushes ||
        after->platform_unmap_calls != before->platform_unmap_calls)
        return CAUSE_PLATFORM;
    if (after->list_move_full_to_partial != before->list_move_full_to_partial)
        return CAUSE_SLOW;
    return CAUSE_FAST;
}

static bool allocate_all(struct workload *w, zslab_t *z)
{
    zslab_counters_t before, after;
    uint64_t maps = platform_maps(z);
    zslab_get_counters(z, w->class_index, &before);
    for (size_t i = 0; i < w->opt.iterations; i++) {
        uint64_t t0 = tsc_begin();
        char *p = zslab_alloc(z, w->opt.object_bytes);
        if (w->opt.touch_timed && p)
            *(volatile char *)p = 1;
        uint64_t t1 = tsc_end();
        if (!p) {
            fprintf(stderr, "benchmark_accurate: zslab_alloc(%zu) failed at iteration %zu: %s\n",
                    w->opt.object_bytes, i, zslab_strerror(ZSLAB_ERR_NOMEM));
            return false;
        }
        *(volatile char *)p = 1; /* the object is used, as a caller would */
        w->objects[i] = p;
        w->alloc_ticks[i] = t1 - t0;
        zslab_get_counters(z, w->class_index, &after);
        w->alloc_cause[i] = alloc_cause(z, &before, &after, &maps);
        before = after;
    }
    return true;
}

static void free_all(struct workload *w, zslab_t *z)
{
    zslab_counters_t before, after;
    zslab_get_counters(z, w->class_index, &before);
    for (size_t i = 0; i < w->opt.iterations; i++) {
        uint64_t t0 = tsc_begin();
        zslab_free(z, w->objects[i]);
        uint64_t t1 = tsc_end();
        w->free_ticks[i] = t1 - t0;
        zslab_get_counters(z, w->class_index, &after);
        w->free_cause[i] = free_cause(&before, &after);
        before = after;
    }
}

static struct latency summarize(struct workload *w, const struct tsc_timer *timer,
                                const uint64_t *ticks)
{
    size_t n = w->opt.iterations;
    double sum = 0;
    struct latency l;
    for (size_t i = 0; i < n; i++) {
        w->sorted[i] = ticks[i];
        sum += tsc_net_ns(timer, ticks[i]);
    }
    sort_ticks(w->sorted, n);
    l.average_ns = sum / (double)n;
    l.p50_ns = tsc_net_ns(timer, percentile_ticks(w->sorted, n, 0.50));
    l.p99_ns = tsc_net_ns(timer, percentile_ticks(w->sorted, n, 0.99));
    l.p999_ns = tsc_net_ns(timer, percentile_ticks(w->sorted, n, 0.999));
    for (int i = 0; i < CURVE_POINTS; i++)
        l.curve_ns[i] = tsc_net_ns(timer, percentile_ticks(w->sorted, n, curve_quantiles[i]));
    return l;
}

static struct tail tail_of(const struct workload *w, const struct tsc_timer *timer,
                           const uint64_t *ticks, const uint8_t *cause, double threshold_ns)
{
    struct tail t = {.threshold_ns = threshold_ns};
    for (size_t i = 0; i < w->opt.iterations; i++) {
        if (tsc_net_ns(timer, ticks[i]) >= threshold_ns)
            t.ops[cause[i]]++;
    }
    return t;
}

bool workload_run(struct workload *w, const struct tsc_timer *timer, struct run_result *out)
{
    zslab_config_t cfg;
    zslab_t *z;
    zslab_config_default(&cfg);
    cfg.prefault = w->opt.prefault;
    int rc = zslab_create(&cfg, &z);
    if (rc != ZSLAB_OK) {
        fprintf(stderr, "benchmark_accurate: zslab_create: %s\n", zslab_strerror(rc));
        return false;
    }
    zslab_counters_t start, end;
    struct zslab_linux_syscalls sys_start, sys_end;
    zslab_get_counters(z, ZSLAB_ALL_CLASSES, &start);
    zslab_linux_memory_syscalls(&sys_start);
    bool ok = allocate_all(w, z);
    if (ok) {
        free_all(w, z);
        zslab_linux_memory_syscalls(&sys_end);
        out->syscalls.mmap = sys_end.mmap - sys_start.mmap;
        out->syscalls.munmap = sys_end.munmap - sys_start.munmap;
        out->syscalls.madvise = sys_end.madvise - sys_start.madvise;
        out->syscalls.mbind = sys_end.mbind - sys_start.mbind;
        zslab_get_counters(z, ZSLAB_ALL_CLASSES, &end);
        out->total = end;
        zslab_get_counters(z, w->class_index, &out->counters);
        out->platform_maps = end.platform_map_calls - start.platform_map_calls;
        out->platform_unmaps = end.platform_unmap_calls - start.platform_unmap_calls;
        out->alloc = summarize(w, timer, w->alloc_ticks);
        out->free = summarize(w, timer, w->free_ticks);
        out->alloc_p99 = tail_of(w, timer, w->alloc_ticks, w->alloc_cause, out->alloc.p99_ns);
        out->alloc_p999 = tail_of(w, timer, w->alloc_ticks, w->alloc_cause, out->alloc.p999_ns);
        out->free_p999 = tail_of(w, timer, w->free_ticks, w->free_cause, out->free.p999_ns);
    }
    zslab_destroy(z);
    return ok;
}
