/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the parts of zslab-anchors, the driver that runs every
 * measurement as its own process and writes the report, by the file that
 * defines them:
 *   driver.c       options, the plan (kinds x allocators x runs), main()
 *   spawn.c        one measuring process: argv, strace, timeout, its output
 *   store.c        every figure of every run, medians, derived figures
 *   targets.c      issue 8's targets, met or missed, and why
 *   report_md.c    the markdown report
 *   report_json.c  the JSON report and the gnuplot data files
 */
#ifndef ZSLAB_BENCH_ANCHORS_DRIVER_H
#define ZSLAB_BENCH_ANCHORS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "anchors.h"

#define MAX_RUNS   25
#define TEXT_BYTES 512
#define PATH_BYTES 4096
#define MiB        (1024.0 * 1024.0)

/* ---- driver.c ---- */

/* A measurement kind: one workload in one mode, run for each allocator. */
enum kind_flags {
    KIND_OURS_ONLY = 1u << 0, /* ZNS-Slab only (it alone has counters) */
    KIND_FIRST_RUN = 1u << 1, /* once per invocation, in the first round */
    KIND_STRACE = 1u << 2,    /* under strace: memory syscalls by phase */
    KIND_LATENCY = 1u << 3,   /* has per-call latencies (and CDF points) */
    KIND_ATTRIBUTE = 1u << 4, /* the counter attribution of the tail */
};

struct kind {
    const char *id;       /* JSON key, e.g. "seed-latency" */
    const char *workload; /* --workload of the measuring program */
    const char *mode;     /* --mode */
    unsigned threads;
    unsigned flags;
    const char *group; /* the workload it belongs to (--workloads) */
};

enum kind_id {
    K_SEED_LAT,
    K_SEED_THR,
    K_CHURN_LAT,
    K_CHURN_THR,
    K_MIXED_LAT,
    K_MIXED_THR,
    K_XT_LAT,
    K_XT_THR,
    K_SCALING_1,
    K_SCALING_2,
    K_FOOTPRINT,
    K_TINY,
    K_SEED_ATTR,
    K_CHURN_ATTR,
    K_MIXED_ATTR,
    KIND_COUNT,
};
extern const struct kind kinds[KIND_COUNT];

/* The workloads, with their letters, in report order. */
struct group {
    const char *name;  /* "seed" */
    const char *title; /* "a. seed" */
};
#define GROUP_COUNT 6
extern const struct group groups[GROUP_COUNT];

struct config {
    const char *bin_dir, *out_dir, *label;
    int runs;
    size_t objects, pairs, live;
    unsigned long seed;
    bool sized, strace, quiet;
    unsigned timeout_s;
    bool use_allocator[ANCHORS_ALLOCATOR_COUNT];
    bool use_group[GROUP_COUNT];
};

extern const char *const allocator_names[ANCHORS_ALLOCATOR_COUNT];
int allocator_index(const char *name); /* -1 if unknown */
bool kind_selected(const struct config *cfg, int kind);

/* ---- store.c ---- */
struct stats {
    double median, min, max;
    int n; /* runs that had the figure; 0: none */
};

struct store;
struct store *store_new(int runs);
void store_free(struct store *s);
void store_metric(struct store *s, int kind, int alloc, int run, const char *key, double v);
void store_info(struct store *s, int kind, int alloc, const char *key, const char *text);
/* The figure over the runs; n = 0 when no run has it. */
struct stats store_stats(const struct store *s, int kind, int alloc, const char *key);
/* @key over every run of every allocator in the kinds with any of
 * @kind_flags (the timer floor of all latency measurements). */
struct stats store_pooled(const struct store *s, unsigned kind_flags, const char *key);
/* One run's figure; false if that run lacks it. */
bool store_value(const struct store *s, int kind, int alloc, int run, const char *key, double *v);
const char *store_info_text(const struct store *s, int kind, int alloc, const char *key);
/* Walks the keys of a cell in the order they first came, with a prefix. */
size_t store_key_count(const struct store *s, int kind, int alloc);
const char *store_key(const struct store *s, int kind, int alloc, size_t i);
int store_runs(const struct store *s);
/* Adds the figures computed from others: derived.* (see store.c). */
void store_derive(struct store *s);

/* A measurement that did not complete. */
void store_failure(struct store *s, int kind, int alloc, int run, const char *why);
size_t store_failure_count(const struct store *s);
const char *store_failure_text(const struct store *s, size_t i);

/* ---- spawn.c ---- */
/* Runs one measurement and files its figures; false (and a failure filed)
 * if it did not complete. */
bool spawn_measurement(const struct config *cfg, struct store *s, int kind, int alloc, int run);

/* ---- targets.c ---- */
enum verdict { VERDICT_MET, VERDICT_MISSED, VERDICT_NOT_MEASURED };

struct target_result {
    const char *id, *text, *unit;
    double ours, best, ratio, limit;
    const char *best_name;
    bool ratio_target; /* the limit is a ratio to the best anchor */
    enum verdict verdict;
    char why[TEXT_BYTES * 4]; /* set when missed: the counters that explain it */
};
#define TARGET_COUNT 18
size_t targets_evaluate(const struct store *s, const struct config *cfg,
                        struct target_result out[TARGET_COUNT]);
/* Appends to @buf which counters the @op calls at or above @tail (p99,
 * p999) of attribution kind @kind moved. */
void describe_tail(char *buf, size_t size, const struct store *s, int kind, const char *op,
                   const char *tail);
/* The best anchor's median of @key in @kind: highest if @higher; -1 if none. */
int best_anchor(const struct store *s, const struct config *cfg, int kind, const char *key,
                bool higher, struct stats *out);

/* ---- report_md.c, report_json.c ---- */
struct host_facts {
    char cpu[TEXT_BYTES], kernel[TEXT_BYTES], compiler[TEXT_BYTES], date[TEXT_BYTES];
    char load_start[TEXT_BYTES], load_end[TEXT_BYTES]; /* /proc/loadavg */
    long cpus;
};
/* At the start (@start) and at the end of the invocation. */
void host_facts_read(struct host_facts *h, bool start);
bool report_markdown(const char *path, const struct store *s, const struct config *cfg,
                     const struct host_facts *h, const struct target_result *t, size_t nt);
bool report_json(const char *path, const struct store *s, const struct config *cfg,
                 const struct host_facts *h, const struct target_result *t, size_t nt);
bool report_plot_data(const char *dir, const struct store *s, const struct config *cfg);

/* Shared formatting: "12.3 (11.0–14.2)" for @st scaled by @scale. */
void format_stats(char *buf, size_t size, struct stats st, double scale, int decimals);

#endif /* ZSLAB_BENCH_ANCHORS_DRIVER_H */
