/* SPDX-License-Identifier: MIT */
/*
 * zslab-anchors - ZNS-Slab side by side with glibc, mimalloc, jemalloc and
 * tcmalloc (issue 8).  Every measurement is its own process (the measuring
 * program of one allocator, anchor-<allocator>); a round runs every kind of
 * measurement once per allocator, in an order rotated each round, and
 * --runs rounds make the medians and ranges.  Writes anchors.md,
 * anchors.json and the gnuplot data into --out, prints the markdown, and
 * exits 0 when every measurement completed (1 if one failed, 2 on a usage
 * error).  It measures and reports: no target is asserted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

#define DEFAULT_RUNS      5
#define DEFAULT_TIMEOUT_S 600
#define NS_PER_SEC        1e9

const char *const allocator_names[ANCHORS_ALLOCATOR_COUNT] = {ANCHORS_ALLOCATORS};

const struct group groups[GROUP_COUNT] = {
    {"seed", "a. seed"},       {"churn", "b. churn"},
    {"mixed", "c. mixed"},     {"cross-thread", "d. cross-thread"},
    {"scaling", "e. scaling"}, {"footprint", "f. footprint"},
};

#define LAT  KIND_LATENCY
#define ATTR (KIND_ATTRIBUTE | KIND_LATENCY | KIND_OURS_ONLY | KIND_FIRST_RUN)
const struct kind kinds[KIND_COUNT] = {
    [K_SEED_LAT] = {"seed-latency", "seed", "latency", 1, LAT, "seed"},
    [K_SEED_THR] = {"seed-throughput", "seed", "throughput", 1, 0, "seed"},
    [K_CHURN_LAT] = {"churn-latency", "churn", "latency", 1, LAT, "churn"},
    [K_CHURN_THR] = {"churn-throughput", "churn", "throughput", 1, 0, "churn"},
    [K_MIXED_LAT] = {"mixed-latency", "mixed", "latency", 1, LAT, "mixed"},
    [K_MIXED_THR] = {"mixed-throughput", "mixed", "throughput", 1, 0, "mixed"},
    [K_XT_LAT] = {"cross-thread-latency", "cross-thread", "latency", 1, LAT, "cross-thread"},
    [K_XT_THR] = {"cross-thread-throughput", "cross-thread", "throughput", 1, 0, "cross-thread"},
    [K_SCALING_1] = {"scaling-1-thread", "scaling", "throughput", 1, 0, "scaling"},
    [K_SCALING_2] = {"scaling-2-threads", "scaling", "throughput", 2, 0, "scaling"},
    [K_FOOTPRINT] = {"footprint", "footprint", "throughput", 1, KIND_STRACE, "footprint"},
    [K_TINY] = {"tiny", "tiny", "throughput", 1, 0, "footprint"},
    [K_SEED_ATTR] = {"seed-attribution", "seed", "attribute", 1, ATTR, "seed"},
    [K_CHURN_ATTR] = {"churn-attribution", "churn", "attribute", 1, ATTR, "churn"},
    [K_MIXED_ATTR] = {"mixed-attribution", "mixed", "attribute", 1, ATTR, "mixed"},
};
#undef LAT
#undef ATTR

int allocator_index(const char *name)
{
    return anchors_find(name, allocator_names, ANCHORS_ALLOCATOR_COUNT);
}

static int group_index(const char *name)
{
    for (int i = 0; i < GROUP_COUNT; i++) {
        if (!strcmp(name, groups[i].name))
            return i;
    }
    return -1;
}

bool kind_selected(const struct config *cfg, int kind)
{
    const struct kind *k = &kinds[kind];
    if (!cfg->use_group[group_index(k->group)])
        return false;
    if (k->flags & KIND_OURS_ONLY)
        return cfg->use_allocator[allocator_index(ANCHORS_OURS)];
    return true;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: zslab-anchors [options]\n"
            "Runs ZNS-Slab side by side with glibc, mimalloc, jemalloc and tcmalloc: every\n"
            "measurement in its own process, allocators interleaved, --runs rounds; writes\n"
            "anchors.md, anchors.json and gnuplot data into --out and prints the markdown.\n"
            "Targets are reported as met or missed, never asserted.\n"
            "\n"
            "  --runs N            rounds (default %d; 1 to %d)\n"
            "  --objects N         seed, mixed, cross-thread, footprint objects (default %u)\n"
            "  --pairs N           churn, scaling: free+alloc pairs (default %u)\n"
            "  --live N            churn, scaling: live objects (default %u)\n"
            "  --allocators LIST   comma-separated, of: zslab,glibc,mimalloc,jemalloc,tcmalloc\n"
            "  --workloads LIST    comma-separated, of: seed,churn,mixed,cross-thread,scaling,\n"
            "                      footprint (default: all)\n"
            "  --sized             free through each allocator's sized free\n"
            "  --no-strace         do not count syscalls (footprint without strace)\n"
            "  --seed N            the workloads' random sequences (default %u)\n"
            "  --timeout S         seconds one measurement may take (default %d)\n"
            "  --bin DIR           where anchor-<allocator> are (default: beside this program)\n"
            "  --out DIR           output directory (default build/out)\n"
            "  --label TEXT        names the build in the report (e.g. a git commit)\n"
            "  --quiet             no progress lines, no markdown on stdout\n"
            "  --help              this text\n",
            DEFAULT_RUNS, MAX_RUNS, ANCHORS_DEFAULT_OBJECTS, ANCHORS_DEFAULT_PAIRS,
            ANCHORS_DEFAULT_LIVE, ANCHORS_DEFAULT_SEED, DEFAULT_TIMEOUT_S);
}

/* "a,b,c" against @names: sets @use[i] for each; false naming a bad item. */
static bool parse_list(const char *opt, const char *arg, const char *const *names, int count,
                       bool *use)
{
    char buf[TEXT_BYTES];
    snprintf(buf, sizeof(buf), "%s", arg);
    memset(use, 0, (size_t)count * sizeof(*use));
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        int i = anchors_find(item, names, (size_t)count);
        if (i < 0) {
            fprintf(stderr, "zslab-anchors: %s: unknown name '%s'\n", opt, item);
            return false;
        }
        use[i] = true;
    }
    return true;
}

