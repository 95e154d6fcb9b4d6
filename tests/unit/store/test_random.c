/* SPDX-License-Identifier: MIT */
/*
 * test_random.c - a seeded randomized differential test: the store against a
 * plain array of what each id should hold, through puts, deletes, gets,
 * flushes, reclaim, clean reopens and crashes of every mode at random
 * points, half of the seeds on a device with asynchronous appends
 * (append_start/append_wait).  After a crash each id must hold what the last completed flush
 * acknowledged, or a later unacknowledged change of it (a slab or a reclaim
 * may have made it durable); in cache mode it may also be gone, but never
 * stale.  ZSLAB_STORE_SEEDS=N changes how many seeds run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store.h"

#define IDS       300u
#define OPS       2500u
#define MAX_CANDS 64u
#define ABSENT    0u
#define ANY       UINT32_MAX /* more changes than MAX_CANDS: anything of them */
#define MAX_SIZE  9000u

struct ref {
    uint32_t acked;            /* version a flush acknowledged (ABSENT: deleted/never) */
    uint32_t cur;              /* version the store holds now */
    uint32_t nr_cands;         /* changes since the last acknowledgement */
    uint32_t cands[MAX_CANDS]; /* ANY in [0]: overflowed */
};

static struct ref ref[IDS];
static uint32_t next_version;
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t size_of(uint64_t id, uint32_t version)
{
    uint64_t h = (id * 31 + version) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    switch (h % 8) {
    case 0:
        return h % 16; /* tiny, 0 included */
    case 1:
        return 20000 + h % 20000; /* large class */
    default:
        return h % MAX_SIZE;
    }
}

static void changed(uint64_t id, uint32_t version)
{
    struct ref *r = &ref[id];
    r->cur = version;
    if (r->nr_cands == MAX_CANDS)
        r->cands[0] = ANY;
    else
        r->cands[r->nr_cands++] = version;
}

static void acknowledge_all(void)
{
    for (uint64_t id = 0; id < IDS; id++) {
        ref[id].acked = ref[id].cur;
        ref[id].nr_cands = 0;
    }
}

/* The version the store returns for @id (ABSENT on a miss), checked. */
static uint32_t observe(uint64_t id)
{
    static uint8_t buf[64 * 1024], want[64 * 1024];
    size_t len = 0;
    int err = zslab_store_get(rig.s, id, buf, sizeof(buf), &len);
    if (err == -ZSLAB_ENOENT)
        return ABSENT;
    if (err)
        fail_msg("get %llu: %d (%s)", (unsigned long long)id, err, zslab_store_last_error(rig.s));
    /* which version is it?  the ones it may be, by content */
    struct ref *r = &ref[id];
    uint32_t options[MAX_CANDS + 2], n = 0;
    options[n++] = r->cur;
    options[n++] = r->acked;
    for (uint32_t i = 0; i < r->nr_cands; i++)
        options[n++] = r->cands[i];
    for (uint32_t i = 0; i < n; i++) {
        if (options[i] == ABSENT || options[i] == ANY || size_of(id, options[i]) != len)
            continue;
        fill_object(want, id, options[i], len);
        if (memcmp(buf, want, len) == 0)
            return options[i];
    }
    if (r->nr_cands && r->cands[0] == ANY)
        return ANY;
    fail_msg("id %llu: %zu bytes that are no version it may hold (cur %u acked %u)",
             (unsigned long long)id, len, r->cur, r->acked);
    return ABSENT;
}

static bool allowed_after_crash(const struct ref *r, uint32_t v, bool cache)
{
    if (v == r->acked || (cache && v == ABSENT))
        return true;
    for (uint32_t i = 0; i < r->nr_cands; i++)
        if (r->cands[i] == v || r->cands[i] == ANY)
            return true;
    return false;
}

static void add_up(zslab_store_counters_t *t)
{
    zslab_store_counters_t c = counters();
    t->zone_resets += c.zone_resets;
    t->objects_migrated += c.objects_migrated;
    t->objects_dropped += c.objects_dropped;
    t->put_bytes += c.put_bytes;
}

