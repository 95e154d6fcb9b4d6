/* SPDX-License-Identifier: MIT */
/*
 * measure.c - main() of anchor-<allocator>: one measurement of one workload
 * on the allocator this program was linked with, printed as anchors.h's
 * "info" and "metric" lines.  zslab-anchors runs it; by hand:
 *
 *   anchor-zslab --workload seed --mode latency --objects 1000
 *
 * After the workload, every program proves that its allocator served the
 * calls (backend.h's served check) and exits 1 if it did not.
 * Exit status: 0 done, 1 the measurement failed, 2 usage error.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"

#define MAX_COUNT ((size_t)1 << 32) /* objects, pairs, live: 32-bit slots */

static const char *program = "anchor";

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

_Noreturn void out_of_memory(size_t size)
{
    die("%s returned NULL for %zu bytes", backend.name, size);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s --workload W [options]\n"
            "One measurement of the %s allocator (%s), printed as 'info KEY TEXT'\n"
            "and 'metric KEY VALUE' lines (bench/anchors/anchors.h lists the keys).\n"
            "\n"
            "  --workload W   seed, churn, mixed, cross-thread, scaling, footprint, tiny\n"
            "  --mode M       latency (default: every call timed), throughput (only the\n"
            "                 loop timed) or attribute (latency, and the counters read\n"
            "                 around every call); scaling, footprint, tiny: throughput\n"
            "  --objects N    seed, mixed, cross-thread, footprint (default %u)\n"
            "  --pairs N      churn, scaling: free+alloc pairs (default %u)\n"
            "  --live N       churn, scaling: live objects (default %u)\n"
            "  --threads N    scaling: threads (default 1)\n"
            "  --seed N       random sequences (default %u)\n"
            "  --sized        free through the allocator's sized free\n"
            "  --help         this text\n",
            program, backend.name, backend.api, ANCHORS_DEFAULT_OBJECTS, ANCHORS_DEFAULT_PAIRS,
            ANCHORS_DEFAULT_LIVE, ANCHORS_DEFAULT_SEED);
}

static bool parse_count(const char *opt, const char *arg, size_t min, size_t max, size_t *out)
{
    unsigned long long v;
    if (!anchors_parse_count(program, opt, arg, min, max, &v))
        return false;
    *out = (size_t)v;
    return true;
}

static bool parse_mode(const char *arg, enum mode *out)
{
    static const char *const names[] = {[MODE_LATENCY] = "latency",
                                        [MODE_THROUGHPUT] = "throughput",
                                        [MODE_ATTRIBUTE] = "attribute"};
    int i = anchors_find(arg, names, ANCHORS_COUNT_OF(names));
    if (i >= 0) {
        *out = (enum mode)i;
        return true;
    }
    fprintf(stderr, "%s: --mode: '%s' is not latency, throughput or attribute\n", program, arg);
    return false;
}

/* The workloads from FIRST_UNTIMED_WORKLOAD on time no single call. */
#define FIRST_UNTIMED_WORKLOAD 4
static const char *const workloads[] = {"seed",    "churn",     "mixed", "cross-thread",
                                        "scaling", "footprint", "tiny"};

static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"--workload", "--mode",    "--objects", "--pairs",
                                             "--live",     "--threads", "--seed"};
    return anchors_find(opt, with_value, ANCHORS_COUNT_OF(with_value)) >= 0;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error (message printed). */
static int parse_options(int argc, char **argv, struct params *p)
{
    size_t v;
    bool mode_given = false;
    *p = (struct params){.mode = MODE_LATENCY,
                         .objects = ANCHORS_DEFAULT_OBJECTS,
                         .pairs = ANCHORS_DEFAULT_PAIRS,
                         .live = ANCHORS_DEFAULT_LIVE,
                         .threads = 1,
                         .seed = ANCHORS_DEFAULT_SEED};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--sized")) {
            p->sized = true;
            continue;
        }
        if (!takes_value(a)) {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", program, a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value (see --help)\n", program, a);
            return 2;
        }
        const char *arg = argv[++i];
        bool ok = true;
        if (!strcmp(a, "--workload")) {
            p->workload = arg;
        } else if (!strcmp(a, "--mode")) {
            ok = parse_mode(arg, &p->mode);
            mode_given = true;
        } else if (!strcmp(a, "--objects")) {
            ok = parse_count(a, arg, 1, MAX_COUNT, &p->objects);
        } else if (!strcmp(a, "--pairs")) {
            ok = parse_count(a, arg, 1, MAX_COUNT, &p->pairs);
        } else if (!strcmp(a, "--live")) {
            ok = parse_count(a, arg, 1, MAX_COUNT, &p->live);
        } else if (!strcmp(a, "--threads")) {
            ok = parse_count(a, arg, 1, 64, &v);
            p->threads = (unsigned)v;
        } else {
            ok = parse_count(a, arg, 0, SIZE_MAX, &v);
            p->seed = v;
        }
        if (!ok)
            return 2;
    }
    int w = p->workload ? anchors_find(p->workload, workloads, ANCHORS_COUNT_OF(workloads)) : -1;
    if (w >= FIRST_UNTIMED_WORKLOAD) {
        /* scaling, footprint and tiny time no single call */
        if (mode_given && p->mode != MODE_THROUGHPUT) {
            fprintf(stderr, "%s: --workload %s has only --mode throughput\n", program, p->workload);
            return 2;
        }
        p->mode = MODE_THROUGHPUT;
    }
    if (w >= 0)
        return 0;
    if (p->workload)
        fprintf(stderr,
                "%s: --workload: '%s' is not one of seed, churn, mixed, cross-thread, "
                "scaling, footprint, tiny\n",
                program, p->workload);
    else
        fprintf(stderr, "%s: --workload is missing (see --help)\n", program);
    return 2;
}