static const char *own_directory(void)
{
    static char dir[PATH_BYTES];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    if (n <= 0)
        return ".";
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    return dir;
}

static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"--runs", "--objects", "--pairs",      "--live",
                                             "--seed", "--timeout", "--allocators", "--workloads",
                                             "--bin",  "--out",     "--label"};
    return anchors_find(opt, with_value, ANCHORS_COUNT_OF(with_value)) >= 0;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error. */
static int parse_options(int argc, char **argv, struct config *cfg)
{
    const char *group_names[GROUP_COUNT];
    unsigned long long v;
    for (int i = 0; i < GROUP_COUNT; i++)
        group_names[i] = groups[i].name;
    *cfg = (struct config){.out_dir = "build/out",
                           .label = "",
                           .runs = DEFAULT_RUNS,
                           .objects = ANCHORS_DEFAULT_OBJECTS,
                           .pairs = ANCHORS_DEFAULT_PAIRS,
                           .live = ANCHORS_DEFAULT_LIVE,
                           .seed = ANCHORS_DEFAULT_SEED,
                           .strace = true,
                           .timeout_s = DEFAULT_TIMEOUT_S};
    for (int i = 0; i < ANCHORS_ALLOCATOR_COUNT; i++)
        cfg->use_allocator[i] = true;
    for (int i = 0; i < GROUP_COUNT; i++)
        cfg->use_group[i] = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool ok = true;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--sized")) {
            cfg->sized = true;
            continue;
        } else if (!strcmp(a, "--no-strace")) {
            cfg->strace = false;
            continue;
        } else if (!strcmp(a, "--quiet")) {
            cfg->quiet = true;
            continue;
        }
        if (!takes_value(a)) {
            fprintf(stderr, "zslab-anchors: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "zslab-anchors: %s needs a value (see --help)\n", a);
            return 2;
        }
        const char *arg = argv[++i];
        if (!strcmp(a, "--runs")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 1, MAX_RUNS, &v);
            cfg->runs = (int)v;
        } else if (!strcmp(a, "--objects")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 1, UINT32_MAX, &v);
            cfg->objects = (size_t)v;
        } else if (!strcmp(a, "--pairs")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 1, UINT32_MAX, &v);
            cfg->pairs = (size_t)v;
        } else if (!strcmp(a, "--live")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 1, UINT32_MAX, &v);
            cfg->live = (size_t)v;
        } else if (!strcmp(a, "--seed")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 0, UINT32_MAX, &v);
            cfg->seed = (unsigned long)v;
        } else if (!strcmp(a, "--timeout")) {
            ok = anchors_parse_count("zslab-anchors", a, arg, 1, 86400, &v);
            cfg->timeout_s = (unsigned)v;
        } else if (!strcmp(a, "--allocators")) {
            ok = parse_list(a, arg, allocator_names, ANCHORS_ALLOCATOR_COUNT, cfg->use_allocator);
        } else if (!strcmp(a, "--workloads")) {
            ok = parse_list(a, arg, group_names, GROUP_COUNT, cfg->use_group);
        } else if (!strcmp(a, "--bin")) {
            cfg->bin_dir = arg;
        } else if (!strcmp(a, "--out")) {
            cfg->out_dir = arg;
        } else {
            cfg->label = arg;
        }
        if (!ok)
            return 2;
    }
    if (!cfg->bin_dir)
        cfg->bin_dir = own_directory();
    return 0;
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "zslab-anchors: cannot create %s: %s\n", path, strerror(errno));
    return false;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_SEC;
}

