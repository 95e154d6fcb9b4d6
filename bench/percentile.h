/* SPDX-License-Identifier: MIT */
/* percentile.h - latency summaries: sort, nearest-rank percentiles, medians. */
#ifndef ZSLAB_BENCH_PERCENTILE_H
#define ZSLAB_BENCH_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

/* Sorts @n tick counts ascending (radix sort: 1M samples in a few ms). */
void sort_ticks(uint64_t *ticks, size_t n);

/* The nearest-rank @q-quantile (0 < q <= 1) of @n sorted samples. */
uint64_t percentile_ticks(const uint64_t *sorted, size_t n, double q);

/* The median of @n values (reorders them). */
double median_of(double *values, size_t n);

#endif /* ZSLAB_BENCH_PERCENTILE_H */