/* Which library's malloc this process calls (each anchor but ZNS-Slab
 * replaces it). */
static const char *process_malloc(void)
{
    void *(*fn)(size_t) = malloc;
    void *addr;
    Dl_info info;
    memcpy(&addr, &fn, sizeof(addr));
    return dladdr(addr, &info) && info.dli_fname ? info.dli_fname : "unknown";
}

/* After the workload: 8192 x 128 B through the same calls, and the
 * allocator's own bookkeeping must show them. */
static bool check_served(const struct calls *c)
{
    static void *objs[ANCHORS_SERVED_OBJECTS];
    const size_t n = ANCHORS_SERVED_OBJECTS, bytes = ANCHORS_OBJECT_BYTES;
    uint64_t before = backend.bytes_in_use ? backend.bytes_in_use() : 0;
    size_t owned = 0;
    bool ok;
    for (size_t i = 0; i < n; i++) {
        objs[i] = c->alloc(bytes);
        if (!objs[i])
            out_of_memory(bytes);
    }
    if (backend.owns) {
        for (size_t i = 0; i < n; i++)
            owned += backend.owns(objs[i]);
        ok = owned == n;
        emit_info("served", "%s %s: %zu of %zu pointers are its own", ok ? "ok" : "FAIL",
                  backend.evidence, owned, n);
    } else {
        uint64_t now = backend.bytes_in_use(), grew = now > before ? now - before : 0;
        ok = grew >= (uint64_t)n * bytes;
        emit_info("served", "%s %s grew by %llu bytes for %zu x %zu B", ok ? "ok" : "FAIL",
                  backend.evidence, (unsigned long long)grew, n, bytes);
    }
    for (size_t i = 0; i < n; i++)
        c->free(objs[i], bytes);
    return ok;
}

static void run_timed(const struct params *p, const struct calls *c)
{
    struct tsc_timer timer;
    struct recorder rec[2], *recs[2] = {&rec[0], &rec[1]};
    struct timing t = {0};
    bool two = !strcmp(p->workload, "cross-thread");
    size_t cap = p->objects > p->pairs ? p->objects : p->pairs;
    if (p->mode != MODE_THROUGHPUT) {
        if (!tsc_calibrate(&timer))
            die("the timer could not be calibrated");
        emit_timer(&timer);
    }
    for (int i = 0; i < (two ? 2 : 1); i++)
        recorder_init(recs[i], p->mode == MODE_THROUGHPUT ? 0 : cap, p->mode);
    if (!strcmp(p->workload, "seed"))
        workload_seed(p, c, recs[0], &t);
    else if (!strcmp(p->workload, "churn"))
        workload_churn(p, c, recs[0], &t);
    else if (!strcmp(p->workload, "mixed"))
        workload_mixed(p, c, recs[0], &t);
    else
        workload_cross_thread(p, c, recs, &t);
    if (p->mode == MODE_THROUGHPUT)
        emit_timing(&t, two ? 2 : 1);
    else
        emit_samples(recs, two ? 2 : 1, &timer, p->mode);
    emit_counters("end");
    for (int i = 0; i < (two ? 2 : 1); i++)
        recorder_fini(recs[i]);
}

static void run(const struct params *p, const struct calls *c)
{
    struct timing t = {0};
    if (!strcmp(p->workload, "tiny")) {
        workload_tiny(c);
    } else if (!strcmp(p->workload, "footprint")) {
        workload_footprint(p, c);
    } else if (!strcmp(p->workload, "scaling")) {
        workload_scaling(p, c, &t);
        emit_timing(&t, p->threads);
        emit_counters("end");
    } else {
        run_timed(p, c);
    }
}

int main(int argc, char **argv)
{
    struct params p;
    char version[BACKEND_TEXT_BYTES];
    if (argc > 0 && argv[0])
        program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int rc = parse_options(argc, argv, &p);
    if (rc)
        return rc == 1 ? 0 : 2;
    if (p.mode == MODE_ATTRIBUTE && !strcmp(p.workload, "cross-thread")) {
        fprintf(stderr,
                "%s: --mode attribute: the counters are shared by both threads of "
                "cross-thread, so a call cannot be attributed\n",
                program);
        return 2;
    }
    if (!backend.owns == !backend.bytes_in_use)
        die("the %s backend must set exactly one of owns and bytes_in_use", backend.name);
    if (backend.counter_count > MAX_COUNTERS)
        die("%s has %zu counters, more than the %d this harness reads", backend.name,
            backend.counter_count, MAX_COUNTERS);
    if (backend.init && !backend.init())
        return 1;
    struct calls c = {backend.alloc, p.sized ? backend.free_sized : backend.free};
    backend.version(version, sizeof(version));
    emit_info("allocator", "%s", backend.name);
    emit_info("version", "%s", version);
    emit_info("api", "%s", backend.api);
    emit_info("process_malloc", "%s", process_malloc());
    emit_info("free", "%s", p.sized ? "sized" : "plain");
    fflush(stdout);
    run(&p, &c);
    bool served = check_served(&c);
    fflush(stdout);
    if (!served) {
        fprintf(stderr, "%s: %s did not serve the calls (see the 'served' line)\n", program,
                backend.name);
        return 1;
    }
    return 0;
}
