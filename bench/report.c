/* SPDX-License-Identifier: MIT */
/*
 * report.c - benchmark_accurate's output: the Phase 1.5 sections (text) or
 * one JSON object.  Latencies are net of the timer's median overhead, which is
 * printed with them.  The regression lines are Phase 1.5's thresholds, for
 * reading; nothing here fails the program.
 */
#include <inttypes.h>
#include <stdio.h>

#include "accurate.h"

#define P50_LIMIT_NS          50.0
#define P99_LIMIT_NS          2000.0
#define PLATFORM_CALLS_TARGET 100.0 /* per 1M allocations */

struct check {
    const char *name; /* the failure condition, as the release note words it */
    const char *meaning;
    bool pass;
    double value;
    char detail[80];
};

enum { CHECK_COUNT = 6 };

static double calls_per_million(const struct options *opt, const struct run_result *r)
{
    return (double)(r->platform_maps + r->platform_unmaps) * ALLOCS_PER_MILLION /
           (double)opt->iterations;
}

static void regression_checks(const struct options *opt, const struct summary *s,
                              struct check out[CHECK_COUNT])
{
    const zslab_counters_t *c = &s->last.counters;
    double calls = calls_per_million(opt, &s->last);
    out[0] = (struct check){"p50 > 50ns", "fast path degraded", s->alloc.p50_ns <= P50_LIMIT_NS,
                            s->alloc.p50_ns, ""};
    snprintf(out[0].detail, sizeof(out[0].detail), "p50 = %.0f ns", s->alloc.p50_ns);
    out[1] = (struct check){"p99 > 2000ns", "cache not working", s->alloc.p99_ns <= P99_LIMIT_NS,
                            s->alloc.p99_ns, ""};
    snprintf(out[1].detail, sizeof(out[1].detail), "p99 = %.0f ns", s->alloc.p99_ns);
    out[2] = (struct check){"current_partial_miss > 0", "fast path broken",
                            c->current_partial_miss == 0, (double)c->current_partial_miss, ""};
    snprintf(out[2].detail, sizeof(out[2].detail), "current_partial_miss = %" PRIu64,
             c->current_partial_miss);
    out[3] = (struct check){"slow_path_hits != new_slab_count", "logic error",
                            c->slow_path_hits == c->new_slab_count,
                            (double)c->slow_path_hits - (double)c->new_slab_count, ""};
    snprintf(out[3].detail, sizeof(out[3].detail), "%" PRIu64 " %s %" PRIu64, c->slow_path_hits,
             out[3].pass ? "==" : "!=", c->new_slab_count);
    out[4] = (struct check){"platform memory calls > 100 per 1M allocations",
                            "chunks not amortizing", calls <= PLATFORM_CALLS_TARGET, calls, ""};
    snprintf(out[4].detail, sizeof(out[4].detail), "%.0f per 1M", calls);
    double sys =
        (double)syscall_total(&s->last.syscalls) * ALLOCS_PER_MILLION / (double)opt->iterations;
    out[5] = (struct check){"memory syscalls > 100 per 1M allocations (Phase 2)",
                            "reservations not amortizing", sys <= PLATFORM_CALLS_TARGET, sys, ""};
    snprintf(out[5].detail, sizeof(out[5].detail), "%.0f per 1M, as strace counts them", sys);
}

const char *prefault_name(zslab_prefault_t p)
{
    return p == ZSLAB_PREFAULT_CHUNK ? "chunk" : p == ZSLAB_PREFAULT_AHEAD ? "ahead" : "none";
}

uint64_t syscall_total(const struct zslab_linux_syscalls *s)
{
    return s->mmap + s->munmap + s->madvise + s->mbind;
}

static size_t class_bytes(const struct options *opt)
{
    size_t b = zslab_class_size(zslab_class_of(opt->object_bytes));
    return b ? b : opt->object_bytes;
}

