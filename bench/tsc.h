/* SPDX-License-Identifier: MIT */
/*
 * tsc.h - the benchmark's timer: serialized TSC reads, calibrated against
 * CLOCK_MONOTONIC, with their own cost measured.
 *
 * tsc_begin() fences before and after rdtsc, so neither earlier work nor the
 * measured code slips across it; tsc_end() uses rdtscp (waits for earlier
 * instructions) and a trailing lfence (keeps later ones out).  A CPU without
 * rdtscp (QEMU's default TCG model has none) gets lfence; rdtsc; lfence
 * instead, which orders the same way; the branch costs the same in every
 * measurement, so it is part of the overhead that calibration measures.
 */
#ifndef ZSLAB_BENCH_TSC_H
#define ZSLAB_BENCH_TSC_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t tsc_begin(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Set by tsc_calibrate(): the CPU has rdtscp. */
extern bool tsc_have_rdtscp;

static inline uint64_t tsc_end(void)
{
    uint32_t lo, hi, aux;
    if (tsc_have_rdtscp)
        __asm__ __volatile__("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    else
        __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/**
 * struct tsc_timer - what calibration found.
 * @ticks_per_ns:       TSC rate against CLOCK_MONOTONIC (median of windows).
 * @overhead_ticks:     mean cost of an empty tsc_begin()/tsc_end() pair.  The
 *                      mean, not the median: when the TSC advances in coarse
 *                      steps each reading is rounded to a step, and only the
 *                      mean of many readings is unbiased.
 * @overhead_median_ticks, @overhead_min_ticks: the same readings' median and
 *                      minimum, printed so the spread is visible.
 * @resolution_ticks:   the smallest step the TSC was seen to take between two
 *                      back-to-back reads (1 on most CPUs; AMD Zen under a
 *                      hypervisor advances in 10 ns steps).
 * @invariant:          the CPU reports constant_tsc and nonstop_tsc.
 * @rdtscp:             tsc_end() uses rdtscp (else lfence; rdtsc).
 */
struct tsc_timer {
    double ticks_per_ns;
    double overhead_ticks;
    uint64_t overhead_median_ticks;
    uint64_t overhead_min_ticks;
    uint64_t resolution_ticks;
    bool invariant;
    bool rdtscp;
};

/* Calibrates (about 0.2 s); returns false with a message on stderr if the
 * TSC does not advance. */
bool tsc_calibrate(struct tsc_timer *t);

/* Ticks of a measurement minus the timer's own mean overhead, in ns; a
 * measurement cheaper than the overhead counts as 0. */
double tsc_net_ns(const struct tsc_timer *t, uint64_t ticks);

#endif /* ZSLAB_BENCH_TSC_H */
