/* SPDX-License-Identifier: MIT */
/* anchors.c - what both halves of the benchmark compute alike (anchors.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

bool anchors_is_bookkeeping(const char *field)
{
    static const char *const names[] = {ANCHORS_BOOKKEEPING};
    size_t n = strlen(field), suffix = strlen(".peak");
    if (n >= suffix && !strcmp(field + n - suffix, ".peak"))
        return true;
    return anchors_find(field, names, ANCHORS_COUNT_OF(names)) >= 0;
}

bool anchors_parse_count(const char *program, const char *opt, const char *arg,
                         unsigned long long min, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
        fprintf(stderr, "%s: %s: '%s' is not a whole number from %llu to %llu\n", program, opt, arg,
                min, max);
        return false;
    }
    *out = v;
    return true;
}
