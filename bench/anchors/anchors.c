/* SPDX-License-Identifier: MIT */
/* anchors.c - what both halves of the benchmark compute alike (anchors.h). */
#include <math.h>
#include <string.h>

#include "anchors.h"

#define CDF_BASE 10.0

double anchors_cdf_quantile(int i)
{
    if (i >= ANCHORS_CDF_POINTS - 1)
        return 1.0;
    return 1.0 - pow(CDF_BASE, -(double)i / ANCHORS_CDF_PER_NINE);
}

int anchors_find(const char *name, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!strcmp(name, names[i]))
            return (int)i;
    }
    return -1;
}
