/* SPDX-License-Identifier: MIT */
/*
 * harness.c - the zone store's unit test rig (harness.h).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rig rig;

struct geo geo_default(void)
{
    return (struct geo){.lba_bytes = LBA_BYTES,
                        .zone_lbas = 256,
                        .cap_lbas = 192,
                        .nr_zones = 16,
                        .max_open = 2,
                        .max_active = 3,
                        .zasl_bytes = 16 * LBA_BYTES};
}

static void on_event(void *arg, const zslab_store_event_t *ev)
{
    struct event_log *log = arg;
    if (log->nr == MAX_EVENTS)
        return;
    log->ev[log->nr].kind = ev->kind;
    log->ev[log->nr].lba = ev->lba;
    snprintf(log->ev[log->nr].reason, EVENT_CHARS, "%s", ev->reason);
    log->nr++;
}

void rig_device(const struct geo *g)
{
    struct zdev_model_config mc = {
        .geo = {.lba_bytes = g->lba_bytes,
                .zone_size_lbas = g->zone_lbas,
                .zone_cap_lbas = g->cap_lbas,
                .nr_zones = g->nr_zones,
                .max_open = g->max_open,
                .max_active = g->max_active,
                .zasl_bytes = g->zasl_bytes,
                .mdts_bytes = 0},
        .auto_close = false,
        .keep_data = true,
    };
    memset(&rig, 0, sizeof(rig));
    assert_int_equal(zdev_model_init(&rig.m, &mc), 0);
    zslab_store_config_default(&rig.cfg);
    rig.cfg.ops = &zdev_model_ops;
    rig.cfg.dev = &rig.m;
    rig.cfg.on_event = on_event;
    rig.cfg.event_arg = &rig.log;
}

int rig_try_open(void)
{
    rig.log.nr = 0;
    return zslab_store_open(&rig.cfg, &rig.s, rig.msg, sizeof(rig.msg));
}

void rig_open(void)
{
    int err = rig_try_open();
    if (err)
        fail_msg("open: %d %s", err, rig.msg);
    assert_non_null(rig.s);
}

void rig_close(bool flush)
{
    if (rig.s)
        assert_int_equal(zslab_store_close(rig.s, flush), 0);
    rig.s = NULL;
}

void rig_free(void)
{
    if (rig.s)
        zslab_store_close(rig.s, false);
    rig.s = NULL;
    if (rig.m.zones)
        zdev_model_destroy(&rig.m);
}

int rig_teardown(void **state)
{
    (void)state;
    rig_free();
    return 0;
}

void rig_crash(enum zdev_model_crash mode, uint64_t keep_lbas, bool close_open)
{
    zslab_store_close(rig.s, false);
    rig.s = NULL;
    zdev_model_crash(&rig.m, mode, keep_lbas, close_open);
}

unsigned rig_events(zslab_store_event_kind_t kind)
{
    unsigned n = 0;
    for (unsigned i = 0; i < rig.log.nr; i++)
        n += rig.log.ev[i].kind == kind;
    return n;
}

void fill_object(uint8_t *buf, uint64_t id, uint32_t version, size_t len)
{
    uint64_t x = id * 0x9e3779b97f4a7c15ull ^ ((uint64_t)version << 32) ^ len;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
}

void put_object(uint64_t id, uint32_t version, size_t len)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    fill_object(buf, id, version, len);
    int err = zslab_store_put(rig.s, id, buf, len);
    if (err)
        fail_msg("put %llu (%zu bytes): %d %s", (unsigned long long)id, len, err,
                 zslab_store_last_error(rig.s));
    free(buf);
}

void expect_object(uint64_t id, uint32_t version, size_t len)
{
    uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
    assert_non_null(want);
    assert_non_null(got);
    fill_object(want, id, version, len);
    size_t n = 0;
    int err = zslab_store_get(rig.s, id, got, len + 1, &n);
    if (err)
        fail_msg("get %llu: %d %s", (unsigned long long)id, err, zslab_store_strerror(err));
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    free(want);
    free(got);
}

void expect_missing(uint64_t id)
{
    uint8_t b[1];
    size_t n = 12345;
    assert_int_equal(zslab_store_get(rig.s, id, b, sizeof(b), &n), -ZSLAB_ENOENT);
}

zslab_store_counters_t counters(void)
{
    zslab_store_counters_t c;
    zslab_store_get_counters(rig.s, &c);
    return c;
}
