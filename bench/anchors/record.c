/* SPDX-License-Identifier: MIT */
/*
 * record.c - what a measuring program keeps and prints: harness memory (its
 * own mmap, never the allocator under test), per-call samples, the counter
 * attribution, and the "info"/"metric" lines of anchors.h.
 *
 * Latencies are printed gross: ticks / ticks_per_ns, the timer's own cost
 * included.  The timer floor is printed beside them (timer.floor_ns) and the
 * report shows it; nothing subtracts it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "percentile.h"

#define NS_PER_SEC 1e9
#define KEY_BYTES  160
#define TAIL_COUNT 3

const char *const op_names[OP_COUNT] = {"alloc", "touch", "free"};

/* Backed at once (MAP_POPULATE), so no page fault of the harness's own lands
 * in a measurement. */
void *harness_array(size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                   -1, 0);
    if (p == MAP_FAILED)
        die("mmap of %zu bytes of harness memory: %s", bytes, strerror(errno));
    return p;
}

void harness_array_free(void *p, size_t bytes)
{
    munmap(p, bytes ? bytes : 1);
}

double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * NS_PER_SEC + (double)ts.tv_nsec;
}

double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * NS_PER_SEC + (double)ts.tv_nsec;
}

/* The "cpu" line of /proc/stat: user nice system idle iowait irq softirq
 * steal ..., in USER_HZ ticks (proc(5)). */
double machine_steal_ns(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    int n = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                       &v[4], &v[5], &v[6], &v[7])
              : 0;
    if (f)
        fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return n == 8 && hz > 0 ? (double)v[7] * NS_PER_SEC / (double)hz : 0;
}

/* splitmix64: small, fast, and the same sequence on every machine. */
uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t *random_slots(size_t pairs, size_t live, uint64_t seed)
{
    uint32_t *slot = harness_array(pairs * sizeof(*slot));
    for (size_t i = 0; i < pairs; i++)
        slot[i] = (uint32_t)(rng_next(&seed) % live);
    return slot;
}

void recorder_init(struct recorder *r, size_t cap, enum mode mode)
{
    memset(r, 0, sizeof(*r));
    r->cap = cap;
    for (int op = 0; op < OP_COUNT; op++) {
        r->ticks[op] = harness_array(cap * sizeof(uint64_t));
        if (mode == MODE_ATTRIBUTE)
            r->moved[op] = harness_array(cap * sizeof(uint64_t));
    }
    r->attr.fields = backend.counter_count + 1;
    if (r->attr.fields > ATTR_MAX_FIELDS)
        r->attr.fields = ATTR_MAX_FIELDS;
}

void recorder_fini(struct recorder *r)
{
    for (int op = 0; op < OP_COUNT; op++) {
        harness_array_free(r->ticks[op], r->cap * sizeof(uint64_t));
        if (r->moved[op])
            harness_array_free(r->moved[op], r->cap * sizeof(uint64_t));
    }
}

/* ---- attribution --------------------------------------------------------- */

