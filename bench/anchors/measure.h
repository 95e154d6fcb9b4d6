/* SPDX-License-Identifier: MIT */
/*
 * measure.h - the parts of a measuring program (anchor-<allocator>), by the
 * file that defines them:
 *   measure.c    options, the run of one measurement, the served check
 *   record.c     harness memory, the per-call samples and their summaries,
 *                the counter attribution, the output lines
 *   workloads.c  seed, churn, mixed (one thread)
 *   threads.c    cross-thread (producer and consumer) and scaling
 *   footprint.c  footprint (RSS, strace markers) and tiny
 */
#ifndef ZSLAB_BENCH_ANCHORS_MEASURE_H
#define ZSLAB_BENCH_ANCHORS_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anchors.h"
#include "backend.h"
#include "tsc.h"

enum mode {
    MODE_LATENCY,    /* every call timed alone */
    MODE_THROUGHPUT, /* only the whole loop timed */
    MODE_ATTRIBUTE,  /* timed, and the counters read around every call */
};

enum op { OP_ALLOC, OP_TOUCH, OP_FREE, OP_COUNT };
extern const char *const op_names[OP_COUNT];

struct params {
    const char *workload;
    enum mode mode;
    size_t objects; /* seed, mixed, cross-thread */
    size_t pairs;   /* churn, scaling */
    size_t live;    /* churn, scaling */
    unsigned threads;
    uint64_t seed;
    bool sized; /* free through the allocator's sized free */
};

/* The two calls every loop makes, copied out of the backend. */
struct calls {
    void *(*alloc)(size_t size);
    void (*free)(void *ptr, size_t size);
};

/* At most this many backend counters (measure.c refuses more). */
#define MAX_COUNTERS 128

/* Counter attribution: which fields moved during one call.  Bit i is the
 * backend's counter i; the last bit is the thread's page faults.  A backend
 * with more than ATTR_MAX_FIELDS - 1 counters gets its first ones attributed. */
#define ATTR_MAX_FIELDS 64
struct attr {
    size_t fields; /* backend counters + 1 */
    uint64_t prev[ATTR_MAX_FIELDS];
};

/* One thread's samples: ticks per call, and in attribute mode what moved. */
struct recorder {
    size_t cap;
    size_t n[OP_COUNT];
    uint64_t *ticks[OP_COUNT];
    uint64_t *moved[OP_COUNT]; /* attribute mode only */
    struct attr attr;
};

/* The measured part of a workload: calls made and wall time. */
struct timing {
    double start_ns, end_ns;
    size_t ops;
    double cpu_ns;   /* scaling: the threads' CPU time, summed (0: not measured) */
    double steal_ns; /* scaling: CPU time the host took from this machine, all CPUs */
};

/* ---- measure.c ---- */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void out_of_memory(size_t size);

/* ---- record.c ---- */
void *harness_array(size_t bytes);
void harness_array_free(void *p, size_t bytes);
double now_ns(void);
/* The calling thread's CPU time, ns. */
double thread_cpu_ns(void);
/* CPU time the hypervisor took from this machine's CPUs (/proc/stat's steal,
 * summed over CPUs), ns; 0 where the kernel does not count it. */
double machine_steal_ns(void);
uint64_t rng_next(uint64_t *state);
/* @pairs slots in [0, @live), drawn from @seed, in harness memory. */
uint32_t *random_slots(size_t pairs, size_t live, uint64_t seed);
void recorder_init(struct recorder *r, size_t cap, enum mode mode);
void recorder_fini(struct recorder *r);
void attr_start(struct attr *a);
uint64_t attr_step(struct attr *a);
void emit_info(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void emit_metric(const char *key, double value);
void emit_counters(const char *phase);
void emit_timer(const struct tsc_timer *t);
void emit_timing(const struct timing *t, unsigned threads);
/* Summaries of every op that has samples in any of the @n recorders. */
void emit_samples(struct recorder *const *recs, size_t n, const struct tsc_timer *t,
                  enum mode mode);

/* ---- workloads.c ---- */
void workload_seed(const struct params *p, const struct calls *c, struct recorder *r,
                   struct timing *t);
void workload_churn(const struct params *p, const struct calls *c, struct recorder *r,
                    struct timing *t);
void workload_mixed(const struct params *p, const struct calls *c, struct recorder *r,
                    struct timing *t);

/* ---- threads.c ---- */
/* @recs: two recorders (producer, consumer). */
void workload_cross_thread(const struct params *p, const struct calls *c,
                           struct recorder *const *recs, struct timing *t);
void workload_scaling(const struct params *p, const struct calls *c, struct timing *t);

/* ---- footprint.c ---- */
void workload_footprint(const struct params *p, const struct calls *c);
void workload_tiny(const struct calls *c);

#endif /* ZSLAB_BENCH_ANCHORS_MEASURE_H */
