/* SPDX-License-Identifier: MIT */
/*
 * zns_store_cli.c - the `zns store` command line: verbs, options, help.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zns_cli.h"
#include "zns_store.h"

#define BIT(v)      (1u << (v))
#define ALL         0xffffu
#define OPENS_STORE (ALL & ~BIT(SV_FORMAT))
#define WORKLOAD    (BIT(SV_FILL) | BIT(SV_CHECK))

static const char *const verb_names[] = {
    [SV_NONE] = "",         [SV_INFO] = "info",       [SV_PUT] = "put",     [SV_GET] = "get",
    [SV_DEL] = "del",       [SV_FLUSH] = "flush",     [SV_STATS] = "stats", [SV_ZONES] = "zones",
    [SV_VERIFY] = "verify", [SV_LS] = "ls",           [SV_FILL] = "fill",   [SV_CHECK] = "check",
    [SV_FORMAT] = "format", [SV_RECLAIM] = "reclaim",
};
#define NR_VERBS (sizeof(verb_names) / sizeof(verb_names[0]))

enum opt_id {
    O_DATA,
    O_JSON,
    O_VERBOSE,
    O_ZONES,
    O_MODE,
    O_SLAB,
    O_RECLAIM_FREE,
    O_MAX_LIVE,
    O_MAX_OPEN,
    O_NO_VERIFY,
    O_GROUP_COMMIT,
    O_SYNC_APPEND,
    O_ASYNC_APPEND,
    O_COUNT,
    O_SEED,
    O_MIN_SIZE,
    O_MAX_SIZE,
    O_ID_SPACE,
    O_FIRST_ID,
    O_VERSION,
    O_DELETE_EVERY,
    O_FLUSH_EVERY,
    O_THREADS,
    O_UTILIZATION,
    O_WARMUP,
    O_UNTIL_FULL,
    O_ALLOW_MISSING,
    O_ZONE_MAP,
    O_MAP_EVERY,
    O_HELP,
};

static const struct zns_cli_opt opts[] = {
    {O_DATA, 'd', "data", true, BIT(SV_PUT) | BIT(SV_GET)},
    {O_JSON, 'j', "json", false, ALL},
    {O_VERBOSE, 'v', "verbose", false, ALL},
    {O_ZONES, 0, "zones", true, ALL},
    {O_MODE, 0, "mode", true, OPENS_STORE},
    {O_SLAB, 0, "slab", true, OPENS_STORE},
    {O_RECLAIM_FREE, 0, "reclaim-free", true, OPENS_STORE},
    {O_MAX_LIVE, 0, "max-live", true, OPENS_STORE},
    {O_MAX_OPEN, 0, "max-open", true, OPENS_STORE},
    {O_NO_VERIFY, 0, "no-verify", false, OPENS_STORE},
    {O_GROUP_COMMIT, 0, "group-commit", false, BIT(SV_FILL)},
    {O_SYNC_APPEND, 0, "sync-append", false, OPENS_STORE},
    {O_ASYNC_APPEND, 0, "async-append", false, BIT(SV_FILL)},
    {O_COUNT, 'n', "count", true, WORKLOAD},
    {O_SEED, 0, "seed", true, WORKLOAD},
    {O_MIN_SIZE, 0, "min-size", true, WORKLOAD},
    {O_MAX_SIZE, 0, "max-size", true, WORKLOAD},
    {O_ID_SPACE, 0, "id-space", true, WORKLOAD},
    {O_FIRST_ID, 0, "first-id", true, WORKLOAD},
    {O_VERSION, 0, "version", true, WORKLOAD},
    {O_DELETE_EVERY, 0, "delete-every", true, WORKLOAD},
    {O_FLUSH_EVERY, 0, "flush-every", true, BIT(SV_FILL)},
    {O_THREADS, 0, "threads", true, BIT(SV_FILL)},
    {O_UTILIZATION, 0, "utilization", true, WORKLOAD},
    {O_WARMUP, 0, "warmup", true, BIT(SV_FILL)},
    {O_UNTIL_FULL, 0, "until-full", false, BIT(SV_FILL)},
    {O_ALLOW_MISSING, 0, "allow-missing", false, BIT(SV_CHECK)},
    {O_ZONE_MAP, 0, "zone-map", true, BIT(SV_FILL)},
    {O_MAP_EVERY, 0, "map-every", true, BIT(SV_FILL)},
    {O_HELP, 'h', "help", false, ALL},
};
#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))

#define fail zns_cli_fail

const char *store_verb_name(enum store_verb verb)
{
    return (unsigned)verb < NR_VERBS ? verb_names[verb] : "";
}

/* A number (decimal, 0x hex, K/M/G suffixes) in [min, max]. */
static int number(const char *name, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                  char *err, size_t errlen)
{
    uint64_t v = 0;
    if (zns_cli_parse_size(text, &v) || v < min || v > max)
        return fail(err, errlen, "bad %s '%s': give a number from %llu to %llu", name, text,
                    (unsigned long long)min, (unsigned long long)max);
    *out = v;
    return 0;
}