/* The first fields - 1 counters, then the thread's page faults. */
static void attr_read(const struct attr *a, uint64_t *v)
{
    uint64_t all[MAX_COUNTERS];
    struct rusage ru;
    size_t counters = a->fields - 1;
    if (backend.counter_count) {
        backend.counters_read(all);
        memcpy(v, all, counters * sizeof(*v));
    }
    getrusage(RUSAGE_THREAD, &ru);
    v[counters] = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static const char *attr_field_name(size_t i, size_t fields)
{
    return i == fields - 1 ? "page_faults" : backend.counter_names[i];
}

void attr_start(struct attr *a)
{
    if (a->fields)
        attr_read(a, a->prev);
}

uint64_t attr_step(struct attr *a)
{
    uint64_t now[ATTR_MAX_FIELDS], moved = 0;
    attr_read(a, now);
    for (size_t i = 0; i < a->fields; i++) {
        if (now[i] != a->prev[i])
            moved |= (uint64_t)1 << i;
        a->prev[i] = now[i];
    }
    return moved;
}

/* ---- output -------------------------------------------------------------- */

void emit_info(const char *key, const char *fmt, ...)
{
    va_list ap;
    printf("info %s ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void emit_metric(const char *key, double value)
{
    printf("metric %s %.17g\n", key, value);
}

static void emit_metricf(double value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_metricf(double value, const char *fmt, ...)
{
    char key[KEY_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof(key), fmt, ap);
    va_end(ap);
    emit_metric(key, value);
}

void emit_counters(const char *phase)
{
    uint64_t v[MAX_COUNTERS];
    if (!backend.counter_count)
        return;
    backend.counters_read(v);
    for (size_t i = 0; i < backend.counter_count; i++)
        emit_metricf((double)v[i], "counter.%s.%s", phase, backend.counter_names[i]);
}

void emit_timer(const struct tsc_timer *t)
{
    emit_metric("timer.ticks_per_ns", t->ticks_per_ns);
    emit_metric("timer.floor_ns", (double)t->overhead_median_ticks / t->ticks_per_ns);
    emit_metric("timer.overhead_mean_ns", t->overhead_ticks / t->ticks_per_ns);
    emit_metric("timer.overhead_min_ns", (double)t->overhead_min_ticks / t->ticks_per_ns);
    emit_metric("timer.resolution_ns", (double)t->resolution_ticks / t->ticks_per_ns);
    emit_metric("timer.rdtscp", t->rdtscp);
    emit_metric("timer.invariant_tsc", t->invariant);
}

void emit_timing(const struct timing *t, unsigned threads)
{
    double seconds = (t->end_ns - t->start_ns) / NS_PER_SEC;
    emit_metric("ops", (double)t->ops);
    emit_metric("seconds", seconds);
    emit_metric("threads", threads);
    emit_metric("mops", seconds > 0 ? (double)t->ops / seconds / 1e6 : 0);
    if (t->cpu_ns > 0) {
        /* What the threads got of their wall time on a CPU, and their calls
         * per second of CPU time: what they did when they ran. */
        emit_metric("cpu_seconds", t->cpu_ns / NS_PER_SEC);
        emit_metric("cpu_share", seconds > 0 ? t->cpu_ns / NS_PER_SEC / seconds / threads : 0);
        emit_metric("mops_per_cpu_second", (double)t->ops / (t->cpu_ns / NS_PER_SEC) / 1e6);
        emit_metric("steal_seconds", t->steal_ns / NS_PER_SEC);
    }
}

/* Bit f is set for each bookkeeping field (anchors.h). */
static uint64_t bookkeeping_fields(size_t fields)
{
    uint64_t mask = 0;
    for (size_t f = 0; f < fields; f++) {
        if (anchors_is_bookkeeping(attr_field_name(f, fields)))
            mask |= (uint64_t)1 << f;
    }
    return mask;
}

/* The calls at or above each tail's threshold, and which fields they moved. */
static void emit_attribution(const char *op, const uint64_t *ticks, const uint64_t *moved, size_t n,
                             const uint64_t *sorted, const struct tsc_timer *t, size_t fields)
{
    static const char *const tail_names[TAIL_COUNT] = {"p99", "p999", "all"};
    static const double tail_q[TAIL_COUNT] = {0.99, 0.999, 0.0};
    uint64_t bookkeeping = bookkeeping_fields(fields);
    for (int k = 0; k < TAIL_COUNT; k++) {
        uint64_t threshold = tail_q[k] > 0 ? percentile_ticks(sorted, n, tail_q[k]) : 0;
        uint64_t count[ATTR_MAX_FIELDS] = {0}, ops = 0, none = 0;
        for (size_t i = 0; i < n; i++) {
            if (ticks[i] < threshold)
                continue;
            ops++;
            none += (moved[i] & ~bookkeeping) == 0;
            for (size_t f = 0; f < fields; f++)
                count[f] += (moved[i] >> f) & 1;
        }
        emit_metricf((double)threshold / t->ticks_per_ns, "attr.%s.%s.threshold_ns", op,
                     tail_names[k]);
        emit_metricf((double)ops, "attr.%s.%s.ops", op, tail_names[k]);
        emit_metricf((double)none, "attr.%s.%s.none", op, tail_names[k]);
        for (size_t f = 0; f < fields; f++)
            emit_metricf((double)count[f], "attr.%s.%s.moved.%s", op, tail_names[k],
                         attr_field_name(f, fields));
    }
}

/*
 * The steps latencies come in, in ticks: the median gap between two
 * neighbouring distinct values up to p90 (the body of the distribution, where
 * the values are dense).  A timer that reads in steps shows its step here,
 * however rare an odd value between steps is.
 */
static double latency_step(const uint64_t *sorted, size_t n)
{
    size_t body = n - n / 10, gaps = 0;
    double *gap = harness_array(body * sizeof(*gap)), step;
    for (size_t i = 1; i < body; i++) {
        if (sorted[i] != sorted[i - 1])
            gap[gaps++] = (double)(sorted[i] - sorted[i - 1]);
    }
    step = gaps ? median_of(gap, gaps) : 0;
    harness_array_free(gap, body * sizeof(*gap));
    return step;
}

static void emit_latency(const char *op, const uint64_t *sorted, size_t n,
                         const struct tsc_timer *t)
{
    static const double q[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
    static const char *const qname[] = {"p50", "p90", "p99", "p999", "p9999"};
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)sorted[i];
    emit_metricf((double)n, "lat.%s.n", op);
    double step = latency_step(sorted, n);
    if (step > 0) /* else every value up to p90 was the same: no step seen */
        emit_metricf(step / t->ticks_per_ns, "lat.%s.step_ns", op);
    emit_metricf(sum / (double)n / t->ticks_per_ns, "lat.%s.mean", op);
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
        emit_metricf((double)percentile_ticks(sorted, n, q[i]) / t->ticks_per_ns, "lat.%s.%s", op,
                     qname[i]);
    emit_metricf((double)sorted[n - 1] / t->ticks_per_ns, "lat.%s.max", op);
    for (int i = 0; i < ANCHORS_CDF_POINTS; i++) {
        double qi = anchors_cdf_quantile(i);
        uint64_t v = qi <= 0 ? sorted[0] : percentile_ticks(sorted, n, qi);
        emit_metricf((double)v / t->ticks_per_ns, "cdf.%s.%d", op, i);
    }
}

void emit_samples(struct recorder *const *recs, size_t nrecs, const struct tsc_timer *t,
                  enum mode mode)
{
    for (int op = 0; op < OP_COUNT; op++) {
        size_t n = 0, at = 0;
        for (size_t r = 0; r < nrecs; r++)
            n += recs[r]->n[op];
        if (n == 0)
            continue;
        uint64_t *ticks = harness_array(n * sizeof(*ticks));
        uint64_t *sorted = harness_array(n * sizeof(*sorted));
        uint64_t *moved = mode == MODE_ATTRIBUTE ? harness_array(n * sizeof(*moved)) : NULL;
        for (size_t r = 0; r < nrecs; r++) {
            size_t k = recs[r]->n[op];
            memcpy(ticks + at, recs[r]->ticks[op], k * sizeof(*ticks));
            if (moved)
                memcpy(moved + at, recs[r]->moved[op], k * sizeof(*moved));
            at += k;
        }
        memcpy(sorted, ticks, n * sizeof(*sorted));
        sort_ticks(sorted, n);
        emit_latency(op_names[op], sorted, n, t);
        if (moved) {
            emit_attribution(op_names[op], ticks, moved, n, sorted, t, recs[0]->attr.fields);
            harness_array_free(moved, n * sizeof(*moved));
        }
        harness_array_free(sorted, n * sizeof(*sorted));
        harness_array_free(ticks, n * sizeof(*ticks));
    }
}
