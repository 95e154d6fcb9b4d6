/* SPDX-License-Identifier: MIT */
/* percentile.c - see percentile.h. */
#include "percentile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS    16
#define RADIX_BUCKETS (1u << RADIX_BITS)
#define KEY_BITS      64

/* LSD radix sort, 16 bits a pass, skipping passes where every key agrees. */
void sort_ticks(uint64_t *ticks, size_t n)
{
    uint64_t *tmp = malloc(n * sizeof(*tmp));
    size_t *count = malloc(RADIX_BUCKETS * sizeof(*count));
    if (!tmp || !count) {
        fprintf(stderr, "benchmark_accurate: out of memory sorting %zu samples\n", n);
        exit(1);
    }
    uint64_t *src = ticks, *dst = tmp;
    for (unsigned shift = 0; shift < KEY_BITS; shift += RADIX_BITS) {
        memset(count, 0, RADIX_BUCKETS * sizeof(*count));
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (RADIX_BUCKETS - 1)]++;
        if (n && count[(src[0] >> shift) & (RADIX_BUCKETS - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < RADIX_BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (RADIX_BUCKETS - 1)]++] = src[i];
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != ticks)
        memcpy(ticks, src, n * sizeof(*ticks));
    free(tmp);
    free(count);
}

uint64_t percentile_ticks(const uint64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median_of(double *values, size_t n)
{
    qsort(values, n, sizeof(*values), compare_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
