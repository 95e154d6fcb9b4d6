/* SPDX-License-Identifier: MIT */
/*
 * store.c - every figure of every run, by measurement kind and allocator:
 * a cell holds named series (one value per run) and the last text of each
 * info key.  Keys are whatever the measuring programs print, so a counter
 * the core adds is stored, reported and written to JSON with no change here.
 *
 * Derived figures, computed per run before any median (store_derive):
 *   footprint  derived.peak_over_payload  (rss.peak - rss.baseline) / payload
 *              derived.peak_bytes, derived.after_free_bytes,
 *              derived.retained_bytes      the same, less the baseline
 *   tiny       derived.tiny_minus_baseline rss.tiny - glibc's rss.tiny
 *   scaling-2  derived.scaling             mops(2 threads) / mops(1 thread)
 *              derived.scaling_cpu         2 x mops_per_cpu_second(2 threads) /
 *                                          mops_per_cpu_second(1 thread): the
 *                                          scaling had each thread had a CPU
 *                                          of its own all the time
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "percentile.h"

struct series {
    char *key;
    double v[MAX_RUNS];
    bool has[MAX_RUNS];
};

struct info {
    char *key, *text;
};

struct cell {
    struct series *series;
    size_t count, cap;
    struct info *info;
    size_t info_count, info_cap;
};

struct store {
    int runs;
    struct cell cell[KIND_COUNT][ANCHORS_ALLOCATOR_COUNT];
    char **failures;
    size_t failure_count, failure_cap;
};

static void *grow(void *array, size_t *cap, size_t elem)
{
    size_t n = *cap ? *cap * 2 : 64;
    void *p = realloc(array, n * elem);
    if (!p) {
        fprintf(stderr, "zslab-anchors: out of memory\n");
        exit(1);
    }
    *cap = n;
    return p;
}

static char *copy(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fprintf(stderr, "zslab-anchors: out of memory\n");
        exit(1);
    }
    return p;
}

struct store *store_new(int runs)
{
    struct store *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "zslab-anchors: out of memory\n");
        exit(1);
    }
    s->runs = runs;
    return s;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    for (int k = 0; k < KIND_COUNT; k++) {
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            struct cell *c = &s->cell[k][a];
            for (size_t i = 0; i < c->count; i++)
                free(c->series[i].key);
            for (size_t i = 0; i < c->info_count; i++) {
                free(c->info[i].key);
                free(c->info[i].text);
            }
            free(c->series);
            free(c->info);
        }
    }
    for (size_t i = 0; i < s->failure_count; i++)
        free(s->failures[i]);
    free(s->failures);
    free(s);
}

static struct series *find(const struct cell *c, const char *key)
{
    for (size_t i = 0; i < c->count; i++) {
        if (!strcmp(c->series[i].key, key))
            return &c->series[i];
    }
    return NULL;
}

void store_metric(struct store *s, int kind, int alloc, int run, const char *key, double v)
{
    struct cell *c = &s->cell[kind][alloc];
    struct series *se = find(c, key);
    if (run < 0 || run >= s->runs)
        return;
    if (!se) {
        if (c->count == c->cap)
            c->series = grow(c->series, &c->cap, sizeof(*c->series));
        se = &c->series[c->count++];
        memset(se, 0, sizeof(*se));
        se->key = copy(key);
    }
    se->v[run] = v;
    se->has[run] = true;
}

void store_info(struct store *s, int kind, int alloc, const char *key, const char *text)
{
    struct cell *c = &s->cell[kind][alloc];
    for (size_t i = 0; i < c->info_count; i++) {
        if (!strcmp(c->info[i].key, key)) {
            free(c->info[i].text);
            c->info[i].text = copy(text);
            return;
        }
    }
    if (c->info_count == c->info_cap)
        c->info = grow(c->info, &c->info_cap, sizeof(*c->info));
    c->info[c->info_count++] = (struct info){copy(key), copy(text)};
}

struct stats store_stats(const struct store *s, int kind, int alloc, const char *key)
{
    struct stats st = {0};
    double v[MAX_RUNS];
    const struct series *se = find(&s->cell[kind][alloc], key);
    if (!se)
        return st;
    for (int r = 0; r < s->runs; r++) {
        if (!se->has[r])
            continue;
        if (st.n == 0 || se->v[r] < st.min)
            st.min = se->v[r];
        if (st.n == 0 || se->v[r] > st.max)
            st.max = se->v[r];
        v[st.n++] = se->v[r];
    }
    if (st.n)
        st.median = median_of(v, (size_t)st.n);
    return st;
}

struct stats store_pooled(const struct store *s, unsigned kind_flags, const char *key)
{
    struct stats st = {0};
    size_t n = 0;
    double *v = malloc(sizeof(double) * KIND_COUNT * ANCHORS_ALLOCATOR_COUNT * MAX_RUNS);
    if (!v) {
        fprintf(stderr, "zslab-anchors: out of memory\n");
        exit(1);
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!(kinds[k].flags & kind_flags))
            continue;
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            for (int r = 0; r < s->runs; r++)
                n += store_value(s, k, a, r, key, &v[n]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        st.min = i == 0 || v[i] < st.min ? v[i] : st.min;
        st.max = i == 0 || v[i] > st.max ? v[i] : st.max;
    }
    if (n)
        st.median = median_of(v, n);
    st.n = (int)n;
    free(v);
    return st;
}

bool store_value(const struct store *s, int kind, int alloc, int run, const char *key, double *v)
{
    const struct series *se = find(&s->cell[kind][alloc], key);
    if (!se || run < 0 || run >= s->runs || !se->has[run])
        return false;
    *v = se->v[run];
    return true;
}

const char *store_info_text(const struct store *s, int kind, int alloc, const char *key)
{
    const struct cell *c = &s->cell[kind][alloc];
    for (size_t i = 0; i < c->info_count; i++) {
        if (!strcmp(c->info[i].key, key))
            return c->info[i].text;
    }
    return NULL;
}

size_t store_key_count(const struct store *s, int kind, int alloc)
{
    return s->cell[kind][alloc].count;
}

const char *store_key(const struct store *s, int kind, int alloc, size_t i)
{
    return s->cell[kind][alloc].series[i].key;
}

int store_runs(const struct store *s)
{
    return s->runs;
}

/* rss.KEY - rss.baseline of the footprint run, as derived.NAME. */
static void derive_over_baseline(struct store *s, int a, int r, const char *key, const char *name)
{
    double v, base;
    if (store_value(s, K_FOOTPRINT, a, r, key, &v) &&
        store_value(s, K_FOOTPRINT, a, r, "rss.baseline", &base))
        store_metric(s, K_FOOTPRINT, a, r, name, v - base);
}

