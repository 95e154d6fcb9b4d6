/* SPDX-License-Identifier: MIT */
/*
 * anchors.h - the vocabulary the side-by-side benchmark's two halves share:
 * the measuring programs (anchor-<allocator>, one per allocator, measure.c)
 * and the driver that runs them and writes the report (zslab-anchors,
 * driver.c).
 *
 * Glossary:
 *   allocator    one of ANCHORS_ALLOCATORS: ZNS-Slab ("zslab") or an anchor
 *                (glibc, mimalloc, jemalloc, tcmalloc).  Each has its own
 *                measuring program, linked with that allocator alone.
 *   workload     what the program does with the allocator: seed, churn,
 *                mixed, cross-thread, scaling, footprint, tiny.
 *   mode         how a workload is observed: latency (every call timed),
 *                throughput (nothing timed but the whole loop), attribute
 *                (latency plus the counters read around every call).
 *   measurement  one process: one allocator, one workload, one mode.
 *   op           alloc (the allocation call), touch (the caller's first
 *                write to the object) or free (the free call).
 *
 * A measuring program prints one record per line on stdout:
 *   info KEY TEXT...    a string (version, api, served, process_malloc)
 *   metric KEY VALUE    a number (keys below; latencies in ns, sizes in bytes)
 */
#ifndef ZSLAB_BENCH_ANCHORS_H
#define ZSLAB_BENCH_ANCHORS_H

#include <stdbool.h>
#include <stddef.h>

/* Every allocator, in the report's column order. */
#define ANCHORS_ALLOCATORS      "zslab", "glibc", "mimalloc", "jemalloc", "tcmalloc"
#define ANCHORS_ALLOCATOR_COUNT 5
#define ANCHORS_PROGRAM_PREFIX  "anchor-" /* anchor-zslab, anchor-glibc, ... */
#define ANCHORS_OURS            "zslab"
#define ANCHORS_BASELINE        "glibc" /* the tiny program's reference */

/* Workload sizes (issue 8): defaults, each settable on the command line. */
#define ANCHORS_OBJECT_BYTES     128u     /* seed, churn, cross-thread, scaling */
#define ANCHORS_DEFAULT_OBJECTS  1000000u /* seed, mixed, cross-thread: objects */
#define ANCHORS_DEFAULT_PAIRS    1000000u /* churn, scaling: free+alloc pairs */
#define ANCHORS_DEFAULT_LIVE     65536u   /* churn, scaling: live objects */
#define ANCHORS_MIXED_STEP_BYTES 16u      /* mixed: sizes 16, 32, ..., 2048 */
#define ANCHORS_MIXED_STEPS      128u
#define ANCHORS_TINY_ALLOCS      10u /* tiny: 16 B, 32 B, ..., 8 KiB */
#define ANCHORS_TINY_MIN_BYTES   16u
#define ANCHORS_RING_SLOTS       1024u /* cross-thread: the ring's capacity */
#define ANCHORS_SERVED_OBJECTS   8192u /* the served check: 8192 x 128 B */
#define ANCHORS_DEFAULT_SEED     42u

/* Markers the footprint workload writes to fd -1 (write fails with EBADF,
 * does nothing, and strace logs it), so the driver counts the memory
 * syscalls of each phase from the strace log alone. */
#define ANCHORS_MARK_PREFIX  "zslab-anchors: "
#define ANCHORS_MARK_BEGIN   "begin"   /* before the first allocation */
#define ANCHORS_MARK_FREED   "freed"   /* after the last free */
#define ANCHORS_MARK_TRIMMED "trimmed" /* after the allocator's trim call */

/*
 * The latency CDF: point i (0 <= i < ANCHORS_CDF_POINTS - 1) is the quantile
 * 1 - 10^(-i / ANCHORS_CDF_PER_NINE), so the points are evenly spaced on a
 * "nines" axis from p0 (the minimum) to p99.999; the last point is the
 * maximum.  Metric keys "cdf.OP.I".
 */
#define ANCHORS_CDF_PER_NINE 10
#define ANCHORS_CDF_NINES    5
#define ANCHORS_CDF_POINTS   (ANCHORS_CDF_NINES * ANCHORS_CDF_PER_NINE + 2)

/* The quantile of CDF point @i; 1.0 for the last (the maximum). */
double anchors_cdf_quantile(int i);

/* Parses @arg, the value of option @opt, as a whole number in [@min, @max];
 * false with a message naming @program, @opt and @arg. */
bool anchors_parse_count(const char *program, const char *opt, const char *arg,
                         unsigned long long min, unsigned long long max, unsigned long long *out);

/* The index of @name among the @count @names, or -1. */
int anchors_find(const char *name, const char *const *names, size_t count);
#define ANCHORS_COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* ZNS-Slab's counters that count or size every call by definition: they
 * move on every call, so they explain no tail and no gap (the attribution
 * leaves them out, and gauge peaks too).  Every other field, a counter the
 * core adds included, is reported. */
#define ANCHORS_BOOKKEEPING "alloc_calls", "free_calls", "bytes_in_use"

/* True for a field of ANCHORS_BOOKKEEPING or a gauge's NAME.peak. */
bool anchors_is_bookkeeping(const char *field);

/*
 * Metric keys a measuring program prints (OP is alloc, touch or free):
 *   ops, seconds, threads           the timed loop: calls made, wall time
 *   lat.OP.{n,mean,p50,p90,p99,p999,p9999,max}     ns, timer included
 *   cdf.OP.I                        ns at anchors_cdf_quantile(I)
 *   timer.{ticks_per_ns,floor_ns,overhead_mean_ns,overhead_min_ns,resolution_ns}
 *   counter.PHASE.NAME              ZNS-Slab's counters (a gauge's peak is
 *                                   NAME.peak), every field of its list
 *   attr.OP.TAIL.{threshold_ns,ops,none}, attr.OP.TAIL.moved.NAME
 *                                   attribute mode: of the calls at or above
 *                                   the TAIL (p99, p999, all) threshold, how
 *                                   many moved field NAME, how many moved
 *                                   none but the bookkeeping fields
 *   rss.{baseline,after_alloc,peak,after_free,after_trim,tiny}  bytes
 *   payload_bytes, trim_released_bytes, hwm_reset (1: VmHWM was reset)
 */

#endif /* ZSLAB_BENCH_ANCHORS_H */
