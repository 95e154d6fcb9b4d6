/* SPDX-License-Identifier: MIT */
/*
 * accurate.h - benchmark_accurate's parts: options (benchmark_accurate.c),
 * the timed workload (workload.c) and the report (report.c).
 */
#ifndef ZSLAB_BENCH_ACCURATE_H
#define ZSLAB_BENCH_ACCURATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tsc.h"
#include "zslab/zslab.h"
#include "zslab_linux.h"

#define DEFAULT_OBJECT_BYTES 128
#define DEFAULT_ITERATIONS   1000000
#define DEFAULT_RUNS         5
#define ALLOCS_PER_MILLION   1e6

struct options {
    size_t object_bytes;
    size_t iterations;
    int runs;
    bool json;
    bool touch_timed;      /* the first write to each object is inside the timing */
    const char *json_out;  /* also write the JSON report to this file */
    const char *curve_out; /* write the last run's percentile curve to this file */
    zslab_prefault_t prefault;
};

/* What made one operation slow, as its counters moved. */
enum op_cause {
    CAUSE_FAST = 0, /* no counter but the call counts moved */
    CAUSE_SLOW,     /* alloc: a new slab (cache or carve); free: a list move */
    CAUSE_PLATFORM, /* alloc: a new slab that mapped a chunk; free: a cache push */
    CAUSE_COUNT,
};

/* The latency-by-percentile curve (--curve): CURVE_POINTS quantiles from the
 * median to 1 - 1e-5, then the maximum. */
#define CURVE_POINTS 12
extern const double curve_quantiles[CURVE_POINTS];

struct latency {
    double average_ns, p50_ns, p99_ns, p999_ns;
    double curve_ns[CURVE_POINTS]; /* at curve_quantiles; only a run's own, never a median */
};

/* Operations at or above a tail threshold, by cause. */
struct tail {
    double threshold_ns;
    uint64_t ops[CAUSE_COUNT];
};

struct run_result {
    struct latency alloc, free;
    struct tail alloc_p99, alloc_p999, free_p999;
    zslab_counters_t counters; /* the object's size class (or the total) */
    uint64_t platform_maps;    /* during the workload: create and destroy excluded */
    uint64_t platform_unmaps;
    struct zslab_linux_syscalls syscalls; /* the platform's memory syscalls, same span */
    zslab_counters_t total;               /* the instance total at the end of the workload */
};

struct workload;
struct workload *workload_new(const struct options *opt);
void workload_free(struct workload *w);
/* One run: a fresh instance, allocate all, free all.  False on failure. */
bool workload_run(struct workload *w, const struct tsc_timer *timer, struct run_result *out);

/* The summary of all runs: medians of the latency figures, the rest from the
 * last run. */
struct summary {
    struct latency alloc, free;
    struct run_result last;
};

void report_text(const struct options *opt, const struct tsc_timer *timer, const struct summary *s);
void report_json(FILE *out, const struct options *opt, const struct tsc_timer *timer,
                 const struct summary *s);
/* The last run's curve as columns "quantile 1/(1-q) alloc_ns free_ns". */
void report_curve(FILE *out, const struct summary *s);
const char *prefault_name(zslab_prefault_t p);
uint64_t syscall_total(const struct zslab_linux_syscalls *s);

#endif /* ZSLAB_BENCH_ACCURATE_H */
