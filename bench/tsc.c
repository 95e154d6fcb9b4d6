/* SPDX-License-Identifier: MIT */
/* tsc.c - calibrating the TSC timer of tsc.h. */
#define _GNU_SOURCE
#include "tsc.h"

#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "percentile.h"

#define CALIBRATION_WINDOWS   5
#define CALIBRATION_WINDOW_NS 40000000.0 /* 40 ms each */
#define OVERHEAD_SAMPLES      1000000
#define RESOLUTION_READS      1000000
#define NS_PER_SEC            1e9
#define CPUINFO_LINE_MAX      8192
#define CPUID_EXT_FEATURES    0x80000001u
#define CPUID_EDX_RDTSCP      (1u << 27)

bool tsc_have_rdtscp;

static bool cpu_has_rdtscp(void)
{
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(CPUID_EXT_FEATURES, &eax, &ebx, &ecx, &edx) && (edx & CPUID_EDX_RDTSCP);
}

static double monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * NS_PER_SEC + (double)ts.tv_nsec;
}

/* Both flags mean the TSC ticks at one rate in every P- and C-state. */
static bool tsc_is_invariant(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[CPUINFO_LINE_MAX];
    bool found = false;
    if (!f)
        return false;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5) == 0) {
            found = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
            break;
        }
    }
    fclose(f);
    return found;
}

static double ticks_per_ns(void)
{
    double rates[CALIBRATION_WINDOWS];
    for (int w = 0; w < CALIBRATION_WINDOWS; w++) {
        double ns0 = monotonic_ns(), ns1;
        uint64_t t0 = tsc_begin();
        do
            ns1 = monotonic_ns();
        while (ns1 - ns0 < CALIBRATION_WINDOW_NS);
        uint64_t t1 = tsc_end();
        rates[w] = (double)(t1 - t0) / (ns1 - ns0);
    }
    return median_of(rates, CALIBRATION_WINDOWS);
}

/* Unfenced reads, as close together as the CPU allows: the smallest non-zero
 * difference is the step the counter advances by. */
static uint64_t resolution_ticks(void)
{
    uint64_t best = UINT64_MAX;
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t prev = ((uint64_t)hi << 32) | lo;
    for (int i = 0; i < RESOLUTION_READS; i++) {
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        uint64_t now = ((uint64_t)hi << 32) | lo;
        if (now != prev && now - prev < best)
            best = now - prev;
        prev = now;
    }
    return best == UINT64_MAX ? 1 : best;
}

bool tsc_calibrate(struct tsc_timer *t)
{
    tsc_have_rdtscp = t->rdtscp = cpu_has_rdtscp();
    t->invariant = tsc_is_invariant();
    t->ticks_per_ns = ticks_per_ns();
    t->resolution_ticks = resolution_ticks();
    if (!(t->ticks_per_ns > 0)) {
        fprintf(stderr, "benchmark_accurate: the TSC does not advance; cannot time\n");
        return false;
    }
    uint64_t *samples = malloc(OVERHEAD_SAMPLES * sizeof(*samples));
    if (!samples) {
        fprintf(stderr, "benchmark_accurate: out of memory for the timer calibration\n");
        return false;
    }
    double sum = 0;
    for (int i = 0; i < OVERHEAD_SAMPLES; i++) {
        uint64_t t0 = tsc_begin();
        samples[i] = tsc_end() - t0;
        sum += (double)samples[i];
    }
    sort_ticks(samples, OVERHEAD_SAMPLES);
    t->overhead_ticks = sum / OVERHEAD_SAMPLES;
    t->overhead_median_ticks = samples[OVERHEAD_SAMPLES / 2];
    t->overhead_min_ticks = samples[0];
    free(samples);
    return true;
}

double tsc_net_ns(const struct tsc_timer *t, uint64_t ticks)
{
    double net = (double)ticks - t->overhead_ticks;
    return net > 0 ? net / t->ticks_per_ns : 0;
}
