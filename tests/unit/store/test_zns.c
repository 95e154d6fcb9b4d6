/* SPDX-License-Identifier: MIT */
/*
 * test_zns.c - the store obeys ZNS: only append, read, reset, finish and
 * flush reach the device; max open/active hold (the model counts every Too
 * Many Open/Active answer); zone capacity < zone size; Zone Is Full finishes
 * the zone and the slab goes elsewhere; other errors reach the caller and
 * what was acknowledged stays readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MIXED_SIZES 37u

static size_t size_cap = SIZE_MAX; /* a test with small slabs lowers it */

static size_t mixed_size(uint64_t id)
{
    static const size_t sizes[] = {0,    1,    7,    8,    9,    100,  128,  200,   513,  900,
                                   1500, 2048, 3000, 4000, 4096, 5000, 9000, 20000, 33000};
    size_t n = sizes[(id * 7) % (sizeof(sizes) / sizeof(sizes[0]))];
    return n < size_cap ? n : size_cap;
}

/* Puts @n objects of mixed sizes (ids from @first), flushing every @every. */
static void put_many(uint64_t first, uint64_t n, uint32_t version, uint64_t every)
{
    for (uint64_t i = 0; i < n; i++) {
        put_object(first + i, version, mixed_size(first + i));
        if (every && (i + 1) % every == 0)
            assert_int_equal(zslab_store_flush(rig.s), 0);
    }
    assert_int_equal(zslab_store_flush(rig.s), 0);
}

static void expect_many(uint64_t first, uint64_t n, uint32_t version)
{
    for (uint64_t i = 0; i < n; i++)
        expect_object(first + i, version, mixed_size(first + i));
}