/* One sentence naming what the allocations at or above p999 were doing. */
static void attribution(char *buf, size_t size, const struct summary *s)
{
    const struct tail *t = &s->last.alloc_p999;
    const zslab_counters_t *c = &s->last.counters;
    uint64_t slow = t->ops[CAUSE_SLOW] + t->ops[CAUSE_PLATFORM];
    uint64_t total = slow + t->ops[CAUSE_FAST];
    if (c->large_allocs) {
        snprintf(buf, size,
                 "every allocation above %u B maps its own memory from the platform (%" PRIu64
                 " large allocations); %" PRIu64 " of the %" PRIu64
                 " allocations at or above p999 mapped memory",
                 ZSLAB_MAX_CLASS_BYTES, c->large_allocs, t->ops[CAUSE_PLATFORM], total);
    } else if (slow >= t->ops[CAUSE_FAST]) {
        const zslab_counters_t *a = &s->last.total;
        snprintf(buf, size,
                 "p99/p999 spikes primarily from %" PRIu64 " new slab allocations (%" PRIu64
                 " carved from chunks, %" PRIu64 " from the slab cache, %" PRIu64
                 " of them cross-class reuses): %" PRIu64 " of the %" PRIu64
                 " allocations at or above p999 took the slow path, %" PRIu64
                 " of them mapping a reservation; frees recycled %" PRIu64 " slabs, %" PRIu64
                 " of them remote frees; the cache grew %" PRIu64 " and shrank %" PRIu64
                 " times, decay released %" PRIu64 " bytes and returned %" PRIu64 " chunks",
                 c->new_slab_count, c->cache_misses, c->cache_hits, c->cross_class_reuses, slow,
                 total, t->ops[CAUSE_PLATFORM], a->recycled_slabs, a->remote_frees, a->cache_grows,
                 a->cache_shrinks, a->bytes_released, a->chunks_returned);
    } else {
        snprintf(buf, size,
                 "p99/p999 spikes primarily from fast-path outliers (interrupts, preemption, "
                 "cache misses): %" PRIu64 " of the %" PRIu64
                 " allocations at or above p999 took the fast path; %" PRIu64
                 " were new slab allocations (%" PRIu64 " mapping a reservation) of the %" PRIu64
                 " in the run",
                 t->ops[CAUSE_FAST], total, slow, t->ops[CAUSE_PLATFORM], c->new_slab_count);
    }
}

static void print_latency(const char *title, const struct latency *l)
{
    printf("--- %s ---\n", title);
    printf("Average: %.1f ns\n", l->average_ns);
    printf("p50:     %.0f ns\n", l->p50_ns);
    printf("p99:     %.0f ns\n", l->p99_ns);
    printf("p999:    %.0f ns\n\n", l->p999_ns);
}

void report_text(const struct options *opt, const struct tsc_timer *timer, const struct summary *s)
{
    const zslab_counters_t *c = &s->last.counters;
    char line[512];
    struct check checks[CHECK_COUNT];

    printf("ZNS-Slab benchmark_accurate: %zu B objects (size class %zu B), %zu iterations, "
           "median of %d runs\n",
           opt->object_bytes, class_bytes(opt), opt->iterations, opt->runs);
    printf("Workload: allocate all, then free all in order; each call timed alone, %s\n",
           opt->touch_timed ? "with the first write to the object (--touch)"
                            : "the first write to the object untimed (--touch times it)");
    printf("Config:   chunk %zu MiB, slab %zu KiB, reserve %zu MiB, thread cache %zu KiB per "
           "class, slab cache %u..%u slabs, decay %u ms, prefault %s\n",
           ZSLAB_DEFAULT_CHUNK_BYTES >> 20, ZSLAB_DEFAULT_SLAB_BYTES >> 10,
           ZSLAB_DEFAULT_RESERVE_BYTES >> 20, ZSLAB_DEFAULT_THREAD_CACHE_BYTES >> 10,
           ZSLAB_DEFAULT_CLASS_CACHE_SLABS, ZSLAB_DEFAULT_CACHE_MAX_SLABS, ZSLAB_DEFAULT_DECAY_MS,
           prefault_name(opt->prefault));
    printf("Timer:    TSC, %s-serialized, %.1f MHz against CLOCK_MONOTONIC%s\n",
           timer->rdtscp ? "lfence/rdtscp" : "lfence/rdtsc (no rdtscp)", timer->ticks_per_ns * 1e3,
           timer->invariant ? "" : " (TSC NOT invariant: unreliable)");
    printf("Timer overhead: %.1f ns per measurement (mean of 1M empty ones; median %.1f, min "
           "%.1f), subtracted from every latency below\n",
           timer->overhead_ticks / timer->ticks_per_ns,
           (double)timer->overhead_median_ticks / timer->ticks_per_ns,
           (double)timer->overhead_min_ticks / timer->ticks_per_ns);
    printf("Timer resolution: %.1f ns (the TSC advances %" PRIu64 " ticks at a time here; "
           "percentiles move in steps of it)\n\n",
           (double)timer->resolution_ticks / timer->ticks_per_ns, timer->resolution_ticks);

    print_latency("Allocation Latency", &s->alloc);
    print_latency("Free Latency", &s->free);

    if (c->large_allocs)
        printf("--- Tail Latency Attribution (%zuB large objects) ---\n", opt->object_bytes);
    else
        printf("--- Tail Latency Attribution (%zuB size class) ---\n", class_bytes(opt));
    printf("Slow path hits:             %" PRIu64 "\n", c->slow_path_hits);
    printf("New slabs allocated:        %" PRIu64 "\n", c->new_slab_count);
    printf("Moves PARTIAL->FULL:        %" PRIu64 "\n", c->list_move_partial_to_full);
    printf("Moves FULL->PARTIAL:        %" PRIu64 "\n", c->list_move_full_to_partial);
    printf("current_partial misses:     %" PRIu64 "\n", c->current_partial_miss);
    printf("Slab cache hits/misses:     %" PRIu64 " / %" PRIu64 "\n", c->cache_hits,
           c->cache_misses);
    printf("Platform memory calls:      %" PRIu64 " (%" PRIu64 " map, %" PRIu64
           " unmap) = %.0f per 1M allocations\n",
           s->last.platform_maps + s->last.platform_unmaps, s->last.platform_maps,
           s->last.platform_unmaps, calls_per_million(opt, &s->last));
    const struct zslab_linux_syscalls *sys = &s->last.syscalls;
    printf("Memory syscalls:            %" PRIu64 " (%" PRIu64 " mmap, %" PRIu64 " munmap, %" PRIu64
           " madvise, %" PRIu64 " mbind), as strace -c counts them\n",
           syscall_total(sys), sys->mmap, sys->munmap, sys->madvise, sys->mbind);
    const zslab_counters_t *t = &s->last.total;
    printf("Recycling and decay:        %" PRIu64 " recycled slabs, %" PRIu64
           " cross-class reuses, cache grows/shrinks %" PRIu64 " / %" PRIu64 ", %" PRIu64
           " bytes released, %" PRIu64 " chunks returned, %" PRIu64 " remote frees\n",
           t->recycled_slabs, t->cross_class_reuses, t->cache_grows, t->cache_shrinks,
           t->bytes_released, t->chunks_returned, t->remote_frees);
    attribution(line, sizeof(line), s);
    printf("Attribution: %s\n\n", line);

    printf("--- Regression Detection ---\n");
    regression_checks(opt, s, checks);
    for (int i = 0; i < CHECK_COUNT; i++)
        printf("%s  %s -> %s (%s)\n", checks[i].pass ? "PASS" : "FAIL", checks[i].name,
               checks[i].meaning, checks[i].detail);
}

