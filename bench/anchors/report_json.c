/* SPDX-License-Identifier: MIT */
/*
 * report_json.c - anchors.json (every figure of every run, the targets, the
 * failures) and the gnuplot data files:
 *   anchors-cdf-WORKLOAD-OP.tsv  column 1 the CDF point on a "nines" axis
 *                                (p50 = 0.3, p90 = 1, p99 = 2, ...; the
 *                                maximum at log10 of the sample count), one
 *                                column per allocator: the median over the
 *                                runs of its latency there, ns
 *   anchors-throughput.tsv       one row per workload; per allocator the
 *                                median, minimum and maximum Mops/s
 * Tab-separated, a header line of names (gnuplot's columnheader).
 */
#include <math.h>
#include <string.h>

#include "driver.h"

#define KEY_BYTES 160

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* @before "key": "value" */
static void json_member(FILE *f, const char *before, const char *key, const char *value)
{
    fprintf(f, "%s\"%s\": ", before, key);
    json_string(f, value);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fprintf(f, "null");
}

/* "median": M, "min": m, "max": x, "runs": n (null for a figure no run has). */
static void json_stats_fields(FILE *f, struct stats st)
{
    fprintf(f, "\"median\": ");
    json_number(f, st.n ? st.median : NAN);
    fprintf(f, ", \"min\": ");
    json_number(f, st.n ? st.min : NAN);
    fprintf(f, ", \"max\": ");
    json_number(f, st.n ? st.max : NAN);
    fprintf(f, ", \"runs\": %d", st.n);
}

static void json_cell(FILE *f, const struct store *s, int k, int a)
{
    static const char *const infos[] = {"version", "api", "process_malloc", "free", "served"};
    fprintf(f, "{\"info\": {");
    for (size_t i = 0, first = 1; i < sizeof(infos) / sizeof(infos[0]); i++) {
        const char *text = store_info_text(s, k, a, infos[i]);
        if (!text)
            continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", infos[i]);
        json_string(f, text);
        first = 0;
    }
    fprintf(f, "}, \"metrics\": {");
    for (size_t i = 0; i < store_key_count(s, k, a); i++) {
        const char *key = store_key(s, k, a, i);
        fprintf(f, "%s\n        ", i ? "," : "");
        json_string(f, key);
        fprintf(f, ": ");
        fprintf(f, "{");
        json_stats_fields(f, store_stats(s, k, a, key));
        fprintf(f, ", \"values\": [");
        for (int r = 0; r < store_runs(s); r++) {
            double v;
            fprintf(f, "%s", r ? ", " : "");
            if (store_value(s, k, a, r, key, &v))
                json_number(f, v);
            else
                fprintf(f, "null");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "}}");
}

static void json_head(FILE *f, const struct config *cfg, const struct host_facts *h,
                      const struct store *s)
{
    static const char *const timer_keys[][2] = {
        {"floor_ns", "timer.floor_ns"},
        {"overhead_mean_ns", "timer.overhead_mean_ns"},
        {"overhead_min_ns", "timer.overhead_min_ns"},
        {"resolution_ns", "timer.resolution_ns"},
        {"ticks_per_ns", "timer.ticks_per_ns"},
        {"step_ns", "lat.alloc.step_ns"}, /* the steps measured latencies come in */
    };
    fprintf(f, "{\n  \"tool\": \"zslab-anchors\"");
    json_member(f, ",\n  ", "label", cfg->label);
    json_member(f, ",\n  ", "date", h->date);
    json_member(f, ",\n  \"host\": {", "cpu", h->cpu);
    fprintf(f, ", \"cpus\": %ld", h->cpus);
    json_member(f, ", ", "kernel", h->kernel);
    json_member(f, ", ", "compiler", h->compiler);
    json_member(f, ", ", "load_start", h->load_start);
    json_member(f, ", ", "load_end", h->load_end);
    fprintf(f,
            "},\n  \"config\": {\"runs\": %d, \"objects\": %zu, \"pairs\": %zu, \"live\": %zu, "
            "\"seed\": %lu, \"sized_free\": %s, \"strace\": %s, \"object_bytes\": %u, "
            "\"ring_slots\": %u, \"timer_subtracted\": false},\n  \"timer\": {",
            cfg->runs, cfg->objects, cfg->pairs, cfg->live, cfg->seed,
            cfg->sized ? "true" : "false", cfg->strace ? "true" : "false", ANCHORS_OBJECT_BYTES,
            ANCHORS_RING_SLOTS);
    for (size_t i = 0; i < sizeof(timer_keys) / sizeof(timer_keys[0]); i++) {
        fprintf(f, "%s\"%s\": {", i ? ", " : "", timer_keys[i][0]);
        json_stats_fields(f, store_pooled(s, KIND_LATENCY, timer_keys[i][1]));
        fprintf(f, "}");
    }
    fprintf(f, "},\n  \"allocators\": [");
    for (int a = 0, first = 1; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (cfg->use_allocator[a]) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", allocator_names[a]);
            first = 0;
        }
    }
    fprintf(f, "],\n  \"workloads\": [");
    for (int g = 0, first = 1; g < GROUP_COUNT; g++) {
        if (!cfg->use_group[g])
            continue;
        fprintf(f, "%s\n    {\"name\": \"%s\", \"title\": \"%s\", \"measurements\": [",
                first ? "" : ",", groups[g].name, groups[g].title);
        for (int k = 0, kf = 1; k < KIND_COUNT; k++) {
            if (kind_selected(cfg, k) && !strcmp(kinds[k].group, groups[g].name)) {
                fprintf(f, "%s\"%s\"", kf ? "" : ", ", kinds[k].id);
                kf = 0;
            }
        }
        fprintf(f, "]}");
        first = 0;
    }
    fprintf(f, "\n  ],\n");
}