static void only_zns_commands_and_no_limit_status_with_one_open_zone(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.max_open = 1;
    g.max_active = 1;
    g.nr_zones = 6;
    rig_device(&g);
    rig_open();
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    assert_int_equal(info.zone_budget, 1);
    /* several times the device's capacity, with replacements: reclaim runs */
    for (uint32_t v = 0; v < 6; v++)
        put_many(0, 150, v, 40);
    expect_many(0, 150, 5);
    zslab_store_counters_t c = counters();
    assert_true(c.zone_resets > 0);
    assert_true(c.zone_finishes > 0 || c.zone_resets > 0);
    assert_int_equal(rig.m.limit_statuses, 0);
    assert_int_equal(rig.m.calls[ZDEV_MODEL_OP_WRITE], 0);
    assert_int_equal(rig.m.nr_active <= 1, 1);
    rig_close(true);
    rig_open();
    expect_many(0, 150, 5);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void capacity_smaller_than_size_is_what_a_zone_holds(void **state)
{
    (void)state;
    struct geo g = geo_default(); /* 256-LBA zones of 192 LBAs capacity */
    rig_device(&g);
    rig_open();
    put_many(0, 400, 0, 0);
    for (uint32_t i = 0; i < g.nr_zones; i++) {
        assert_true(rig.m.zones[i].wp_lba <= (uint64_t)i * g.zone_lbas + g.cap_lbas);
        zslab_store_zone_info_t zi;
        assert_int_equal(zslab_store_zone_info(rig.s, i, &zi), 0);
        assert_int_equal(zi.cap_bytes, (uint64_t)g.cap_lbas * LBA_BYTES);
        assert_true(zi.written_bytes <= zi.cap_bytes);
    }
    expect_many(0, 400, 0);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void zone_is_full_finishes_the_zone_and_retries_elsewhere(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
    put_many(0, 20, 0, 0);
    /* someone else fills the head zone behind the store's back */
    uint32_t head = 0;
    while (rig.m.zones[head].state != ZSLAB_ZONE_IMP_OPEN)
        head++;
    uint8_t lba[LBA_BYTES] = {0};
    while (rig.m.zones[head].state != ZSLAB_ZONE_FULL)
        assert_int_equal(
            zdev_model_append(&rig.m, (uint64_t)head * g.zone_lbas, lba, LBA_BYTES, NULL), 0);
    put_many(100, 20, 0, 0);
    zslab_store_counters_t c = counters();
    assert_true(c.zone_full_retries >= 1);
    assert_true(rig_events(ZSLAB_STORE_EVENT_ZONE_FULL_RETRY) >= 1);
    expect_many(0, 20, 0);
    expect_many(100, 20, 0);
    rig_close(true);
    rig_open();
    expect_many(0, 20, 0);
    expect_many(100, 20, 0);
}

static void a_failed_append_reaches_the_caller_and_data_stays_readable(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
    put_many(0, 30, 0, 0);
    for (uint64_t i = 30; i < 60; i++)
        put_object(i, 0, mixed_size(i));
    zdev_model_fail(&rig.m, &(struct zdev_model_fault){
                                .op = ZDEV_MODEL_OP_APPEND, .times = 1, .status = -ZSLAB_EIO});
    int err = zslab_store_flush(rig.s);
    assert_int_equal(err, -ZSLAB_EIO);
    assert_non_null(strstr(zslab_store_last_error(rig.s), "append"));
    assert_true(counters().device_errors >= 1);
    expect_many(0, 60, 0); /* acknowledged and buffered objects: all readable */
    assert_int_equal(zslab_store_flush(rig.s), 0); /* and the next flush writes them */
    rig_close(true);
    rig_open();
    expect_many(0, 60, 0);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void a_failed_device_flush_and_read_are_errors(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
    put_many(0, 10, 0, 0);
    put_object(50, 0, 100);
    zdev_model_fail(
        &rig.m, &(struct zdev_model_fault){.op = ZDEV_MODEL_OP_FLUSH, .times = 1, .status = 0x6});
    assert_int_equal(zslab_store_flush(rig.s), 0x6);
    assert_non_null(strstr(zslab_store_last_error(rig.s), "device flush"));
    assert_int_equal(zslab_store_flush(rig.s), 0);
    zdev_model_fail(
        &rig.m, &(struct zdev_model_fault){.op = ZDEV_MODEL_OP_READ, .times = 1, .status = 0x281});
    uint8_t buf[64 * 1024];
    size_t n;
    assert_int_equal(zslab_store_get(rig.s, 5, buf, sizeof(buf), &n), 0x281);
    expect_object(5, 0, mixed_size(5));
}

static void zones_held_open_outside_the_store_limit_it(void **state)
{
    (void)state;
    struct geo g = geo_default(); /* max open 2, max active 3 */
    rig_device(&g);
    rig.cfg.first_zone = 4;
    /* three zones outside the range are open: nothing is left */
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(
            zdev_model_manage(&rig.m, (uint64_t)i * g.zone_lbas, ZSLAB_ZONE_OPEN, false),
            i < 2 ? 0 : ZSLAB_NVME_SC_TOO_MANY_OPEN);
    uint8_t lba[LBA_BYTES] = {0};
    assert_int_equal(zdev_model_append(&rig.m, 2 * g.zone_lbas, lba, LBA_BYTES, NULL),
                     ZSLAB_NVME_SC_TOO_MANY_OPEN);
    assert_int_equal(zdev_model_manage(&rig.m, 0, ZSLAB_ZONE_CLOSE, false), 0);
    assert_int_equal(zdev_model_manage(&rig.m, 2 * g.zone_lbas, ZSLAB_ZONE_OPEN, false), 0);
    rig.m.limit_statuses = 0;
    assert_int_equal(rig_try_open(), -ZSLAB_EBUSY);
    assert_non_null(strstr(rig.msg, "zones outside the store"));
    /* one active zone outside is given back, one open closed: the store
     * runs in what is left, one zone */
    assert_int_equal(zdev_model_manage(&rig.m, 0, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(zdev_model_manage(&rig.m, 2 * g.zone_lbas, ZSLAB_ZONE_CLOSE, false), 0);
    rig_open();
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    assert_int_equal(info.zone_budget, 1);
    for (uint32_t v = 0; v < 3; v++)
        put_many(0, 120, v, 30);
    expect_many(0, 120, 2);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void the_slab_is_capped_by_zasl_and_the_zone_capacity(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.zasl_bytes = 8 * LBA_BYTES;
    rig_device(&g);
    rig_open();
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    assert_int_equal(info.slab_bytes, 8 * LBA_BYTES);
    size_cap = info.max_object_bytes;
    put_many(0, 100, 0, 0);
    expect_many(0, 100, 0);
    size_cap = SIZE_MAX;
    rig_free();
    g.zasl_bytes = 4096;
    rig_device(&g);
    assert_int_equal(rig_try_open(), -ZSLAB_EINVAL);
    assert_non_null(strstr(rig.msg, "below the smallest slab"));
}

static void lba_size_512_and_an_explicit_zone_limit(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.lba_bytes = 512;
    g.zone_lbas = 2048;
    g.cap_lbas = 1536;
    g.max_open = 0;
    g.max_active = 0;
    rig_device(&g);
    rig.cfg.max_open_zones = 1;
    rig_open();
    for (uint32_t v = 0; v < 4; v++)
        put_many(0, 150, v, 50);
    expect_many(0, 150, 3);
    rig_close(true);
    rig_open();
    expect_many(0, 150, 3);
    for (uint32_t i = 0, open = 0; i < g.nr_zones; i++) {
        open += rig.m.zones[i].state == ZSLAB_ZONE_IMP_OPEN;
        assert_true(open <= 1);
    }
}

/* A put seals a slab per class it fills; a flush seals the open slab of each
 * class at once.  With append_start the store starts them all (several in
 * flight); a device that refuses it (-EOPNOTSUPP, as the driver without
 * io_uring) gets the same objects through synchronous appends, one at a
 * time, and nothing is lost across a reopen. */
static void appends_are_started_async_or_sent_sync_when_refused(void **state)
{
    (void)state;
    const struct zslab_zdev_ops *tables[] = {&zdev_model_async_ops, &zdev_model_refusing_async_ops,
                                             &zdev_model_ops};
    for (unsigned t = 0; t < 3; t++) {
        struct geo g = geo_default();
        g.max_open = 4;
        g.max_active = 4;
        rig_device(&g);
        rig.cfg.ops = tables[t];
        rig_open();
        put_many(0, 300, 1, 0); /* 19 sizes: many classes open at the flush */
        zslab_store_counters_t c = counters();
        assert_true(c.device_appends > 10);
        assert_int_equal(c.device_errors, 0);
        assert_int_equal(c.appends_in_flight.current, 0);
        if (t == 0) {
            assert_int_equal(c.async_appends, c.device_appends);
            assert_true(c.appends_in_flight.peak > 1);
        } else {
            assert_int_equal(c.async_appends, 0);
            assert_int_equal(c.appends_in_flight.peak, 1);
        }
        rig_close(true);
        rig_open();
        expect_many(0, 300, 1);
        rig_close(false);
        rig_free();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(only_zns_commands_and_no_limit_status_with_one_open_zone,
                                  rig_teardown),
        cmocka_unit_test_teardown(capacity_smaller_than_size_is_what_a_zone_holds, rig_teardown),
        cmocka_unit_test_teardown(zone_is_full_finishes_the_zone_and_retries_elsewhere,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_failed_append_reaches_the_caller_and_data_stays_readable,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_failed_device_flush_and_read_are_errors, rig_teardown),
        cmocka_unit_test_teardown(zones_held_open_outside_the_store_limit_it, rig_teardown),
        cmocka_unit_test_teardown(the_slab_is_capped_by_zasl_and_the_zone_capacity, rig_teardown),
        cmocka_unit_test_teardown(lba_size_512_and_an_explicit_zone_limit, rig_teardown),
        cmocka_unit_test_teardown(appends_are_started_async_or_sent_sync_when_refused,
                                  rig_teardown),
    };
    return cmocka_run_group_tests_name("store zns", tests, NULL, NULL);
}
