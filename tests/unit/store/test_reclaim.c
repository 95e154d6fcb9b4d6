/* SPDX-License-Identifier: MIT */
/*
 * test_reclaim.c - every reclaim decision: store mode picks the zone with the
 * fewest live bytes and migrates its live objects before the reset; a full
 * store says "no space" and keeps working; cache mode drops the oldest zone;
 * tombstones outlive the zones that need them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define OBJ_BYTES 4000u /* one object ~ one LBA: zone contents are easy to count */

static uint32_t full_zones(void)
{
    uint32_t n = 0;
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    for (uint32_t i = 0; i < info.nr_zones; i++) {
        zslab_store_zone_info_t zi;
        assert_int_equal(zslab_store_zone_info(rig.s, i, &zi), 0);
        n += zi.state == ZSLAB_STORE_ZONE_FULL;
    }
    return n;
}

/* ids 0..599 but for the 5 first and zone 1's deleted ones, byte-exact. */
static void expect_zone_1_reclaimed(uint64_t per_zone)
{
    for (uint64_t id = 0; id < 600; id++) {
        bool deleted = id < 5 || (id >= per_zone + 3 && id < 2 * per_zone - 1);
        if (deleted)
            expect_missing(id);
        else
            expect_object(id, 0, OBJ_BYTES);
    }
}

static void store_mode_reclaims_the_emptiest_zone_and_migrates_what_lives(void **state)
{
    (void)state;
    struct geo g = geo_default(); /* 16 zones of 192 LBAs of capacity */
    rig_device(&g);
    rig.cfg.reclaim_free_zones = 2;
    rig_open();
    /* ~3 zones: ids 0..599 */
    for (uint64_t id = 0; id < 600; id++)
        put_object(id, 0, OBJ_BYTES);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(full_zones() >= 2);
    /* zone 1 (the second written) loses all but 3 of its objects; zone 0 a few */
    zslab_store_zone_info_t z0, z1;
    assert_int_equal(zslab_store_zone_info(rig.s, 0, &z0), 0);
    assert_int_equal(zslab_store_zone_info(rig.s, 1, &z1), 0);
    uint64_t per_zone = z0.written_bytes / (OBJ_BYTES + 12);
    for (uint64_t id = per_zone + 3; id < 2 * per_zone - 1; id++)
        assert_int_equal(zslab_store_delete(rig.s, id), 0);
    for (uint64_t id = 0; id < 5; id++)
        assert_int_equal(zslab_store_delete(rig.s, id), 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_int_equal(zslab_store_zone_info(rig.s, 1, &z1), 0);
    assert_int_equal(zslab_store_zone_info(rig.s, 0, &z0), 0);
    assert_true(z1.live_bytes < z0.live_bytes);
    zslab_store_counters_t before = counters();
    rig.log.nr = 0;
    assert_int_equal(zslab_store_reclaim(rig.s, 1), 1);
    zslab_store_counters_t after = counters();
    /* the victim was zone 1: reset, its live objects migrated */
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_RESET), 1);
    assert_int_equal(rig.log.ev[rig.log.nr - 1].lba, z1.start_lba);
    assert_int_equal(after.zone_resets - before.zone_resets, 1);
    assert_int_equal(after.objects_migrated - before.objects_migrated, z1.live_bytes / OBJ_BYTES);
    assert_true(after.device_flushes > before.device_flushes); /* flushed before the reset */
    assert_int_equal(zslab_store_zone_info(rig.s, 1, &z1), 0);
    assert_int_equal(z1.state, ZSLAB_STORE_ZONE_EMPTY);
    expect_zone_1_reclaimed(per_zone);
    rig_close(true);
    rig_open();
    expect_zone_1_reclaimed(per_zone);
}

