/* SPDX-License-Identifier: MIT */
/*
 * report_md.c - anchors.md: the machine and the method, then one table per
 * workload (medians with min-max over the runs), the targets met or missed
 * with their reasons, and every ZNS-Slab counter.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

#define WHY_BYTES  (TEXT_BYTES * 4)
#define CELL_BYTES 64

static void read_first_line(const char *path, const char *prefix, char *out, size_t size)
{
    char line[TEXT_BYTES];
    FILE *f = fopen(path, "r");
    snprintf(out, size, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, prefix, strlen(prefix)))
            continue;
        const char *v = strchr(line, ':');
        v = v ? v + 1 : line + strlen(prefix);
        while (*v == ' ' || *v == '\t')
            v++;
        snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
        break;
    }
    fclose(f);
}

void host_facts_read(struct host_facts *h, bool start)
{
    struct utsname u;
    time_t now = time(NULL);
    if (start) {
        read_first_line("/proc/loadavg", "", h->load_start, sizeof(h->load_start));
        return;
    }
    read_first_line("/proc/loadavg", "", h->load_end, sizeof(h->load_end));
    read_first_line("/proc/cpuinfo", "model name", h->cpu, sizeof(h->cpu));
    h->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (uname(&u) == 0)
        snprintf(h->kernel, sizeof(h->kernel), "%s %s %s", u.sysname, u.release, u.machine);
    snprintf(h->compiler, sizeof(h->compiler), "%s", __VERSION__);
    strftime(h->date, sizeof(h->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
}

void format_stats(char *buf, size_t size, struct stats st, double scale, int decimals)
{
    if (st.n == 0)
        snprintf(buf, size, "–");
    else if (st.n == 1 || st.min == st.max)
        snprintf(buf, size, "%.*f", decimals, st.median * scale);
    else
        snprintf(buf, size, "%.*f (%.*f–%.*f)", decimals, st.median * scale, decimals,
                 st.min * scale, decimals, st.max * scale);
}

static void cell(FILE *f, const struct store *s, int kind, int a, const char *key, double scale,
                 int decimals)
{
    char buf[CELL_BYTES];
    format_stats(buf, sizeof(buf), store_stats(s, kind, a, key), scale, decimals);
    fprintf(f, " %s |", buf);
}

static void header(FILE *f, const struct config *cfg, const char *first, const char *last)
{
    int cols = 1;
    fprintf(f, "| %s |", first);
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (cfg->use_allocator[a]) {
            fprintf(f, " %s |", allocator_names[a]);
            cols++;
        }
    }
    if (last) {
        fprintf(f, " %s |", last);
        cols += 2;
    }
    fprintf(f, "\n|");
    for (int i = 0; i < cols; i++)
        fprintf(f, "---|");
    fprintf(f, "\n");
}

static void method(FILE *f, const struct store *s, const struct config *cfg,
                   const struct host_facts *h)
{
    struct stats floor = store_pooled(s, KIND_LATENCY, "timer.floor_ns");
    struct stats mean = store_pooled(s, KIND_LATENCY, "timer.overhead_mean_ns");
    struct stats min = store_pooled(s, KIND_LATENCY, "timer.overhead_min_ns");
    struct stats res = store_pooled(s, KIND_LATENCY, "timer.resolution_ns");
    struct stats step = store_pooled(s, KIND_LATENCY, "lat.alloc.step_ns");
    fprintf(f, "# ZNS-Slab side by side with glibc, mimalloc, jemalloc and tcmalloc\n\n");
    fprintf(f, "- Build: %s. Run %s by `zslab-anchors` (bench/anchors, docs/benchmarks.md).\n",
            *cfg->label ? cfg->label : "(no label)", h->date);
    fprintf(f, "- Host: %s, %ld CPUs online, %s; compiler %s.\n", h->cpu, h->cpus, h->kernel,
            h->compiler);
    fprintf(f,
            "- Load average at the start: %s; at the end: %s. The machine may be shared: "
            "compare only figures of one run.\n",
            h->load_start, h->load_end);
    fprintf(f,
            "- Method: every measurement is one process of `anchor-<allocator>`, the harness "
            "linked with that allocator alone and calling it through its own API behind the same "
            "indirect call. %d round%s; each round runs every measurement once per allocator, "
            "in an order rotated each round. Figures are medians over the rounds, with the "
            "minimum and maximum in brackets.\n",
            cfg->runs, cfg->runs == 1 ? "" : "s");
    fprintf(f,
            "- Workloads: a. seed %zu x 128 B kept, then freed in order; b. churn %zu live x "
            "128 B, then %zu random free+alloc pairs; c. mixed %zu allocations of 16..2048 B "
            "(steps of 16), freed in random order; d. cross-thread %zu x 128 B from a producer to "
            "a consumer through a %u-slot ring; e. scaling: churn per thread, 2 threads against "
            "1; f. footprint: a. under strace, and a tiny program of %u allocations. Frees: %s. "
            "Every allocation is followed by the caller's first write to it.\n",
            cfg->objects, cfg->live, cfg->pairs, cfg->objects, cfg->objects, ANCHORS_RING_SLOTS,
            ANCHORS_TINY_ALLOCS, cfg->sized ? "sized where the API has one" : "plain");
    char fl[CELL_BYTES], me[CELL_BYTES], mi[CELL_BYTES], re[CELL_BYTES], st[CELL_BYTES];
    format_stats(fl, sizeof(fl), floor, 1, 1);
    format_stats(me, sizeof(me), mean, 1, 1);
    format_stats(mi, sizeof(mi), min, 1, 1);
    format_stats(re, sizeof(re), res, 1, 2);
    format_stats(st, sizeof(st), step, 1, 1);
    fprintf(f,
            "- Timer: TSC, `lfence; rdtsc; lfence` before and `rdtscp; lfence` after "
            "(bench/tsc.c). **Timer floor %s ns**: the median of 1M empty measurements, over "
            "all latency processes (their mean %s ns, minimum %s ns). Measured latencies come "
            "in steps of %s ns (the median gap between neighbouring distinct alloc latencies up to "
            "p90); "
            "back-to-back unfenced reads step by %s ns. **Every latency below includes the "
            "timer: nothing is subtracted.** Throughput loops are not timed call by call.\n\n",
            fl, me, mi, st, re);
}

static const char *or_dash(const char *text)
{
    return text ? text : "–";
}

static void allocators(FILE *f, const struct store *s, const struct config *cfg)
{
    fprintf(f, "## Allocators\n\n| allocator | version | API called | process malloc | served "
               "check |\n|---|---|---|---|---|\n");
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        int k = 0;
        if (!cfg->use_allocator[a])
            continue;
        while (k < KIND_COUNT && !store_info_text(s, k, a, "version"))
            k++;
        if (k == KIND_COUNT) {
            fprintf(f, "| %s | – | – | – | no measurement completed |\n", allocator_names[a]);
            continue;
        }
        fprintf(f, "| %s | %s | %s | %s | %s |\n", allocator_names[a],
                or_dash(store_info_text(s, k, a, "version")),
                or_dash(store_info_text(s, k, a, "api")),
                or_dash(store_info_text(s, k, a, "process_malloc")),
                or_dash(store_info_text(s, k, a, "served")));
    }
    fprintf(f, "\nEach measuring program ends by allocating 8192 x 128 B through the same calls; "
               "the allocator's own bookkeeping must show them (the served check), or the "
               "measurement fails.\n\n");
}

static void throughput(FILE *f, const struct store *s, const struct config *cfg)
{
    static const int rows[] = {K_SEED_THR, K_CHURN_THR, K_MIXED_THR,
                               K_XT_THR,   K_SCALING_1, K_SCALING_2};
    static const char *const titles[] = {"a. seed",
                                         "b. churn",
                                         "c. mixed",
                                         "d. cross-thread",
                                         "e. scaling, 1 thread",
                                         "e. scaling, 2 threads"};
    int ours = allocator_index(ANCHORS_OURS);
    fprintf(f, "## Throughput\n\nMillions of calls (allocations + frees) per second, the "
               "caller's first writes included; the loop is timed as a whole.\n\n");
    header(f, cfg, "workload", "best anchor | ZNS-Slab / best");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct stats best, our = store_stats(s, rows[i], ours, "mops");
        if (!kind_selected(cfg, rows[i]))
            continue;
        fprintf(f, "| %s |", titles[i]);
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            if (cfg->use_allocator[a])
                cell(f, s, rows[i], a, "mops", 1, 1);
        }
        int b = best_anchor(s, cfg, rows[i], "mops", true, &best);
        if (b >= 0 && our.n && best.median > 0)
            fprintf(f, " %s | %.2fx |\n", allocator_names[b], our.median / best.median);
        else
            fprintf(f, " – | – |\n");
    }
    fprintf(f, "\n");
}

static void latency(FILE *f, const struct store *s, const struct config *cfg)
{
    static const int rows[] = {K_SEED_LAT, K_CHURN_LAT, K_MIXED_LAT, K_XT_LAT};
    static const char *const titles[] = {"a. seed", "b. churn", "c. mixed", "d. cross-thread"};
    static const char *const ops[] = {"alloc", "touch", "free"};
    static const char *const op_titles[] = {"alloc", "first write", "free"};
    static const char *const q[] = {"p50", "p90", "p99", "p999", "p9999", "max"};
    fprintf(f, "## Latency\n\nns per call, the timer floor included. \"first write\" is the "
               "caller's first store to the object, timed on its own after the allocation.\n\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!kind_selected(cfg, rows[i]))
            continue;
        fprintf(f,
                "### %s\n\n| allocator | call | p50 | p90 | p99 | p99.9 | p99.99 | max "
                "|\n|---|---|---|---|---|---|---|---|\n",
                titles[i]);
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            for (size_t o = 0; cfg->use_allocator[a] && o < 3; o++) {
                fprintf(f, "| %s | %s |", allocator_names[a], op_titles[o]);
                for (size_t j = 0; j < sizeof(q) / sizeof(q[0]); j++) {
                    char key[CELL_BYTES];
                    snprintf(key, sizeof(key), "lat.%s.%s", ops[o], q[j]);
                    cell(f, s, rows[i], a, key, 1, 0);
                }
                fprintf(f, "\n");
            }
        }
        fprintf(f, "\n![%s latency CDF](anchors-cdf-%s.png)\n\n", titles[i],
                kinds[rows[i]].workload);
    }
}

static void scaling(FILE *f, const struct store *s, const struct config *cfg)
{
    if (!kind_selected(cfg, K_SCALING_2))
        return;
    fprintf(f,
            "## e. Scaling\n\nEach thread runs its own churn (%zu live x 128 B, %zu "
            "pairs) on the one allocator; Mops/s of all threads together.  \"CPU share\" "
            "is the threads' CPU time (CLOCK_THREAD_CPUTIME_ID) over their wall time, per "
            "thread: below 1 the threads waited for a CPU (another process, or the "
            "hypervisor, had it; \"steal\" is what /proc/stat counts the hypervisor took, "
            "all CPUs, in the 2-thread run).  \"2 / 1 by CPU time\" is 2 x the 2-thread "
            "run's calls per CPU-second over the 1-thread run's: the scaling had each "
            "thread had a CPU all the time, which the allocator decides and the machine "
            "does not.\n\n"
            "| allocator | 1 thread | 2 threads | 2 / 1 | CPU share, 1 thread | CPU share, 2 "
            "threads | steal, 2 threads (s) | 2 / 1 by CPU time |\n"
            "|---|---|---|---|---|---|---|---|\n",
            cfg->live, cfg->pairs);
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (!cfg->use_allocator[a])
            continue;
        fprintf(f, "| %s |", allocator_names[a]);
        cell(f, s, K_SCALING_1, a, "mops", 1, 1);
        cell(f, s, K_SCALING_2, a, "mops", 1, 1);
        cell(f, s, K_SCALING_2, a, "derived.scaling", 1, 2);
        cell(f, s, K_SCALING_1, a, "cpu_share", 1, 2);
        cell(f, s, K_SCALING_2, a, "cpu_share", 1, 2);
        cell(f, s, K_SCALING_2, a, "steal_seconds", 1, 3);
        cell(f, s, K_SCALING_2, a, "derived.scaling_cpu", 1, 2);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void footprint(FILE *f, const struct store *s, const struct config *cfg)
{
    if (!kind_selected(cfg, K_FOOTPRINT))
        return;
    fprintf(f,
            "## f. Footprint\n\nThe seed workload (payload %.1f MiB), untimed. RSS in MiB above "
            "the process's RSS just before it (the harness's own arrays are resident by then): "
            "its peak (VmHWM, reset to the baseline first), after the frees, and after the "
            "allocator's trim call. Memory syscalls counted by `strace -f` (%%memory class) "
            "between the program's markers: during the allocations and frees, during the trim, "
            "and in the whole process (the `strace -C` summary, start-up and harness "
            "included). The tiny program makes %u allocations (16 B to 8 KiB); its whole RSS "
            "in MiB, and that less glibc's in the same round.\n\n",
            (double)cfg->objects * ANCHORS_OBJECT_BYTES / MiB, ANCHORS_TINY_ALLOCS);
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        struct stats reset = store_stats(s, K_FOOTPRINT, a, "hwm_reset");
        if (reset.n && reset.min < 1)
            fprintf(f,
                    "**%s: VmHWM could not be reset in %s run; there the peak is the RSS "
                    "after the last allocation.**\n\n",
                    allocator_names[a], reset.max < 1 ? "any" : "some");
    }
    fprintf(f, "| allocator | peak | peak / payload | after free | after trim | syscalls "
               "a | syscalls trim | syscalls process | tiny RSS | tiny - glibc |\n"
               "|---|---|---|---|---|---|---|---|---|---|\n");
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (!cfg->use_allocator[a])
            continue;
        fprintf(f, "| %s |", allocator_names[a]);
        cell(f, s, K_FOOTPRINT, a, "derived.peak_bytes", 1 / MiB, 1);
        cell(f, s, K_FOOTPRINT, a, "derived.peak_over_payload", 1, 3);
        cell(f, s, K_FOOTPRINT, a, "derived.after_free_bytes", 1 / MiB, 1);
        cell(f, s, K_FOOTPRINT, a, "derived.retained_bytes", 1 / MiB, 1);
        cell(f, s, K_FOOTPRINT, a, "syscalls.workload", 1, 0);
        cell(f, s, K_FOOTPRINT, a, "syscalls.trim", 1, 0);
        cell(f, s, K_FOOTPRINT, a, "syscalls.process", 1, 0);
        cell(f, s, K_TINY, a, "rss.tiny", 1 / MiB, 2);
        cell(f, s, K_TINY, a, "derived.tiny_minus_baseline", 1 / MiB, 2);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void value_cell(char *buf, size_t size, double v, const char *unit)
{
    if (!strcmp(unit, "MiB") || !strcmp(unit, "MiB over glibc"))
        snprintf(buf, size, "%.2f %s", v / MiB, unit);
    else if (!strcmp(unit, "x payload") || !strcmp(unit, "x"))
        snprintf(buf, size, "%.3f%s", v, unit);
    else
        snprintf(buf, size, "%.*f %s", strcmp(unit, "Mops/s") ? 0 : 1, v, unit);
}

static void targets(FILE *f, const struct target_result *t, size_t nt)
{
    static const char *const verdicts[] = {"**met**", "**missed**", "not measured"};
    int missed = 0;
    fprintf(f, "## Targets\n\nJudged on this run's medians, as issue 8 sets them for this 2-core "
               "machine; latencies as measured, timer floor included, and equal to a limit "
               "(or to the best anchor's) within half a timer step, which the timer cannot "
               "tell apart. The ratio is ZNS-Slab's median over the best anchor's.\n\n"
               "| target | ZNS-Slab | best anchor | ZNS-Slab / best | result |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < nt; i++) {
        char ours[CELL_BYTES] = "–", best[CELL_BYTES * 2] = "–", ratio[CELL_BYTES] = "–";
        if (t[i].verdict != VERDICT_NOT_MEASURED)
            value_cell(ours, sizeof(ours), t[i].ours, t[i].unit);
        if (t[i].best_name) {
            char v[CELL_BYTES];
            value_cell(v, sizeof(v), t[i].best, t[i].unit);
            snprintf(best, sizeof(best), "%s %s", t[i].best_name, v);
            if (isfinite(t[i].ratio))
                snprintf(ratio, sizeof(ratio), "%.2fx", t[i].ratio);
        }
        fprintf(f, "| %s | %s | %s | %s | %s |\n", t[i].text, ours, best, ratio,
                verdicts[t[i].verdict]);
        missed += t[i].verdict == VERDICT_MISSED;
    }
    fprintf(f, "\n");
    if (!missed)
        return;
    fprintf(f, "### Why the missed targets are missed\n\n");
    for (size_t i = 0; i < nt; i++) {
        if (t[i].verdict == VERDICT_MISSED)
            fprintf(f, "- **%s**: %s\n", t[i].text, t[i].why);
    }
    fprintf(f, "\n");
}

/* Every counter key "counter.PHASE.NAME" of ZNS-Slab, one row per NAME, one
 * column per kind: whatever the core's counter list holds. */
