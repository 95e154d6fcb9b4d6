/* SPDX-License-Identifier: MIT */
/*
 * zns_bench.c - `zns-bench`: sequential Zone Append through libzns in a loop,
 * at queue depth 1, timed around the appends only.  `make bench-driver`
 * compares it with fio on the same device (nvme-driver/bench/bench-driver).
 *
 * The appends start at a zone and go on into the next zones as each one's
 * capacity fills, so any total size is written sequentially, as fio's
 * --zonemode=zbd --rw=write does.  The zones should be empty.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zns.h"

#define DEFAULT_APPEND_BYTES (64u * 1024u)
#define BUF_ALIGN_BYTES      4096u
#define NS_PER_S             1000000000.0
#define NS_PER_US            1000.0
#define BYTES_PER_MB         1000000.0
#define PERCENT              100u
#define P99                  99u

struct bench_opts {
    const char *device;
    uint64_t zslba;
    uint64_t append_bytes;
    uint64_t total_bytes; /* 0: one zone's capacity */
    int json;
};

struct bench_result {
    uint64_t appends;
    uint64_t bytes;
    uint64_t elapsed_ns;
    uint64_t p50_ns, p99_ns, max_ns;
};

static void usage(FILE *out)
{
    fputs("usage: zns-bench DEVICE [-s ZONE_START_LBA] [-z BYTES] [-t TOTAL] [--json]\n"
          "\n"
          "Sequential Zone Append at queue depth 1 with libzns: TOTAL bytes (default:\n"
          "one zone's capacity) in appends of BYTES (default 64K, at most ZASL),\n"
          "from zone -s (default 0) on into the next zones as each fills.  Prints\n"
          "MB/s (10^6 bytes/s) and the latency of one append (p50, p99, max).\n"
          "Sizes take K, M, G (binary).  The zones should be empty.\n",
          out);
}

/* A number with an optional K/M/G (binary) suffix; 0 on success. */
static int parse_size(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || end == text || text[0] == '-')
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M')
        shift = 20;
    else if (*end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
    o->append_bytes = DEFAULT_APPEND_BYTES;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t *target = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage(stdout), 1;
        if (!strcmp(a, "--json")) {
            o->json = 1;
            continue;
        }
        if (!strcmp(a, "-s"))
            target = &o->zslba;
        else if (!strcmp(a, "-z"))
            target = &o->append_bytes;
        else if (!strcmp(a, "-t"))
            target = &o->total_bytes;
        else if (a[0] != '-' && !o->device) {
            o->device = a;
            continue;
        } else
            return fprintf(stderr, "zns-bench: unexpected argument '%s'\n", a), -1;
        if (i + 1 >= argc || parse_size(argv[i + 1], target))
            return fprintf(stderr, "zns-bench: %s needs a number\n", a), -1;
        i++;
    }
    if (!o->device)
        return fprintf(stderr, "zns-bench: missing device (see --help)\n"), -1;
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The appends; per-append latencies go to @lat_ns (@n entries). */
static int run_appends(const struct zns_dev *dev, const struct bench_opts *o, const void *buf,
                       uint64_t n, uint64_t *lat_ns, struct bench_result *r)
{
    uint64_t per_zone = dev->geo.zone_cap_bytes / o->append_bytes;
    uint64_t zslba = o->zslba;
    uint64_t start = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        if (i > 0 && i % per_zone == 0)
            zslba += dev->geo.zone_size_lbas;
        uint64_t t0 = now_ns();
        int err = zns_append(dev, zslba, buf, o->append_bytes, NULL);
        lat_ns[i] = now_ns() - t0;
        if (err) {
            fprintf(stderr, "zns-bench: append %" PRIu64 " to zone 0x%" PRIx64 ": %s\n", i, zslba,
                    zns_strerror(err));
            return -1;
        }
    }
    r->elapsed_ns = now_ns() - start;
    r->appends = n;
    r->bytes = n * o->append_bytes;
    qsort(lat_ns, n, sizeof(*lat_ns), cmp_u64);
    r->p50_ns = lat_ns[n / 2];
    r->p99_ns = lat_ns[n * P99 / PERCENT];
    r->max_ns = lat_ns[n - 1];
    return 0;
}