static void a_full_store_says_no_space_and_keeps_working(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.nr_zones = 8;
    rig_device(&g);
    rig_open();
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    assert_true(info.max_live_bytes > 0);
    uint64_t id = 0;
    int err = 0;
    uint8_t buf[OBJ_BYTES];
    for (; id < 100000; id++) {
        fill_object(buf, id, 0, sizeof(buf));
        if ((err = zslab_store_put(rig.s, id, buf, sizeof(buf))))
            break;
    }
    assert_int_equal(err, -ZSLAB_ENOSPC);
    assert_non_null(strstr(zslab_store_last_error(rig.s), "no space"));
    assert_true(counters().live_bytes.current <= info.max_live_bytes);
    assert_true(counters().live_bytes.current + 2 * OBJ_BYTES > info.max_live_bytes);
    uint64_t full = id;
    /* 100% logically full: gets work, a flush works */
    assert_int_equal(zslab_store_flush(rig.s), 0);
    for (uint64_t i = 0; i < full; i += 7)
        expect_object(i, 0, OBJ_BYTES);
    /* deleting makes room again, and reclaim gives the space back */
    for (uint64_t i = 0; i < full; i += 2)
        assert_int_equal(zslab_store_delete(rig.s, i), 0);
    for (uint64_t i = 0; i < full; i += 2)
        put_object(i, 1, OBJ_BYTES);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(counters().zone_resets > 0);
    for (uint64_t i = 0; i < full; i++)
        expect_object(i, i % 2 ? 0 : 1, OBJ_BYTES);
    rig_close(true);
    rig_open();
    for (uint64_t i = 0; i < full; i++)
        expect_object(i, i % 2 ? 0 : 1, OBJ_BYTES);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void cache_mode_drops_the_oldest_zone_and_never_runs_out(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.nr_zones = 6;
    rig_device(&g);
    rig.cfg.mode = ZSLAB_STORE_MODE_CACHE;
    rig_open();
    const uint64_t n = 4000; /* ~3.5 times the device's capacity */
    for (uint64_t id = 0; id < n; id++) {
        put_object(id % 700, (uint32_t)(id / 700), OBJ_BYTES);
        if (id % 50 == 49)
            assert_int_equal(zslab_store_flush(rig.s), 0);
    }
    assert_int_equal(zslab_store_flush(rig.s), 0);
    zslab_store_counters_t c = counters();
    assert_true(c.objects_dropped > 0);
    assert_true(c.zone_resets >= 5);
    assert_int_equal(c.objects_migrated, 0);
    /* what is there is the latest version; what is not was dropped, never stale */
    uint64_t hits = 0;
    for (uint64_t k = 0; k < 700; k++) {
        uint64_t last = (n - 1 - k) / 700 * 700 + k; /* last put of id k */
        size_t len = 0;
        uint8_t buf[OBJ_BYTES];
        int err = zslab_store_get(rig.s, k, buf, sizeof(buf), &len);
        if (err == -ZSLAB_ENOENT)
            continue;
        assert_int_equal(err, 0);
        expect_object(k, (uint32_t)(last / 700), OBJ_BYTES);
        hits++;
    }
    assert_true(hits > 50 && hits < 700);
    /* the newest puts are all there */
    for (uint64_t id = n - 40; id < n; id++)
        expect_object(id % 700, (uint32_t)(id / 700), OBJ_BYTES);
    rig_close(true);
    rig_open();
    for (uint64_t id = n - 40; id < n; id++)
        expect_object(id % 700, (uint32_t)(id / 700), OBJ_BYTES);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static zslab_store_zone_info_t zone(uint32_t i)
{
    zslab_store_zone_info_t zi;
    assert_int_equal(zslab_store_zone_info(rig.s, i, &zi), 0);
    return zi;
}

static void tombstones_outlive_their_zone_while_an_older_zone_needs_them(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
    /* zone 0 fills with ids 0..n-1 */
    uint64_t n = 0;
    while (zone(0).state != ZSLAB_STORE_ZONE_FULL) {
        put_object(n++, 0, OBJ_BYTES);
        assert_int_equal(zslab_store_flush(rig.s), 0);
    }
    /* their deletes: tombstones in zone 1, which then fills with dead data */
    for (uint64_t id = 0; id < 10; id++)
        assert_int_equal(zslab_store_delete(rig.s, id), 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    for (uint64_t id = 100000; zone(1).state != ZSLAB_STORE_ZONE_FULL; id += 20) {
        for (uint64_t k = id; k < id + 20; k++)
            put_object(k, 0, OBJ_BYTES);
        assert_int_equal(zslab_store_flush(rig.s), 0);
        for (uint64_t k = id; k < id + 20; k++)
            assert_int_equal(zslab_store_delete(rig.s, k), 0);
    }
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(zone(1).live_bytes < zone(0).live_bytes);
    /* zone 1 is the emptiest: reclaimed first, its tombstones kept */
    uint64_t kept = counters().tombstones_written;
    assert_int_equal(zslab_store_reclaim(rig.s, 1), 1);
    assert_int_equal(zone(1).state, ZSLAB_STORE_ZONE_EMPTY);
    assert_int_equal(zone(0).state, ZSLAB_STORE_ZONE_FULL);
    assert_true(counters().tombstones_written >= kept + 10); /* put again */
    rig_close(true);
    rig_open();
    for (uint64_t id = 0; id < 10; id++)
        expect_missing(id);
    for (uint64_t id = 10; id < n; id++)
        expect_object(id, 0, OBJ_BYTES);
    /* once zone 0 is gone too, nothing needs them: a reclaim drops them */
    for (uint64_t id = 10; id < n; id++)
        assert_int_equal(zslab_store_delete(rig.s, id), 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(zslab_store_reclaim(rig.s, 1) >= 1);
    assert_int_equal(zone(0).state, ZSLAB_STORE_ZONE_EMPTY);
    rig_close(true);
    rig_open();
    for (uint64_t id = 0; id < n; id++)
        expect_missing(id);
}

static void reclaim_with_nothing_to_gain_reports_no_space(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
    assert_int_equal(zslab_store_reclaim(rig.s, 1), -ZSLAB_ENOSPC);
    assert_non_null(strstr(zslab_store_last_error(rig.s), "no zone"));
    assert_int_equal(zslab_store_reclaim(rig.s, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(store_mode_reclaims_the_emptiest_zone_and_migrates_what_lives,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_full_store_says_no_space_and_keeps_working, rig_teardown),
        cmocka_unit_test_teardown(cache_mode_drops_the_oldest_zone_and_never_runs_out,
                                  rig_teardown),
        cmocka_unit_test_teardown(tombstones_outlive_their_zone_while_an_older_zone_needs_them,
                                  rig_teardown),
        cmocka_unit_test_teardown(reclaim_with_nothing_to_gain_reports_no_space, rig_teardown),
    };
    return cmocka_run_group_tests_name("store reclaim", tests, NULL, NULL);
}