static void check_after_crash(bool cache, const char *what, unsigned seed, unsigned op)
{
    for (uint64_t id = 0; id < IDS; id++) {
        uint32_t v = observe(id);
        if (!allowed_after_crash(&ref[id], v, cache))
            fail_msg("seed %u op %u after %s: id %llu holds version %u; acked %u, %u changes since",
                     seed, op, what, (unsigned long long)id, v, ref[id].acked, ref[id].nr_cands);
        ref[id].cur = ref[id].acked = v == ANY ? ref[id].cur : v;
        ref[id].nr_cands = 0;
    }
}

static void check_exact(bool cache, unsigned seed, unsigned op)
{
    for (uint64_t id = 0; id < IDS; id++) {
        uint32_t v = observe(id);
        if (cache && v == ABSENT) {
            ref[id].cur = ABSENT; /* dropped: must stay gone */
            continue;
        }
        if (v != ref[id].cur)
            fail_msg("seed %u op %u: id %llu holds version %u, want %u", seed, op,
                     (unsigned long long)id, v, ref[id].cur);
    }
}

/* Debug aid: every zone of the model holds whole records up to its wp. */
static void check_device(unsigned op, const char *when)
{
    const struct zdev_model *m = &rig.m;
    for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++) {
        uint64_t start = (uint64_t)i * m->cfg.geo.zone_size_lbas, lba = start;
        uint64_t end = m->zones[i].wp_lba;
        while (lba < end) {
            zst_rec_t r;
            const char *why = "";
            int rc = _zslab_zst_rec_decode(m->data + lba * m->cfg.geo.lba_bytes,
                                           m->cfg.geo.lba_bytes, &r, &why);
            if (rc == 1 && m->zones[i].state == ZSLAB_ZONE_FULL)
                break;
            if (rc != 0 || lba + r.record_bytes / m->cfg.geo.lba_bytes > end) {
                print_message("op %u %s: zone %u (state %u, wp %llu): record at %llu: rc %d %s "
                              "bytes %u\n",
                              op, when, i, m->zones[i].state, (unsigned long long)end,
                              (unsigned long long)lba, rc, why, rc ? 0 : r.record_bytes);
                return;
            }
            lba += r.record_bytes / m->cfg.geo.lba_bytes;
        }
    }
}