static void json_targets(FILE *f, const struct target_result *t, size_t nt)
{
    static const char *const verdicts[] = {"met", "missed", "not measured"};
    fprintf(f, "  \"targets\": [");
    for (size_t i = 0; i < nt; i++) {
        fprintf(f, "%s\n    {\"id\": \"%s\", \"text\": ", i ? "," : "", t[i].id);
        json_string(f, t[i].text);
        fprintf(f, ", \"unit\": ");
        json_string(f, t[i].unit);
        fprintf(f, ", \"zslab\": ");
        json_number(f, t[i].verdict == VERDICT_NOT_MEASURED ? NAN : t[i].ours);
        fprintf(f, ", \"best_anchor\": ");
        if (t[i].best_name)
            json_string(f, t[i].best_name);
        else
            fprintf(f, "null");
        fprintf(f, ", \"best\": ");
        json_number(f, t[i].best_name ? t[i].best : NAN);
        fprintf(f, ", \"ratio\": ");
        json_number(f, t[i].best_name ? t[i].ratio : NAN);
        fprintf(f, ", \"limit\": ");
        json_number(f, t[i].limit);
        fprintf(f, ", \"limit_is_ratio\": %s, \"result\": \"%s\", \"why\": ",
                t[i].ratio_target ? "true" : "false", verdicts[t[i].verdict]);
        json_string(f, t[i].why);
        fprintf(f, "}");
    }
    fprintf(f, "\n  ],\n");
}

bool report_json(const char *path, const struct store *s, const struct config *cfg,
                 const struct host_facts *h, const struct target_result *t, size_t nt)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "zslab-anchors: cannot write %s\n", path);
        return false;
    }
    json_head(f, cfg, h, s);
    json_targets(f, t, nt);
    fprintf(f, "  \"measurements\": {");
    for (int k = 0, first = 1; k < KIND_COUNT; k++) {
        if (!kind_selected(cfg, k))
            continue;
        fprintf(f,
                "%s\n    \"%s\": {\"workload\": \"%s\", \"mode\": \"%s\", \"threads\": %u, "
                "\"allocators\": {",
                first ? "" : ",", kinds[k].id, kinds[k].workload, kinds[k].mode, kinds[k].threads);
        for (int a = 0, af = 1; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            if (!store_key_count(s, k, a) && !store_info_text(s, k, a, "version"))
                continue;
            fprintf(f, "%s\n      \"%s\": ", af ? "" : ",", allocator_names[a]);
            json_cell(f, s, k, a);
            af = 0;
        }
        fprintf(f, "}}");
        first = 0;
    }
    fprintf(f, "\n  },\n  \"failures\": [");
    for (size_t i = 0; i < store_failure_count(s); i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        json_string(f, store_failure_text(s, i));
    }
    fprintf(f, "\n  ]\n}\n");
    return fclose(f) == 0;
}

