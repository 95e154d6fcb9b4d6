/* SPDX-License-Identifier: MIT */
/*
 * zns_store_work.c - `zns store fill` and `zns store check`: bulk work in one
 * process (a guest under TCG starts a process in ~10 ms; 50,000 puts must
 * not be 50,000 processes).
 *
 * Object i of a fill has id FIRST_ID + i (FIRST_ID + i % ID_SPACE with an id
 * space), version VERSION (+ i / ID_SPACE), a length in [min, max] and
 * contents from (seed, id, version): its first 16 bytes are id and version,
 * the rest a slice of a pseudo-random pool made from the seed.  Check
 * computes the same, so it needs nothing but the fill's options.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zns_store.h"

#define POOL_BYTES (1u << 20)
#define STAMP      16u
#define MAP_POINTS 50u

static uint8_t *pool;
static size_t pool_bytes;

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static int make_pool(const struct store_cli *c)
{
    pool_bytes = POOL_BYTES + c->max_size;
    pool = malloc(pool_bytes);
    if (!pool)
        return -1;
    uint64_t x = mix(c->seed);
    for (size_t i = 0; i + 8 <= pool_bytes; i += 8) {
        x = mix(x);
        memcpy(pool + i, &x, 8);
    }
    return 0;
}

/* The length of (id, version) and, with @buf, its bytes. */
size_t store_object(const struct store_cli *c, uint64_t id, uint32_t version, uint8_t *buf,
                    size_t cap)
{
    uint64_t h = mix(c->seed ^ mix(id) ^ ((uint64_t)version << 40));
    size_t len = (size_t)(c->min_size + h % (c->max_size - c->min_size + 1));
    if (!buf || len > cap)
        return len;
    uint8_t stamp[STAMP];
    memcpy(stamp, &id, 8);
    memcpy(stamp + 8, &version, 4);
    memcpy(stamp + 12, &h, 4);
    memcpy(buf, stamp, len < STAMP ? len : STAMP);
    if (len > STAMP)
        memcpy(buf + STAMP, pool + (h >> 20) % POOL_BYTES, len - STAMP);
    return len;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Object @i of the fill. */
static void nth(const struct store_cli *c, uint64_t i, uint64_t *id, uint32_t *version)
{
    uint64_t k = c->id_space ? i % c->id_space : i;
    *id = c->first_id + k;
    *version = c->version + (uint32_t)(c->id_space ? i / c->id_space : 0);
}

struct fill_state {
    const struct store_cli *c;
    zslab_store_t *s;
    FILE *map;
    uint64_t map_every;
    /* per thread */
    unsigned thread;
    uint64_t done, bytes;
    int err;
    const char *err_what;
    bool full;
};

static void map_zones(struct fill_state *f, uint64_t at)
{
    zslab_store_info_t info;
    zslab_store_get_info(f->s, &info);
    for (uint32_t z = 0; z < info.nr_zones; z++) {
        zslab_store_zone_info_t zi;
        zslab_store_zone_info(f->s, z, &zi);
        fprintf(f->map, "%" PRIu64 " %u %" PRIu64 " %" PRIu64 " %u\n", at, info.first_zone + z,
                zi.live_bytes, zi.written_bytes, (unsigned)zi.state);
    }
    fprintf(f->map, "\n");
}

static int put_one(struct fill_state *f, uint8_t *buf, uint64_t i)
{
    uint64_t id;
    uint32_t version;
    nth(f->c, i, &id, &version);
    size_t len = store_object(f->c, id, version, buf, f->c->max_size);
    int err = zslab_store_put(f->s, id, buf, len);
    if (!err) {
        f->done++;
        f->bytes += len;
    }
    return err;
}

static void *fill_thread(void *arg)
{
    struct fill_state *f = arg;
    const struct store_cli *c = f->c;
    uint8_t *buf = malloc(c->max_size ? c->max_size : 1);
    if (!buf) {
        f->err = -ZSLAB_ENOMEM;
        f->err_what = "out of memory";
        return NULL;
    }
    uint64_t mine = 0;
    for (uint64_t i = f->thread; i < c->count && !f->err; i += c->threads) {
        int err = put_one(f, buf, i);
        if (err == -ZSLAB_ENOSPC && c->until_full) {
            f->full = true;
            break;
        }
        if (!err && c->flush_every && ++mine % c->flush_every == 0)
            err = zslab_store_flush(f->s);
        if (err) {
            f->err = err;
            f->err_what = "put";
        }
        if (f->map && f->thread == 0 && i % f->map_every == 0)
            map_zones(f, i);
    }
    free(buf);
    return NULL;
}

/* --utilization: once live data reaches the target, each put first deletes
 * uniformly random live objects until the new one fits. */
struct churn {
    uint64_t *ids;
    uint64_t nr, live_bytes, target;
    bool steady, measuring;
    uint64_t warmup_bytes, steady_put; /* user bytes after steady state, then measure */
    zslab_store_counters_t at_steady;
    double t_steady;
};

static int make_room(struct fill_state *f, struct churn *ch, size_t len, uint64_t *rng)
{
    if (ch->steady && !ch->measuring && f->bytes - ch->steady_put >= ch->warmup_bytes) {
        ch->measuring = true; /* warmed up: the measured phase starts */
        zslab_store_get_counters(f->s, &ch->at_steady);
        ch->t_steady = now_s();
    }
    while (ch->nr && ch->live_bytes + len > ch->target) {
        if (!ch->steady) {
            ch->steady = true;
            ch->steady_put = f->bytes;
        }
        *rng = mix(*rng);
        uint64_t k = *rng % ch->nr, id = ch->ids[k];
        int err = zslab_store_delete(f->s, id);
        if (err)
            return err;
        ch->live_bytes -= store_object(f->c, id, f->c->version, NULL, 0);
        ch->ids[k] = ch->ids[--ch->nr];
    }
    return 0;
}

static void fill_churn(struct fill_state *f, struct churn *ch)
{
    const struct store_cli *c = f->c;
    zslab_store_info_t info;
    zslab_store_get_info(f->s, &info);
    ch->target = (uint64_t)info.nr_zones * info.zone_cap_bytes * c->utilization / 100;
    ch->warmup_bytes = (uint64_t)info.nr_zones * info.zone_cap_bytes * c->warmup_pct / 100;
    ch->ids = malloc(c->count * sizeof(*ch->ids));
    uint8_t *buf = malloc(c->max_size ? c->max_size : 1);
    uint64_t rng = c->seed;
    if (!ch->ids || !buf) {
        f->err = -ZSLAB_ENOMEM;
        f->err_what = "out of memory";
    }
    for (uint64_t i = 0; i < c->count && !f->err; i++) {
        uint64_t id = c->first_id + i;
        size_t len = store_object(c, id, c->version, NULL, 0);
        int err = make_room(f, ch, len, &rng);
        if (!err)
            err = put_one(f, buf, i);
        if (!err) {
            ch->ids[ch->nr++] = id;
            ch->live_bytes += len;
        }
        if (!err && c->flush_every && (i + 1) % c->flush_every == 0)
            err = zslab_store_flush(f->s);
        if (err) {
            f->err = err;
            f->err_what = "put";
        }
        if (f->map && i % f->map_every == 0)
            map_zones(f, i);
    }
    free(buf);
}

static void print_fill(const struct store_cli *c, zslab_store_t *s, uint64_t done, uint64_t bytes,
                       uint64_t deleted, double secs, const struct churn *ch, bool full)
{
    zslab_store_counters_t now;
    zslab_store_get_counters(s, &now);
    double mbs = secs > 0 ? (double)bytes / secs / 1e6 : 0;
    uint64_t sp = 0, sd = 0;
    if (ch && ch->measuring) {
        sp = now.put_bytes - ch->at_steady.put_bytes;
        sd = now.device_append_bytes - ch->at_steady.device_append_bytes;
    }
    if (c->json) {
        printf("{\"objects\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"deleted\": %" PRIu64
               ", \"seconds\": %.3f, \"mb_per_s\": %.2f, \"threads\": %u, \"full\": %s",
               done, bytes, deleted, secs, mbs, c->threads, full ? "true" : "false");
        if (ch)
            printf(", \"steady\": {\"reached\": %s, \"utilization_pct\": %u, \"warmup_pct\": %u, "
                   "\"put_bytes\": %" PRIu64 ", \"device_bytes\": %" PRIu64
                   ", \"write_amp\": %.4f, \"migrated_bytes\": %" PRIu64 "}",
                   ch->measuring ? "true" : "false", c->utilization, c->warmup_pct, sp, sd,
                   sp ? (double)sd / (double)sp : 0.0,
                   ch->measuring ? now.bytes_migrated - ch->at_steady.bytes_migrated : 0);
        printf(", \"counters\": ");
        store_print_counters(stdout, &now, true);
        store_print_appends(stdout, true);
        printf("}\n");
        return;
    }
    printf("put %" PRIu64 " objects, %" PRIu64 " bytes, in %.2f s: %.2f MB/s (put + flush)\n", done,
           bytes, secs, mbs);
    if (deleted)
        printf("deleted %" PRIu64 " objects\n", deleted);
    if (ch)
        printf("steady state at %u%% utilization: %s; write amplification %.4f (%" PRIu64
               " device bytes for %" PRIu64 " user bytes)\n",
               c->utilization, ch->measuring ? "reached" : "not reached",
               sp ? (double)sd / (double)sp : 0.0, sd, sp);
    store_print_counters(stdout, &now, false);
    store_print_appends(stdout, false);
}

static uint64_t delete_marked(const struct store_cli *c, zslab_store_t *s, int *err)
{
    uint64_t ids = c->id_space && c->id_space < c->count ? c->id_space : c->count, n = 0;
    for (uint64_t k = 0; k < ids && !*err; k++) {
        if ((k + 1) % c->delete_every)
            continue;
        int e = zslab_store_delete(s, c->first_id + k);
        if (e && e != -ZSLAB_ENOENT) /* cache mode may have dropped it */
            *err = e;
        n += !e;
    }
    return n;
}

enum store_exit store_fill(zslab_store_t *s, const struct store_cli *c)
{
    if (make_pool(c))
        return store_complain(STORE_SYSTEM, "out of memory");
    struct fill_state base = {.c = c, .s = s};
    if (c->zone_map) {
        base.map = fopen(c->zone_map, "a");
        if (!base.map)
            return store_complain(STORE_BAD_INPUT, "cannot open %s", c->zone_map);
        base.map_every = c->map_every ? c->map_every : (c->count / MAP_POINTS + 1);
    }
    struct fill_state f[64];
    pthread_t t[64];
    struct churn ch = {0};
    double t0 = now_s();
    if (c->utilization) {
        f[0] = base;
        fill_churn(&f[0], &ch);
    } else {
        for (unsigned i = 0; i < c->threads; i++) {
            f[i] = base;
            f[i].thread = i;
            if (c->threads == 1 || pthread_create(&t[i], NULL, fill_thread, &f[i]) != 0)
                fill_thread(&f[i]);
        }
        for (unsigned i = 0; c->threads > 1 && i < c->threads; i++)
            pthread_join(t[i], NULL);
    }
    uint64_t done = 0, bytes = 0, deleted = 0;
    int err = 0;
    bool full = false;
    for (unsigned i = 0; i < (c->utilization ? 1 : c->threads); i++) {
        done += f[i].done;
        bytes += f[i].bytes;
        full |= f[i].full;
        if (f[i].err && !err)
            err = f[i].err;
    }
    if (!err && c->delete_every)
        deleted = delete_marked(c, s, &err);
    if (!err)
        err = zslab_store_flush(s);
    double secs = now_s() - t0;
    if (base.map)
        fclose(base.map); /* snapshots every map_every puts: a regular grid */
    free(ch.ids);
    free(pool);
    if (err) {
        char what[320];
        snprintf(what, sizeof(what), "after %" PRIu64 " objects: %s", done,
                 zslab_store_last_error(s));
        return store_fail(err, what);
    }
    print_fill(c, s, done, bytes, deleted, secs, c->utilization ? &ch : NULL, full);
    if (full && !c->json)
        printf("store full after %" PRIu64 " objects: %s\n", done, zslab_store_last_error(s));
    return STORE_OK;
}

/* ---- check ----------------------------------------------------------------- */

/* --utilization: fill's random deletes replayed, without a device: which ids
 * of FIRST_ID .. FIRST_ID + count - 1 are left. */
static uint8_t *replay_churn(zslab_store_t *s, const struct store_cli *c)
{
    zslab_store_info_t info;
    zslab_store_get_info(s, &info);
    uint64_t target = (uint64_t)info.nr_zones * info.zone_cap_bytes * c->utilization / 100;
    uint64_t *ids = malloc(c->count * sizeof(*ids)), nr = 0, live = 0, rng = c->seed;
    uint8_t *alive = calloc(c->count, 1);
    if (!ids || !alive) {
        free(ids);
        free(alive);
        return NULL;
    }
    for (uint64_t i = 0; i < c->count; i++) {
        size_t len = store_object(c, c->first_id + i, c->version, NULL, 0);
        while (nr && live + len > target) {
            rng = mix(rng);
            uint64_t k = rng % nr, id = ids[k];
            live -= store_object(c, id, c->version, NULL, 0);
            alive[id - c->first_id] = 0;
            ids[k] = ids[--nr];
        }
        ids[nr++] = c->first_id + i;
        alive[i] = 1;
        live += len;
    }
    free(ids);
    return alive;
}

enum store_exit store_check(zslab_store_t *s, const struct store_cli *c)
{
    if (make_pool(c))
        return store_complain(STORE_SYSTEM, "out of memory");
    uint8_t *want = malloc(c->max_size + 1), *got = malloc(c->max_size + 1);
    if (!want || !got)
        return store_complain(STORE_SYSTEM, "out of memory");
    uint64_t ids = c->id_space && c->id_space < c->count ? c->id_space : c->count;
    uint64_t exact = 0, gone = 0, missing = 0, wrong = 0, back = 0;
    uint8_t *alive = c->utilization ? replay_churn(s, c) : NULL;
    if (c->utilization && !alive)
        return store_complain(STORE_SYSTEM, "out of memory");
    for (uint64_t k = 0; k < ids; k++) {
        uint64_t id = c->first_id + k, last = k;
        if (c->id_space)
            last = k + (c->count - 1 - k) / c->id_space * c->id_space;
        uint64_t lid;
        uint32_t version;
        nth(c, last, &lid, &version);
        bool deleted = (c->delete_every && (k + 1) % c->delete_every == 0) || (alive && !alive[k]);
        size_t len = store_object(c, id, version, want, c->max_size);
        size_t n = 0;
        int err = zslab_store_get(s, id, got, c->max_size + 1, &n);
        if (err == -ZSLAB_ENOENT) {
            if (deleted)
                gone++;
            else if (c->allow_missing)
                missing++;
            else if (missing++ < 5)
                store_complain(STORE_CORRUPT, "object %" PRIu64 " is missing", id);
            continue;
        }
        if (err) {
            free(want);
            free(got);
            free(pool);
            free(alive);
            return store_fail(err, zslab_store_last_error(s));
        }
        if (deleted) {
            if (back++ < 5)
                store_complain(STORE_CORRUPT, "object %" PRIu64 " came back after its delete", id);
        } else if (n != len || memcmp(got, want, len) != 0) {
            if (wrong++ < 5)
                store_complain(STORE_CORRUPT,
                               "object %" PRIu64 ": %zu bytes, want %zu bytes of version %u%s", id,
                               n, len, version, n == len ? " (contents differ)" : "");
        } else {
            exact++;
        }
    }
    free(want);
    free(got);
    free(pool);
    free(alive);
    uint64_t bad_missing = c->allow_missing ? 0 : missing;
    if (c->json)
        printf("{\"ids\": %" PRIu64 ", \"exact\": %" PRIu64 ", \"deleted_gone\": %" PRIu64
               ", \"missing\": %" PRIu64 ", \"wrong\": %" PRIu64 ", \"came_back\": %" PRIu64 "}\n",
               ids, exact, gone, missing, wrong, back);
    else
        printf("checked %" PRIu64 " ids: %" PRIu64 " byte-exact, %" PRIu64
               " deleted and gone, %" PRIu64 " missing%s, %" PRIu64 " wrong, %" PRIu64
               " back after delete\n",
               ids, exact, gone, missing, c->allow_missing ? " (allowed)" : "", wrong, back);
    return wrong || back || bad_missing ? STORE_CORRUPT : STORE_OK;
}