/* Every round: each kind once per allocator, the allocators' order rotated
 * by one each round so none always goes first. */
static void run_plan(const struct config *cfg, struct store *s)
{
    int ours = allocator_index(ANCHORS_OURS);
    for (int run = 0; run < cfg->runs; run++) {
        for (int k = 0; k < KIND_COUNT; k++) {
            if (!kind_selected(cfg, k) || ((kinds[k].flags & KIND_FIRST_RUN) && run > 0))
                continue;
            for (int j = 0; j < ANCHORS_ALLOCATOR_COUNT; j++) {
                int a = (j + run) % ANCHORS_ALLOCATOR_COUNT;
                if (!cfg->use_allocator[a] || ((kinds[k].flags & KIND_OURS_ONLY) && a != ours))
                    continue;
                double t0 = seconds_now();
                bool ok = spawn_measurement(cfg, s, k, a, run);
                if (!cfg->quiet)
                    fprintf(stderr, "zslab-anchors: run %d/%d  %-24s %-9s %6.1f s%s\n", run + 1,
                            cfg->runs, kinds[k].id, allocator_names[a], seconds_now() - t0,
                            ok ? "" : "  FAILED");
            }
        }
    }
}

static bool print_file(const char *path)
{
    char buf[TEXT_BYTES];
    size_t n;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return true;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct host_facts host;
    struct target_result targets[TARGET_COUNT];
    char md[PATH_BYTES], json[PATH_BYTES], logs[PATH_BYTES];
    int rc = parse_options(argc, argv, &cfg);
    if (rc)
        return rc == 1 ? 0 : 2;
    snprintf(logs, sizeof(logs), "%s/anchors-logs", cfg.out_dir);
    if (!make_dir(cfg.out_dir) || !make_dir(logs))
        return 1;
    struct store *s = store_new(cfg.runs);
    double t0 = seconds_now();
    host_facts_read(&host, true);
    run_plan(&cfg, s);
    store_derive(s);
    host_facts_read(&host, false);
    size_t nt = targets_evaluate(s, &cfg, targets);
    snprintf(md, sizeof(md), "%s/anchors.md", cfg.out_dir);
    snprintf(json, sizeof(json), "%s/anchors.json", cfg.out_dir);
    bool ok = report_markdown(md, s, &cfg, &host, targets, nt) &&
              report_json(json, s, &cfg, &host, targets, nt) &&
              report_plot_data(cfg.out_dir, s, &cfg);
    if (ok && !cfg.quiet)
        print_file(md);
    if (!cfg.quiet)
        fprintf(stderr, "zslab-anchors: %.0f s; wrote %s, %s and the plot data in %s\n",
                seconds_now() - t0, md, json, cfg.out_dir);
    size_t failed = store_failure_count(s);
    for (size_t i = 0; i < failed; i++)
        fprintf(stderr, "zslab-anchors: FAILED %s\n", store_failure_text(s, i));
    store_free(s);
    return ok && failed == 0 ? 0 : 1;
}