static FILE *open_tsv(const char *dir, const char *name)
{
    char path[PATH_BYTES + TEXT_BYTES];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "zslab-anchors: cannot write %s\n", path);
    return f;
}

static void tsv_value(FILE *f, struct stats st, double v)
{
    if (st.n && isfinite(v))
        fprintf(f, "\t%.6g", v);
    else
        fprintf(f, "\tNaN");
}

static bool cdf_file(const char *dir, const struct store *s, const struct config *cfg, int k,
                     const char *op)
{
    char name[TEXT_BYTES], key[KEY_BYTES];
    snprintf(name, sizeof(name), "anchors-cdf-%s-%s.tsv", kinds[k].workload, op);
    FILE *f = open_tsv(dir, name);
    if (!f)
        return false;
    fprintf(f, "nines");
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (cfg->use_allocator[a])
            fprintf(f, "\t%s", allocator_names[a]);
    }
    fprintf(f, "\n");
    snprintf(key, sizeof(key), "lat.%s.n", op);
    double n = 0;
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        struct stats st = store_stats(s, k, a, key);
        n = st.n && st.median > n ? st.median : n;
    }
    for (int i = 0; i < ANCHORS_CDF_POINTS; i++) {
        double nines = i < ANCHORS_CDF_POINTS - 1 ? (double)i / ANCHORS_CDF_PER_NINE
                                                  : (n > 1 ? log10(n) : ANCHORS_CDF_NINES + 1);
        fprintf(f, "%.4f", nines);
        snprintf(key, sizeof(key), "cdf.%s.%d", op, i);
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            struct stats st = store_stats(s, k, a, key);
            if (cfg->use_allocator[a])
                tsv_value(f, st, st.median);
        }
        fprintf(f, "\n");
    }
    return fclose(f) == 0;
}

static bool throughput_file(const char *dir, const struct store *s, const struct config *cfg)
{
    static const int rows[] = {K_SEED_THR, K_CHURN_THR, K_MIXED_THR,
                               K_XT_THR,   K_SCALING_1, K_SCALING_2};
    static const char *const titles[] = {"a. seed",         "b. churn",    "c. mixed",
                                         "d. cross-thread", "e. 1 thread", "e. 2 threads"};
    FILE *f = open_tsv(dir, "anchors-throughput.tsv");
    if (!f)
        return false;
    fprintf(f, "workload");
    for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
        if (cfg->use_allocator[a])
            fprintf(f, "\t%s\t%s_min\t%s_max", allocator_names[a], allocator_names[a],
                    allocator_names[a]);
    }
    fprintf(f, "\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!kind_selected(cfg, rows[i]))
            continue;
        fprintf(f, "%s", titles[i]);
        for (int a = 0; a < ANCHORS_ALLOCATOR_COUNT; a++) {
            struct stats st = store_stats(s, rows[i], a, "mops");
            if (!cfg->use_allocator[a])
                continue;
            tsv_value(f, st, st.median);
            tsv_value(f, st, st.min);
            tsv_value(f, st, st.max);
        }
        fprintf(f, "\n");
    }
    return fclose(f) == 0;
}

bool report_plot_data(const char *dir, const struct store *s, const struct config *cfg)
{
    static const char *const ops[] = {"alloc", "touch", "free"};
    bool ok = throughput_file(dir, s, cfg);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!(kinds[k].flags & KIND_LATENCY) || (kinds[k].flags & KIND_ATTRIBUTE) ||
            !kind_selected(cfg, k))
            continue;
        for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
            ok = cdf_file(dir, s, cfg, k, ops[o]) && ok;
    }
    return ok;
}