static void counters(FILE *f, const struct store *s, const struct config *cfg)
{
    static const int cols[] = {K_SEED_THR,  K_CHURN_THR, K_MIXED_THR, K_XT_THR,
                               K_SCALING_2, K_FOOTPRINT, K_TINY};
    int ours = allocator_index(ANCHORS_OURS);
    int source = -1;
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]) && source < 0; c++) {
        if (kind_selected(cfg, cols[c]) && store_key_count(s, cols[c], ours))
            source = cols[c];
    }
    if (source < 0 || !cfg->use_allocator[ours])
        return;
    fprintf(f, "## ZNS-Slab's counters\n\nEvery field of `zslab_get_counters(z, "
               "ZSLAB_ALL_CLASSES)` at the end of each workload (medians; for a gauge, NAME "
               "is its value and NAME.peak its peak). The tiny column is read after its 10 "
               "allocations.\n\n| counter |");
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
        fprintf(f, " %s |", kinds[cols[c]].id);
    fprintf(f, "\n|---|");
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    const char *prefix = source == K_TINY ? "counter.tiny." : "counter.end.";
    for (size_t i = 0; i < store_key_count(s, source, ours); i++) {
        const char *key = store_key(s, source, ours, i);
        if (strncmp(key, prefix, strlen(prefix)))
            continue;
        const char *name = key + strlen(prefix);
        fprintf(f, "| %s |", name);
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
            char k[CELL_BYTES * 2];
            snprintf(k, sizeof(k), "counter.%s.%s", cols[c] == K_TINY ? "tiny" : "end", name);
            cell(f, s, cols[c], ours, k, 1, 0);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void attribution(FILE *f, const struct store *s, const struct config *cfg)
{
    static const int rows[] = {K_SEED_ATTR, K_CHURN_ATTR, K_MIXED_ATTR};
    static const char *const ops[] = {"alloc", "touch", "free"};
    static const char *const tails[] = {"p99", "p999"};
    bool any = false;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!kind_selected(cfg, rows[i]))
            continue;
        if (!any) {
            static const char *const bookkeeping[] = {ANCHORS_BOOKKEEPING};
            fprintf(f, "## ZNS-Slab's tails, attributed\n\nOne extra run per workload (the "
                       "first round only) reads every counter and the thread's page faults "
                       "(getrusage) around every call, outside the timing; its latencies are "
                       "not the tables' (the reads disturb the caches). For the calls at or "
                       "above a percentile: how many moved each field, and how many of all "
                       "calls did. Gauge peaks and the per-call bookkeeping are left out:");
            for (size_t b = 0; b < ANCHORS_COUNT_OF(bookkeeping); b++)
                fprintf(f, "%s %s", b ? "," : "", bookkeeping[b]);
            fprintf(f, ".\n\n");
        }
        any = true;
        for (size_t o = 0; o < 3; o++) {
            for (size_t t = 0; t < 2; t++) {
                char why[WHY_BYTES] = "";
                describe_tail(why, sizeof(why), s, rows[i], ops[o], tails[t]);
                fprintf(f, "- %s, %s %s: %s.\n", kinds[rows[i]].workload, ops[o], tails[t], why);
            }
        }
    }
    if (any)
        fprintf(f, "\nd. cross-thread has no attribution: its two threads move the same "
                   "counters.\n\n");
}

static void failures(FILE *f, const struct store *s)
{
    size_t n = store_failure_count(s);
    if (!n)
        return;
    fprintf(f, "## Measurements that failed\n\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "- %s\n", store_failure_text(s, i));
    fprintf(f, "\n");
}

bool report_markdown(const char *path, const struct store *s, const struct config *cfg,
                     const struct host_facts *h, const struct target_result *t, size_t nt)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "zslab-anchors: cannot write %s\n", path);
        return false;
    }
    method(f, s, cfg, h);
    allocators(f, s, cfg);
    throughput(f, s, cfg);
    fprintf(f, "![throughput](anchors-throughput.png)\n\n");
    latency(f, s, cfg);
    scaling(f, s, cfg);
    footprint(f, s, cfg);
    targets(f, t, nt);
    attribution(f, s, cfg);
    counters(f, s, cfg);
    failures(f, s);
    return fclose(f) == 0;
}