static void run_seed(unsigned seed)
{
    rng_state = 0x9e3779b97f4a7c15ull * (seed + 1);
    memset(ref, 0, sizeof(ref));
    next_version = 1;
    struct geo g = geo_default();
    bool cache = seed % 3 == 2;
    if (seed % 4 == 1) {
        g.lba_bytes = 512;
        g.zone_lbas = 2048;
        g.cap_lbas = 1600;
    }
    if (seed % 5 == 3) {
        g.max_open = 1;
        g.max_active = 1;
    }
    g.nr_zones = 6;
    rig_device(&g);
    bool async = seed % 4 >= 2; /* puts and flushes start appends, waited for later */
    if (async)
        rig.cfg.ops = &zdev_model_async_ops;
    rig.cfg.mode = cache ? ZSLAB_STORE_MODE_CACHE : ZSLAB_STORE_MODE_STORE;
    rig.cfg.group_commit = seed % 2;
    rig_open();
    unsigned crashes = 0, tears = 0;
    zslab_store_counters_t total = {0};
    for (unsigned op = 0; op < OPS; op++) {
        uint64_t roll = rnd() % 1000, id = rnd() % IDS;
        if (roll < 550) {
            uint32_t v = next_version++;
            size_t len = size_of(id, v);
            uint8_t *buf = malloc(len + 1);
            fill_object(buf, id, v, len);
            int err = zslab_store_put(rig.s, id, buf, len);
            free(buf);
            if (err == 0)
                changed(id, v);
            else if (!(err == -ZSLAB_ENOSPC && !cache))
                fail_msg("seed %u op %u: put: %d %s", seed, op, err, zslab_store_last_error(rig.s));
        } else if (roll < 700) {
            int err = zslab_store_delete(rig.s, id);
            if (ref[id].cur == ABSENT && !cache)
                assert_int_equal(err, -ZSLAB_ENOENT);
            if (err == 0)
                changed(id, ABSENT);
            else
                assert_int_equal(err, -ZSLAB_ENOENT);
        } else if (roll < 900) {
            uint32_t v = observe(id);
            if (cache && v == ABSENT)
                ref[id].cur = ABSENT;
            else if (v != ref[id].cur)
                fail_msg("seed %u op %u: get %llu gave version %u, want %u", seed, op,
                         (unsigned long long)id, v, ref[id].cur);
        } else if (roll < 960) {
            int err = zslab_store_flush(rig.s);
            if (err)
                fail_msg("seed %u op %u: flush: %d %s", seed, op, err,
                         zslab_store_last_error(rig.s));
            acknowledge_all();
            if (getenv("ZSLAB_STORE_DEBUG"))
                check_device(op, "flush");
        } else if (roll < 975) {
            add_up(&total);
            assert_int_equal(zslab_store_close(rig.s, true), 0);
            rig.s = NULL;
            acknowledge_all();
            rig_open();
            check_exact(cache, seed, op);
        } else {
            static const enum zdev_model_crash modes[] = {
                ZDEV_MODEL_CRASH_DROP_UNFLUSHED, ZDEV_MODEL_CRASH_TEAR_LAST, ZDEV_MODEL_CRASH_KEEP};
            enum zdev_model_crash mode = modes[rnd() % 3];
            if (getenv("ZSLAB_STORE_DEBUG")) {
                check_device(op, "before crash");
                for (uint32_t i = 0; i < rig.m.cfg.geo.nr_zones; i++)
                    if (rig.m.zones[i].state != ZSLAB_ZONE_EMPTY)
                        print_message("   zone %u state %x wp %llu flushed %llu\n", i,
                                      rig.m.zones[i].state,
                                      (unsigned long long)rig.m.zones[i].wp_lba,
                                      (unsigned long long)rig.m.zones[i].flushed_lba);
                print_message("   last %llu +%llu, mode %d\n", (unsigned long long)rig.m.last_lba,
                              (unsigned long long)rig.m.last_nlbas, (int)mode);
            }
            add_up(&total);
            rig_crash(mode, rnd() % 4, rnd() % 2);
            crashes++;
            tears += mode == ZDEV_MODEL_CRASH_TEAR_LAST;
            rig_open();
            if (getenv("ZSLAB_STORE_DEBUG")) {
                zslab_store_info_t info;
                zslab_store_get_info(rig.s, &info);
                print_message("   store id %llx\n", (unsigned long long)info.store_id);
            }
            if (getenv("ZSLAB_STORE_DEBUG"))
                print_message("op %u: crash mode %d, corrupt %llu, lost %llu, left open %llu\n", op,
                              (int)mode, (unsigned long long)counters().corrupt_slabs,
                              (unsigned long long)counters().objects_lost,
                              (unsigned long long)counters().zones_left_open);
            if (getenv("ZSLAB_STORE_DEBUG"))
                for (unsigned i = 0; i < rig.log.nr; i++)
                    print_message("   event %d lba %llu: %s\n", (int)rig.log.ev[i].kind,
                                  (unsigned long long)rig.log.ev[i].lba, rig.log.ev[i].reason);
            /* a torn record stays (reported at each open) until its zone is reclaimed */
            if (counters().corrupt_slabs > tears)
                fail_msg("seed %u op %u: %llu corrupt records after %u tears", seed, op,
                         (unsigned long long)counters().corrupt_slabs, tears);
            check_after_crash(cache, "crash", seed, op);
        }
    }
    assert_int_equal(rig.m.limit_statuses, 0);
    add_up(&total);
    print_message("seed %u (%s%s): %u crashes (%u tears), %llu MB put, %llu resets, %llu migrated, "
                  "%llu dropped\n",
                  seed, cache ? "cache" : "store", async ? ", async appends" : "", crashes, tears,
                  (unsigned long long)(total.put_bytes >> 20),
                  (unsigned long long)total.zone_resets, (unsigned long long)total.objects_migrated,
                  (unsigned long long)total.objects_dropped);
    rig_free();
}

static void the_store_agrees_with_a_plain_map_through_crashes(void **state)
{
    (void)state;
    const char *env = getenv("ZSLAB_STORE_SEEDS");
    unsigned seeds = env ? (unsigned)atoi(env) : 8;
    for (unsigned seed = 0; seed < seeds; seed++)
        run_seed(seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(the_store_agrees_with_a_plain_map_through_crashes, rig_teardown),
    };
    return cmocka_run_group_tests_name("store random", tests, NULL, NULL);
}