void store_derive(struct store *s)
{
    int glibc = allocator_index(ANCHORS_BASELINE);
    for (int r = 0; r < s->runs; r++) {
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            double peak, payload, one, two, tiny, base;
            derive_over_baseline(s, a, r, "rss.peak", "derived.peak_bytes");
            derive_over_baseline(s, a, r, "rss.after_free", "derived.after_free_bytes");
            derive_over_baseline(s, a, r, "rss.after_trim", "derived.retained_bytes");
            if (store_value(s, K_FOOTPRINT, a, r, "derived.peak_bytes", &peak) &&
                store_value(s, K_FOOTPRINT, a, r, "payload_bytes", &payload) && payload > 0)
                store_metric(s, K_FOOTPRINT, a, r, "derived.peak_over_payload", peak / payload);
            if (store_value(s, K_TINY, a, r, "rss.tiny", &tiny) &&
                store_value(s, K_TINY, glibc, r, "rss.tiny", &base))
                store_metric(s, K_TINY, a, r, "derived.tiny_minus_baseline", tiny - base);
            if (store_value(s, K_SCALING_1, a, r, "mops", &one) &&
                store_value(s, K_SCALING_2, a, r, "mops", &two) && one > 0)
                store_metric(s, K_SCALING_2, a, r, "derived.scaling", two / one);
            if (store_value(s, K_SCALING_1, a, r, "mops_per_cpu_second", &one) &&
                store_value(s, K_SCALING_2, a, r, "mops_per_cpu_second", &two) && one > 0)
                store_metric(s, K_SCALING_2, a, r, "derived.scaling_cpu", 2 * two / one);
        }
    }
}

void store_failure(struct store *s, int kind, int alloc, int run, const char *why)
{
    char text[TEXT_BYTES * 2];
    snprintf(text, sizeof(text), "%s, %s, run %d: %s", kinds[kind].id, allocator_names[alloc],
             run + 1, why);
    if (s->failure_count == s->failure_cap)
        s->failures = grow(s->failures, &s->failure_cap, sizeof(*s->failures));
    s->failures[s->failure_count++] = copy(text);
}

size_t store_failure_count(const struct store *s)
{
    return s->failure_count;
}

const char *store_failure_text(const struct store *s, size_t i)
{
    return s->failures[i];
}
