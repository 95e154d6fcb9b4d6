/* SPDX-License-Identifier: MIT */
/*
 * benchmark_accurate - Phase 1.5's benchmark on the new allocator: per-call
 * latency of alloc and free (128 B objects, 1M iterations by default), the
 * tail attributed to counted causes, and the release note's regression
 * thresholds as PASS/FAIL lines.  It measures and reports; it always exits 0
 * after a completed run (2 on a usage error, 1 when the run fails).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accurate.h"
#include "percentile.h"

#define MAX_OBJECT_BYTES ((size_t)1 << 30) /* 1 GiB */
#define MAX_ITERATIONS   ((size_t)100000000)
#define MAX_RUNS         99

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchmark_accurate [options]\n"
            "Times every zslab_alloc() and zslab_free() of a workload that allocates N objects\n"
            "and then frees them, and prints Phase 1.5's report (latency, tail attribution,\n"
            "regression thresholds).  Latencies are medians over the runs, net of the timer's\n"
            "own overhead (printed).\n"
            "\n"
            "  --size N         object size, bytes (default %d; 0 to %zu)\n"
            "  --iterations N   objects per run (default %d; 1 to %zu)\n"
            "  --runs N         runs, each on a fresh instance (default %d; 1 to %d)\n"
            "  --prefault MODE  ahead (default), chunk or none: when slab pages are backed\n"
            "  --touch          time the first write to each object with its allocation\n"
            "  --json           one JSON object instead of the text report\n"
            "  --json-out FILE  the text report, and the JSON object into FILE\n"
            "  --curve FILE     the last run's latency by percentile, as columns for gnuplot\n"
            "  --help           this text\n",
            DEFAULT_OBJECT_BYTES, MAX_OBJECT_BYTES, DEFAULT_ITERATIONS, MAX_ITERATIONS,
            DEFAULT_RUNS, MAX_RUNS);
}

static bool parse_size(const char *opt, const char *arg, size_t min, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
        fprintf(stderr, "benchmark_accurate: %s: '%s' is not a whole number from %zu to %zu\n", opt,
                arg, min, max);
        return false;
    }
    *out = (size_t)v;
    return true;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error (message printed). */
static int parse_options(int argc, char **argv, struct options *opt)
{
    *opt = (struct options){.object_bytes = DEFAULT_OBJECT_BYTES,
                            .iterations = DEFAULT_ITERATIONS,
                            .runs = DEFAULT_RUNS,
                            .prefault = ZSLAB_DEFAULT_PREFAULT};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool takes_value = !strcmp(a, "--size") || !strcmp(a, "--iterations") ||
                           !strcmp(a, "--runs") || !strcmp(a, "--prefault") ||
                           !strcmp(a, "--json-out") || !strcmp(a, "--curve");
        if (takes_value && i + 1 >= argc) {
            fprintf(stderr, "benchmark_accurate: %s needs a value (see --help)\n", a);
            return 2;
        }
        size_t runs;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--json")) {
            opt->json = true;
        } else if (!strcmp(a, "--json-out")) {
            opt->json_out = argv[++i];
        } else if (!strcmp(a, "--curve")) {
            opt->curve_out = argv[++i];
        } else if (!strcmp(a, "--touch")) {
            opt->touch_timed = true;
        } else if (!strcmp(a, "--size")) {
            if (!parse_size(a, argv[++i], 0, MAX_OBJECT_BYTES, &opt->object_bytes))
                return 2;
        } else if (!strcmp(a, "--iterations")) {
            if (!parse_size(a, argv[++i], 1, MAX_ITERATIONS, &opt->iterations))
                return 2;
        } else if (!strcmp(a, "--runs")) {
            if (!parse_size(a, argv[++i], 1, MAX_RUNS, &runs))
                return 2;
            opt->runs = (int)runs;
        } else if (!strcmp(a, "--prefault")) {
            const char *mode = argv[++i];
            if (!strcmp(mode, "none")) {
                opt->prefault = ZSLAB_PREFAULT_NONE;
            } else if (!strcmp(mode, "chunk")) {
                opt->prefault = ZSLAB_PREFAULT_CHUNK;
            } else if (!strcmp(mode, "ahead")) {
                opt->prefault = ZSLAB_PREFAULT_AHEAD;
            } else {
                fprintf(stderr,
                        "benchmark_accurate: --prefault: '%s' is not ahead, chunk or none\n", mode);
                return 2;
            }
        } else {
            fprintf(stderr, "benchmark_accurate: unknown option '%s' (see --help)\n", a);
            return 2;
        }
    }
    return 0;
}

static struct latency median_latency(const struct run_result *runs, int n, bool alloc)
{
    double avg[MAX_RUNS], p50[MAX_RUNS], p99[MAX_RUNS], p999[MAX_RUNS];
    for (int i = 0; i < n; i++) {
        const struct latency *l = alloc ? &runs[i].alloc : &runs[i].free;
        avg[i] = l->average_ns;
        p50[i] = l->p50_ns;
        p99[i] = l->p99_ns;
        p999[i] = l->p999_ns;
    }
    return (struct latency){.average_ns = median_of(avg, (size_t)n),
                            .p50_ns = median_of(p50, (size_t)n),
                            .p99_ns = median_of(p99, (size_t)n),
                            .p999_ns = median_of(p999, (size_t)n)};
}

typedef void report_fn(FILE *out, const struct options *opt, const struct tsc_timer *timer,
                       const struct summary *s);

static void write_curve(FILE *out, const struct options *opt, const struct tsc_timer *timer,
                        const struct summary *s)
{
    (void)opt;
    (void)timer;
    report_curve(out, s);
}

/* Writes one report into @path; false with a message when that fails. */
static bool write_file(const char *path, const struct options *opt, const struct tsc_timer *timer,
                       const struct summary *s, report_fn *report)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "benchmark_accurate: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    report(f, opt, timer, s);
    if (fclose(f) != 0) {
        fprintf(stderr, "benchmark_accurate: writing %s failed: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    struct options opt;
    int rc = parse_options(argc, argv, &opt);
    if (rc)
        return rc == 1 ? 0 : 2;

    struct tsc_timer timer;
    if (!tsc_calibrate(&timer))
        return 1;
    struct workload *w = workload_new(&opt);
    struct run_result *runs = calloc((size_t)opt.runs, sizeof(*runs));
    if (!w || !runs) {
        fprintf(stderr, "benchmark_accurate: out of memory for %zu iterations\n", opt.iterations);
        return 1;
    }
    for (int r = 0; r < opt.runs; r++) {
        if (!workload_run(w, &timer, &runs[r]))
            return 1;
    }
    struct summary s = {median_latency(runs, opt.runs, true), median_latency(runs, opt.runs, false),
                        runs[opt.runs - 1]};
    if (opt.json)
        report_json(stdout, &opt, &timer, &s);
    else
        report_text(&opt, &timer, &s);
    if (opt.json_out && !write_file(opt.json_out, &opt, &timer, &s, report_json))
        return 1;
    if (opt.curve_out && !write_file(opt.curve_out, &opt, &timer, &s, write_curve))
        return 1;
    workload_free(w);
    free(runs);
    return 0;
}