static int u32(const char *name, const char *text, uint64_t min, uint64_t max, uint32_t *out,
               char *err, size_t errlen)
{
    uint64_t v = 0;
    if (number(name, text, min, max, &v, err, errlen))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int zones(const char *text, struct store_cli *cli, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    char first[32];
    uint64_t a = 0, b = 0;
    if (!colon || (size_t)(colon - text) >= sizeof(first))
        return fail(err, errlen,
                    "bad zones '%s': give FIRST:COUNT, e.g. 0:16 (COUNT 0: to the end)", text);
    memcpy(first, text, (size_t)(colon - text));
    first[colon - text] = '\0';
    if (zns_cli_parse_size(first, &a) || zns_cli_parse_size(colon + 1, &b) || a > UINT32_MAX ||
        b > UINT32_MAX)
        return fail(err, errlen,
                    "bad zones '%s': give FIRST:COUNT, e.g. 0:16 (COUNT 0: to the end)", text);
    cli->first_zone = (uint32_t)a;
    cli->nr_zones = (uint32_t)b;
    return 0;
}

static int apply(void *ctx, const struct zns_cli_opt *o, const char *v, char *err, size_t errlen)
{
    struct store_cli *c = ctx;
    switch ((enum opt_id)o->id) {
    case O_DATA:
        c->data_path = v;
        return 0;
    case O_JSON:
        c->json = true;
        return 0;
    case O_VERBOSE:
        c->verbose = true;
        return 0;
    case O_ZONES:
        return zones(v, c, err, errlen);
    case O_MODE:
        if (strcmp(v, "store") && strcmp(v, "cache"))
            return fail(err, errlen, "bad mode '%s': use store or cache", v);
        c->mode = strcmp(v, "cache") == 0 ? ZSLAB_STORE_MODE_CACHE : ZSLAB_STORE_MODE_STORE;
        return 0;
    case O_SLAB:
        return u32("slab size", v, ZSLAB_STORE_MIN_SLAB_BYTES, ZSLAB_STORE_MAX_SLAB_BYTES,
                   &c->slab_bytes, err, errlen);
    case O_RECLAIM_FREE:
        return u32("reclaim-free zone count", v, 2, UINT32_MAX, &c->reclaim_free, err, errlen);
    case O_MAX_LIVE:
        return u32("max-live percentage", v, 1, 99, &c->max_live_pct, err, errlen);
    case O_MAX_OPEN:
        return u32("max-open zone count", v, 1, UINT32_MAX, &c->max_open, err, errlen);
    case O_NO_VERIFY:
        c->no_verify = true;
        return 0;
    case O_GROUP_COMMIT:
        c->group_commit = true;
        return 0;
    case O_SYNC_APPEND:
        c->sync_append = true;
        return 0;
    case O_ASYNC_APPEND:
        c->async_append = true;
        return 0;
    case O_COUNT:
        return number("count", v, 1, UINT64_MAX >> 1, &c->count, err, errlen);
    case O_SEED:
        return number("seed", v, 0, UINT64_MAX, &c->seed, err, errlen);
    case O_MIN_SIZE:
        return number("min-size", v, 0, ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT, &c->min_size, err,
                      errlen);
    case O_MAX_SIZE:
        return number("max-size", v, 0, ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT, &c->max_size, err,
                      errlen);
    case O_ID_SPACE:
        return number("id-space", v, 1, UINT64_MAX >> 1, &c->id_space, err, errlen);
    case O_FIRST_ID:
        return number("first-id", v, 0, UINT64_MAX >> 1, &c->first_id, err, errlen);
    case O_VERSION:
        return u32("version", v, 0, UINT32_MAX >> 1, &c->version, err, errlen);
    case O_DELETE_EVERY:
        return u32("delete-every", v, 1, UINT32_MAX, &c->delete_every, err, errlen);
    case O_FLUSH_EVERY:
        return u32("flush-every", v, 1, UINT32_MAX, &c->flush_every, err, errlen);
    case O_THREADS:
        return u32("thread count", v, 1, 64, &c->threads, err, errlen);
    case O_UTILIZATION:
        return u32("utilization percentage", v, 1, 95, &c->utilization, err, errlen);
    case O_WARMUP:
        return u32("warmup percentage", v, 0, 10000, &c->warmup_pct, err, errlen);
    case O_UNTIL_FULL:
        c->until_full = true;
        return 0;
    case O_ALLOW_MISSING:
        c->allow_missing = true;
        return 0;
    case O_ZONE_MAP:
        c->zone_map = v;
        return 0;
    case O_MAP_EVERY:
        return number("map-every", v, 1, UINT64_MAX >> 1, &c->map_every, err, errlen);
    case O_HELP:
        c->help = true;
        return 0;
    }
    return fail(err, errlen, "internal error: option %d", (int)o->id);
}

static int positional(void *ctx, const char *arg, char *err, size_t errlen)
{
    struct store_cli *c = ctx;
    const char *verb = verb_names[c->verb];
    if (c->verb == SV_NONE)
        return fail(err, errlen, "unknown verb '%s' (see zns store --help)", arg);
    if (!c->device) {
        c->device = arg;
        return 0;
    }
    bool takes_id = c->verb == SV_PUT || c->verb == SV_GET || c->verb == SV_DEL;
    if (takes_id && !c->has_id) {
        if (zns_cli_parse_size(arg, &c->id))
            return fail(err, errlen, "%s: bad object id '%s': give a decimal or 0x hex number",
                        verb, arg);
        c->has_id = true;
        return 0;
    }
    return fail(err, errlen, "%s: unexpected argument '%s'", verb, arg);
}

static int complete(const struct store_cli *c, char *err, size_t errlen)
{
    const char *verb = verb_names[c->verb];
    if (!c->device)
        return fail(err, errlen, "%s: missing device (e.g. /dev/ng0n1)", verb);
    if ((c->verb == SV_PUT || c->verb == SV_GET || c->verb == SV_DEL) && !c->has_id)
        return fail(err, errlen, "%s: missing object id", verb);
    if ((c->verb == SV_FILL || c->verb == SV_CHECK) && !c->count)
        return fail(err, errlen, "%s: missing --count N (how many objects)", verb);
    if (c->min_size > c->max_size)
        return fail(err, errlen, "%s: --min-size %llu is above --max-size %llu", verb,
                    (unsigned long long)c->min_size, (unsigned long long)c->max_size);
    if (c->utilization && c->threads > 1)
        return fail(err, errlen, "fill: --utilization runs in one thread; drop --threads");
    if (c->utilization && (c->id_space || c->delete_every))
        return fail(err, errlen,
                    "fill: --utilization deletes at random; it takes no --id-space or "
                    "--delete-every");
    if (c->utilization && c->mode == ZSLAB_STORE_MODE_CACHE)
        return fail(err, errlen, "fill: --utilization measures store mode; drop --mode cache");
    if (c->verb == SV_GET && c->json && (!c->data_path || !strcmp(c->data_path, "-")))
        return fail(err, errlen, "get: --json needs -d FILE (the data goes to stdout otherwise)");
    if (c->warmup_pct && !c->utilization)
        return fail(err, errlen, "fill: --warmup needs --utilization");
    if (c->sync_append && c->async_append)
        return fail(err, errlen, "fill: --sync-append or --async-append, not both");
    if (c->map_every && !c->zone_map)
        return fail(err, errlen, "fill: --map-every needs --zone-map FILE");
    return 0;
}

/* argv[0] is "store". */
int store_cli_parse(int argc, char **argv, struct store_cli *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->min_size = 128;
    c->max_size = 4096;
    c->threads = 1;
    c->seed = 1;
    int i = 1;
    if (i < argc && argv[i][0] != '-') {
        for (unsigned v = SV_INFO; v < NR_VERBS; v++)
            if (strcmp(argv[i], verb_names[v]) == 0)
                c->verb = (enum store_verb)v;
        if (c->verb == SV_NONE)
            return fail(err, errlen, "unknown verb '%s' (see zns store --help)", argv[i]);
        i++;
    }
    struct zns_cli_walk w = {
        .opts = opts,
        .nr_opts = NR_OPTS,
        .tool = "zns store",
        .verb = verb_names[c->verb],
        .verb_bit = c->verb == SV_NONE ? 0 : BIT(c->verb),
        .positional = positional,
        .apply = apply,
        .ctx = c,
    };
    if (zns_cli_walk(argc, argv, i, &w, err, errlen))
        return -1;
    if (c->help)
        return 0;
    if (c->verb == SV_NONE)
        return fail(err, errlen, "missing verb (see zns store --help)");
    return complete(c, err, errlen);
}

static const char tool_usage[] =
    "usage: zns store VERB DEVICE [ID] [OPTIONS]\n"
    "\n"
    "The zone store on a zoned namespace: objects grouped by size class into\n"
    "slabs, each slab one Zone Append, zones given back by reset.  Every command\n"
    "opens the store (recovering it from the zones), works, flushes and closes.\n"
    "\n"
    "verbs:\n"
    "  info     the store's geometry: slab size, largest object, zones, limits\n"
    "  put      store an object: zns store put DEV ID [-d FILE] (stdin by default)\n"
    "  get      read an object: zns store get DEV ID [-d FILE] (stdout by default)\n"
    "  del      delete an object\n"
    "  flush    open (recover) and flush\n"
    "  stats    counters after recovery, zone summary\n"
    "  zones    every zone: state, bytes written, live bytes, seq range\n"
    "  verify   read every record, check both CRCs; list corrupt slabs by LBA\n"
    "  ls       every object: id and length\n"
    "  fill     put --count objects of --min-size..--max-size bytes (one process)\n"
    "  check    check what fill stored: every object byte-exact, deleted ones gone\n"
    "  reclaim  run reclaim now\n"
    "  format   reset every zone of the store's range\n"
    "\n"
    "store options (every verb that opens the store):\n"
    "  --zones FIRST:COUNT   the zones of the store (default 0:0, every zone)\n"
    "  --mode store|cache    reclaim migrates (store, default) or drops (cache)\n"
    "  --slab BYTES          slab size (default 256K; capped by ZASL and zone capacity / 16)\n"
    "  --reclaim-free N      reclaim when fewer than N zones are empty (default 2)\n"
    "  --max-live PCT        store mode: refuse puts above PCT% of the space (default 90)\n"
    "  --max-open N          zones the store may keep open (default: the device's limits)\n"
    "  --no-verify           recovery reads headers only, no payload CRCs\n"
    "  --sync-append         append with a blocking ioctl, not io_uring passthrough\n"
    "                        (the default when io_uring is not available, and for\n"
    "                        fill --threads 2 or more; info, stats and fill say\n"
    "                        which is used, and why)\n"
    "  -v, --verbose         print every event (resets, finishes), not only corruption\n"
    "  -j, --json            JSON output\n"
    "\n"
    "exit status: 0 success; 1 bad input; 2 the device returned an NVMe status;\n"
    "3 system or I/O error; 4 no such object; 5 corrupt or wrong data found;\n"
    "6 no space (a store-mode store full of live data).\n";

static const char fill_usage[] =
    "usage: zns store fill DEVICE --count N [OPTIONS]\n"
    "\n"
    "Puts N objects in one process; object i has id FIRST_ID + i (or FIRST_ID +\n"
    "i % ID_SPACE, so ids are put again), version VERSION (+ i / ID_SPACE), a length\n"
    "in [min-size, max-size] and contents derived from (seed, id, version), so that\n"
    "`zns store check` with the same options knows what each id must hold.\n"
    "\n"
    "  -n, --count N         objects to put\n"
    "      --seed S          contents and lengths (default 1)\n"
    "      --min-size B      smallest object, bytes (default 128)\n"
    "      --max-size B      largest object, bytes (default 4096)\n"
    "      --id-space M      ids FIRST_ID .. FIRST_ID+M-1, put again and again\n"
    "      --first-id ID     first id (default 0)\n"
    "      --version V       version of the first round (default 0)\n"
    "      --delete-every K  after the puts, delete every K-th id of the id space\n"
    "      --flush-every K   flush after every K puts (default: once at the end)\n"
    "      --threads T       T writer threads sharing the store and its head zone\n"
    "      --group-commit    flushes of the threads share device flushes\n"
    "      --async-append    io_uring appends also with --threads 2 or more (by\n"
    "                        default several threads append with the ioctl)\n"
    "      --utilization P   store mode, WA measurement: once live data reaches P% of\n"
    "                        the zones' capacity, each put first deletes a random\n"
    "                        live object; reports write amplification of that phase\n"
    "      --warmup P        ... measured once P% of the zones' capacity more was put\n"
    "      --until-full      stop at the first \"no space\" and report it (exit 0)\n"
    "      --zone-map FILE   append each zone's live bytes and state every\n"
    "      --map-every K     K puts (default count / 50) to FILE, for a plot\n"
    "\n"
    "Prints objects, bytes, seconds, MB/s (10^6 bytes/s, put+flush) and the\n"
    "store's counters; --json: one object with all of them.\n";

static const char check_usage[] =
    "usage: zns store check DEVICE --count N [OPTIONS]\n"
    "\n"
    "With fill's options (--count, --seed, --min-size, --max-size, --id-space,\n"
    "--first-id, --version, --delete-every, --utilization), checks every id: it\n"
    "holds exactly its last version, byte for byte, or it is gone if fill deleted\n"
    "it (with --utilization, fill's random deletes are replayed to know which).\n"
    "  --allow-missing   an id may be gone (cache mode drops objects), but what\n"
    "                    is there must be its last version\n"
    "Exit 5 on the first kind of mismatch, after checking every id.\n";

const char *store_cli_usage(enum store_verb verb)
{
    if (verb == SV_FILL)
        return fill_usage;
    if (verb == SV_CHECK)
        return check_usage;
    return tool_usage;
}