static void json_latency(FILE *out, const char *name, const struct latency *l)
{
    fprintf(out, "  \"%s\": {\"average\": %.1f, \"p50\": %.0f, \"p99\": %.0f, \"p999\": %.0f},\n",
            name, l->average_ns, l->p50_ns, l->p99_ns, l->p999_ns);
}

static void json_tail(FILE *out, const char *name, const struct tail *t, bool last)
{
    fprintf(out,
            "    \"%s\": {\"threshold_ns\": %.0f, \"fast\": %" PRIu64 ", \"slow\": %" PRIu64
            ", \"platform\": %" PRIu64 "}%s\n",
            name, t->threshold_ns, t->ops[CAUSE_FAST], t->ops[CAUSE_SLOW], t->ops[CAUSE_PLATFORM],
            last ? "" : ",");
}

void report_json(FILE *out, const struct options *opt, const struct tsc_timer *timer,
                 const struct summary *s)
{
    const zslab_counters_t *c = &s->last.counters;
    char line[512];
    struct check checks[CHECK_COUNT];

    fprintf(out, "{\n  \"benchmark\": \"benchmark_accurate\",\n");
    fprintf(out,
            "  \"object_bytes\": %zu,\n  \"class_bytes\": %zu,\n  \"iterations\": %zu,\n"
            "  \"runs\": %d,\n  \"touch_timed\": %s,\n",
            opt->object_bytes, class_bytes(opt), opt->iterations, opt->runs,
            opt->touch_timed ? "true" : "false");
    fprintf(out,
            "  \"config\": {\"chunk_bytes\": %zu, \"slab_bytes\": %zu, \"class_cache_slabs\": %u, "
            "\"prefault\": \"%s\"},\n",
            ZSLAB_DEFAULT_CHUNK_BYTES, ZSLAB_DEFAULT_SLAB_BYTES, ZSLAB_DEFAULT_CLASS_CACHE_SLABS,
            prefault_name(opt->prefault));
    fprintf(out,
            "  \"timer\": {\"source\": \"tsc\", \"mhz\": %.1f, \"invariant\": %s, \"rdtscp\": %s, "
            "\"overhead_ns\": %.1f, \"overhead_median_ns\": %.1f, \"overhead_min_ns\": %.1f, "
            "\"resolution_ns\": %.3f, \"overhead_subtracted\": true},\n",
            timer->ticks_per_ns * 1e3, timer->invariant ? "true" : "false",
            timer->rdtscp ? "true" : "false", timer->overhead_ticks / timer->ticks_per_ns,
            (double)timer->overhead_median_ticks / timer->ticks_per_ns,
            (double)timer->overhead_min_ticks / timer->ticks_per_ns,
            (double)timer->resolution_ticks / timer->ticks_per_ns);
    json_latency(out, "alloc_ns", &s->alloc);
    json_latency(out, "free_ns", &s->free);
    const char *sep = "";
    fprintf(out, "  \"counters\": {");
#define JSON_COUNTER(name, doc)                                                                    \
    fprintf(out, "%s\"%s\": %" PRIu64, sep, #name, c->name);                                       \
    sep = ", ";
#define JSON_GAUGE(name, doc)                                                                      \
    fprintf(out, "%s\"%s\": {\"current\": %" PRIu64 ", \"peak\": %" PRIu64 "}", sep, #name,        \
            c->name.current, c->name.peak);                                                        \
    sep = ", ";
    ZSLAB_COUNTER_LIST(JSON_COUNTER, JSON_GAUGE)
#undef JSON_COUNTER
#undef JSON_GAUGE
    fprintf(out, "},\n");
    fprintf(out,
            "  \"platform_calls\": {\"map\": %" PRIu64 ", \"unmap\": %" PRIu64
            ", \"per_million_allocations\": %.1f},\n",
            s->last.platform_maps, s->last.platform_unmaps, calls_per_million(opt, &s->last));
    const struct zslab_linux_syscalls *sys = &s->last.syscalls;
    fprintf(out,
            "  \"memory_syscalls\": {\"mmap\": %" PRIu64 ", \"munmap\": %" PRIu64
            ", \"madvise\": %" PRIu64 ", \"mbind\": %" PRIu64 ", \"total\": %" PRIu64 "},\n",
            sys->mmap, sys->munmap, sys->madvise, sys->mbind, syscall_total(sys));
    const zslab_counters_t *t = &s->last.total;
    fprintf(out,
            "  \"instance\": {\"recycled_slabs\": %" PRIu64 ", \"cross_class_reuses\": %" PRIu64
            ", \"cache_grows\": %" PRIu64 ", \"cache_shrinks\": %" PRIu64
            ", \"bytes_released\": %" PRIu64 ", \"chunks_returned\": %" PRIu64
            ", \"remote_frees\": %" PRIu64 "},\n",
            t->recycled_slabs, t->cross_class_reuses, t->cache_grows, t->cache_shrinks,
            t->bytes_released, t->chunks_returned, t->remote_frees);
    fprintf(out, "  \"tail\": {\n");
    json_tail(out, "alloc_p99", &s->last.alloc_p99, false);
    json_tail(out, "alloc_p999", &s->last.alloc_p999, false);
    json_tail(out, "free_p999", &s->last.free_p999, true);
    fprintf(out, "  },\n");
    attribution(line, sizeof(line), s);
    fprintf(out, "  \"attribution\": \"%s\",\n", line);
    fprintf(out, "  \"regression\": [\n");
    regression_checks(opt, s, checks);
    for (int i = 0; i < CHECK_COUNT; i++)
        fprintf(out,
                "    {\"check\": \"%s\", \"meaning\": \"%s\", \"value\": %.1f, \"pass\": %s}%s\n",
                checks[i].name, checks[i].meaning, checks[i].value,
                checks[i].pass ? "true" : "false", i + 1 < CHECK_COUNT ? "," : "");
    fprintf(out, "  ]\n}\n");
}

void report_curve(FILE *out, const struct summary *s)
{
    const struct latency *a = &s->last.alloc, *f = &s->last.free;
    fprintf(out, "# benchmark_accurate latency by percentile (last run, net of timer overhead)\n"
                 "# quantile  1/(1-quantile)  alloc_ns  free_ns\n");
    for (int i = 0; i < CURVE_POINTS - 1; i++)
        fprintf(out, "%.5f %.0f %.1f %.1f\n", curve_quantiles[i], 1 / (1 - curve_quantiles[i]),
                a->curve_ns[i], f->curve_ns[i]);
    fprintf(out, "# max alloc_ns %.1f free_ns %.1f\n", a->curve_ns[CURVE_POINTS - 1],
            f->curve_ns[CURVE_POINTS - 1]);
}