static void print_result(const struct bench_opts *o, const struct bench_result *r)
{
    double secs = (double)r->elapsed_ns / NS_PER_S;
    double mb_s = secs > 0 ? (double)r->bytes / BYTES_PER_MB / secs : 0;
    if (o->json)
        printf("{\"bytes\": %" PRIu64 ", \"appends\": %" PRIu64 ", \"append_bytes\": %" PRIu64
               ", \"seconds\": %.6f, \"mb_per_s\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, "
               "\"max_us\": %.1f}\n",
               r->bytes, r->appends, o->append_bytes, secs, mb_s, (double)r->p50_ns / NS_PER_US,
               (double)r->p99_ns / NS_PER_US, (double)r->max_ns / NS_PER_US);
    else
        printf("%" PRIu64 " appends of %" PRIu64 " bytes in %.3f s: %.1f MB/s; one append p50 "
               "%.1f us, p99 %.1f us, max %.1f us\n",
               r->appends, o->append_bytes, secs, mb_s, (double)r->p50_ns / NS_PER_US,
               (double)r->p99_ns / NS_PER_US, (double)r->max_ns / NS_PER_US);
}

/* How many appends: the total in whole appends that fit the zones' capacity. */
static int plan(const struct zns_dev *dev, const struct bench_opts *o, uint64_t *n)
{
    const struct zns_geometry *g = &dev->geo;
    if (o->append_bytes == 0 || o->append_bytes % g->lba_bytes || o->append_bytes > g->zasl_bytes)
        return fprintf(stderr,
                       "zns-bench: -z %" PRIu64 ": a multiple of %u bytes, at most ZASL %u\n",
                       o->append_bytes, g->lba_bytes, g->zasl_bytes),
               -1;
    if (o->zslba % g->zone_size_lbas || o->zslba >= g->ns_lbas)
        return fprintf(stderr, "zns-bench: -s 0x%" PRIx64 " is not a zone start\n", o->zslba), -1;
    uint64_t per_zone = g->zone_cap_bytes / o->append_bytes;
    uint64_t zones_left = (g->ns_lbas - o->zslba) / g->zone_size_lbas;
    uint64_t total = o->total_bytes ? o->total_bytes : per_zone * o->append_bytes;
    *n = total / o->append_bytes;
    if (per_zone == 0 || *n == 0 || *n > per_zone * zones_left)
        return fprintf(stderr, "zns-bench: %" PRIu64 " bytes do not fit from zone 0x%" PRIx64 "\n",
                       total, o->zslba),
               -1;
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o = {0};
    int ret = parse_args(argc, argv, &o);
    if (ret)
        return ret < 0 ? 1 : 0;
    struct zns_dev dev;
    int err = zns_open(&dev, o.device, true);
    if (err)
        return fprintf(stderr, "zns-bench: %s: %s\n", o.device, zns_strerror(err)), 1;
    uint64_t n = 0;
    void *buf = NULL;
    uint64_t *lat = NULL;
    struct bench_result r = {0};
    ret = plan(&dev, &o, &n);
    if (!ret && posix_memalign(&buf, BUF_ALIGN_BYTES, o.append_bytes) != 0)
        buf = NULL;
    if (!ret)
        lat = calloc(n, sizeof(*lat));
    if (!ret && (!buf || !lat)) {
        fprintf(stderr, "zns-bench: out of memory\n");
        ret = -1;
    }
    if (!ret) {
        memset(buf, 0xa5, o.append_bytes);
        ret = run_appends(&dev, &o, buf, n, lat, &r);
    }
    if (!ret)
        print_result(&o, &r);
    free(buf);
    free(lat);
    zns_close(&dev);
    return ret ? 1 : 0;
}
