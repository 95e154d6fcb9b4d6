/* SPDX-License-Identifier: MIT */
/*
 * zns_store.h - `zns store`: the zone store (zslab/zstore.h) on a namespace.
 *
 *   zns_store_cli.c   the command line, parsed into struct store_cli
 *   zns_store.c       the verbs: open the store, run, print
 *   zns_store_work.c  fill and check: bulk workloads in one process, with
 *                     object contents derived from (seed, id, version)
 *
 * Exit status: 0 success; 1 bad input; 2 the device returned an NVMe
 * status; 3 system or I/O error; 4 no such object; 5 corrupt or wrong data
 * found (verify, check); 6 no space (store mode is full).
 */
#ifndef ZNS_STORE_H
#define ZNS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <zslab/zstore.h>

enum store_exit {
    STORE_OK = 0,
    STORE_BAD_INPUT = 1,
    STORE_NVME_STATUS = 2,
    STORE_SYSTEM = 3,
    STORE_NOT_FOUND = 4,
    STORE_CORRUPT = 5,
    STORE_NO_SPACE = 6,
};

enum store_verb {
    SV_NONE,
    SV_INFO,
    SV_PUT,
    SV_GET,
    SV_DEL,
    SV_FLUSH,
    SV_STATS,
    SV_ZONES,
    SV_VERIFY,
    SV_LS,
    SV_FILL,
    SV_CHECK,
    SV_FORMAT,
    SV_RECLAIM,
};

/**
 * struct store_cli - one `zns store` command line.
 * @verb, @device: what to do, on which namespace.
 * @has_id, @id:   the object id (put, get, del).
 * @data_path:     -d FILE: put's input, get's output; NULL or "-": stdin/stdout.
 * @json:          --json.
 * @verbose:       -v: print every event (zone resets, finishes), not only
 *                 corrupt slabs and device errors.
 * @first_zone, @nr_zones: --zones FIRST:COUNT (0:0 = every zone).
 * @mode:          --mode store|cache.
 * @slab_bytes, @reclaim_free, @max_live_pct, @max_open: store config (0: default).
 * @no_verify:     --no-verify: recovery reads headers only.
 * @group_commit:  --group-commit.
 * @sync_append:   --sync-append: no io_uring; appends are blocking ioctls.
 * @async_append:  fill --async-append: io_uring also with several --threads.
 * @count, @seed, @min_size, @max_size, @id_space, @first_id, @version,
 * @delete_every, @flush_every, @threads, @utilization, @until_full,
 * @allow_missing, @zone_map, @map_every: the fill/check workload (see
 *                 zns_store_work.c and `zns store fill --help`).
 * @help:          -h.
 */
struct store_cli {
    enum store_verb verb;
    const char *device;
    bool has_id;
    uint64_t id;
    const char *data_path;
    bool json;
    bool verbose;
    uint32_t first_zone, nr_zones;
    zslab_store_mode_t mode;
    uint32_t slab_bytes, reclaim_free, max_live_pct, max_open;
    bool no_verify;
    bool group_commit;
    bool sync_append, async_append;
    uint64_t count, seed, min_size, max_size, id_space, first_id;
    uint32_t version, delete_every, flush_every, threads, utilization, warmup_pct;
    bool until_full, allow_missing;
    const char *zone_map;
    uint64_t map_every;
    bool help;
};

/* zns_store_cli.c */
int store_cli_parse(int argc, char **argv, struct store_cli *cli, char *err, size_t errlen);
const char *store_cli_usage(enum store_verb verb);
const char *store_verb_name(enum store_verb verb);

/* zns_store.c */
int zns_store_main(int argc, char **argv);
enum store_exit store_fail(int err, const char *what);
enum store_exit store_complain(enum store_exit code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void store_print_counters(FILE *out, const zslab_store_counters_t *c, bool json);
void store_print_appends(FILE *out, bool json);

/* zns_store_work.c */
enum store_exit store_fill(zslab_store_t *s, const struct store_cli *cli);
enum store_exit store_check(zslab_store_t *s, const struct store_cli *cli);
size_t store_object(const struct store_cli *cli, uint64_t id, uint32_t version, uint8_t *buf,
                    size_t cap);

#endif /* ZNS_STORE_H */
