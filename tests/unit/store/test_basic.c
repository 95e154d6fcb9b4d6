/* SPDX-License-Identifier: MIT */
/*
 * test_basic.c - put, get, delete and flush on the model device, and the
 * store's refusals of bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void open_default(void)
{
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
}

static void put_get_from_dram_then_from_the_device(void **state)
{
    (void)state;
    open_default();
    put_object(1, 0, 100);
    put_object(2, 0, 3000);
    put_object(3, 0, 0);
    expect_object(1, 0, 100);
    expect_object(2, 0, 3000);
    expect_object(3, 0, 0);
    assert_int_equal(counters().device_appends, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(counters().device_appends >= 2);
    assert_int_equal(counters().device_flushes, 1);
    assert_int_equal(rig.m.calls[ZDEV_MODEL_OP_FLUSH], 1);
    expect_object(1, 0, 100);
    expect_object(2, 0, 3000);
    expect_object(3, 0, 0);
    expect_missing(4);
    rig_close(true);
    rig_open();
    expect_object(1, 0, 100);
    expect_object(2, 0, 3000);
    expect_object(3, 0, 0);
    assert_int_equal(counters().live_objects.current, 3);
    assert_int_equal(counters().live_bytes.current, 3100);
}

static void a_missing_id_is_an_error_never_empty_data(void **state)
{
    (void)state;
    open_default();
    put_object(5, 0, 0); /* an empty object exists */
    size_t n = 99;
    uint8_t b[4];
    assert_int_equal(zslab_store_get(rig.s, 5, b, sizeof(b), &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(zslab_store_get(rig.s, 6, b, sizeof(b), &n), -ZSLAB_ENOENT);
    assert_int_equal(zslab_store_delete(rig.s, 6), -ZSLAB_ENOENT);
    assert_int_equal(zslab_store_size(rig.s, 6, &n), -ZSLAB_ENOENT);
    assert_int_equal(counters().get_misses, 1);
    assert_string_equal(zslab_store_strerror(-ZSLAB_ENOENT), "no such object");
}

static void replace_and_delete_in_dram_and_on_the_device(void **state)
{
    (void)state;
    open_default();
    put_object(1, 0, 500);
    put_object(1, 1, 700); /* replaced while in DRAM */
    expect_object(1, 1, 700);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    put_object(1, 2, 900); /* replaced on the device */
    expect_object(1, 2, 900);
    put_object(2, 0, 64);
    assert_int_equal(zslab_store_delete(rig.s, 2), 0); /* deleted in DRAM, never written */
    expect_missing(2);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_int_equal(zslab_store_delete(rig.s, 1), 0); /* deleted on the device */
    expect_missing(1);
    assert_int_equal(counters().live_objects.current, 0);
    assert_int_equal(counters().live_bytes.current, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_true(counters().tombstones_written >= 1);
    rig_close(true);
    rig_open();
    expect_missing(1);
    expect_missing(2);
    put_object(1, 3, 10); /* and an id can come back after its delete */
    assert_int_equal(zslab_store_flush(rig.s), 0);
    rig_close(true);
    rig_open();
    expect_object(1, 3, 10);
}

static void bad_input_gets_clear_errors(void **state)
{
    (void)state;
    open_default();
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    /* 1/16 of the zone capacity (768 KiB) caps the slab, under ZASL */
    assert_int_equal(info.slab_bytes, 48 * 1024);
    assert_true(info.max_object_bytes > 44 * 1024 && info.max_object_bytes < 48 * 1024);
    uint8_t *big = calloc(1, info.max_object_bytes + 1);
    assert_int_equal(zslab_store_put(rig.s, 1, big, info.max_object_bytes + 1), -ZSLAB_E2BIG);
    assert_non_null(strstr(zslab_store_last_error(rig.s), "is larger than the largest object"));
    assert_int_equal(zslab_store_put(rig.s, 1, big, info.max_object_bytes), 0);
    size_t len = 0;
    assert_int_equal(zslab_store_size(rig.s, 1, &len), 0);
    assert_int_equal(len, info.max_object_bytes);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    uint8_t *back = malloc(len);
    memset(big, 0x5a, len);
    assert_int_equal(zslab_store_put(rig.s, 9, big, len), 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_int_equal(zslab_store_get(rig.s, 9, back, len, &len), 0);
    assert_memory_equal(back, big, len);
    free(back);
    free(big);
    assert_int_equal(zslab_store_put(rig.s, 2, NULL, 10), -ZSLAB_EINVAL);
    put_object(3, 0, 100);
    uint8_t small[10];
    size_t n = 0;
    assert_int_equal(zslab_store_get(rig.s, 3, small, sizeof(small), &n), -ZSLAB_ERANGE);
    assert_int_equal(n, 100);
}

/* rig.cfg is refused with EINVAL, by a message that says @why. */
static void expect_refused(const char *why)
{
    assert_int_equal(rig_try_open(), -ZSLAB_EINVAL);
    assert_non_null(strstr(rig.msg, why));
}

static void bad_configs_are_refused_by_name(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig.cfg.slab_bytes = 5000;
    expect_refused("slab size 5000 bytes");
    rig.cfg.slab_bytes = 0;
    rig.cfg.first_zone = 16;
    expect_refused("first zone 16 is past the device's zones");
    rig.cfg.first_zone = 12;
    rig.cfg.nr_zones = 8;
    expect_refused("runs past");
    rig.cfg.first_zone = 0;
    rig.cfg.nr_zones = 3;
    expect_refused("too few zones");
    rig.cfg.nr_zones = 0;
    rig.cfg.max_live_percent = 100;
    assert_int_equal(rig_try_open(), -ZSLAB_EINVAL);
    rig.cfg.max_live_percent = 0;
    rig.cfg.reclaim_free_zones = 1;
    assert_int_equal(rig_try_open(), -ZSLAB_EINVAL);
    rig.cfg.reclaim_free_zones = 0;
    zslab_store_config_t none;
    zslab_store_config_default(&none);
    assert_int_equal(zslab_store_open(&none, &rig.s, rig.msg, sizeof(rig.msg)), -ZSLAB_EINVAL);
    assert_null(rig.s);
    rig_open();
}

static void a_range_of_zones_is_the_store_and_nothing_else(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    rig.cfg.first_zone = 4;
    rig.cfg.nr_zones = 6;
    rig_open();
    for (uint64_t id = 0; id < 100; id++)
        put_object(id, 0, 2000);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    for (uint32_t i = 0; i < g.nr_zones; i++)
        if (i < 4 || i >= 10)
            assert_int_equal(rig.m.zones[i].state, ZSLAB_ZONE_EMPTY);
    zslab_store_info_t info;
    zslab_store_get_info(rig.s, &info);
    assert_int_equal(info.first_zone, 4);
    assert_int_equal(info.nr_zones, 6);
    zslab_store_zone_info_t zi;
    assert_int_equal(zslab_store_zone_info(rig.s, 0, &zi), 0);
    assert_int_equal(zi.start_lba, 4 * 256);
    assert_int_equal(zslab_store_zone_info(rig.s, 6, &zi), -ZSLAB_ERANGE);
}

static int count_object(void *arg, uint64_t id, size_t len)
{
    (void)id;
    *(size_t *)arg += len;
    return 0;
}

static void counters_and_write_amplification(void **state)
{
    (void)state;
    open_default();
    for (uint64_t id = 0; id < 300; id++)
        put_object(id, 0, 1000 + id);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    zslab_store_counters_t c = counters();
    assert_int_equal(c.puts, 300);
    assert_int_equal(c.put_bytes, 300 * 1000 + 299 * 300 / 2);
    assert_true(c.device_append_bytes > c.put_bytes);
    uint64_t wa = zslab_store_write_amp_milli(&c);
    assert_true(wa > 1000 && wa < 1100);
    char text[4096];
    size_t n = zslab_store_format_counters(&c, text, sizeof(text));
    assert_true(n < sizeof(text));
    assert_non_null(strstr(text, "puts: 300\n"));
    assert_non_null(strstr(text, "write_amp: 1.0"));
    assert_non_null(strstr(text, "live_objects: 300 (peak 300)\n"));
    size_t total = 0;
    assert_int_equal(zslab_store_for_each(rig.s, count_object, &total), 0);
    assert_int_equal(total, c.put_bytes);
    assert_true(c.index_bytes.current >= 16 * 300);
}

static void the_read_cache_serves_scans_and_never_stale_data(void **state)
{
    (void)state;
    struct geo g = geo_default();
    g.nr_zones = 8;
    rig_device(&g);
    rig.cfg.read_cache_bytes = 256 * 1024;
    rig_open();
    for (uint64_t id = 0; id < 1500; id++)
        put_object(id, 0, 100 + id % 3000);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    for (uint64_t id = 0; id < 1500; id++)
        expect_object(id, 0, 100 + id % 3000);
    zslab_store_counters_t c = counters();
    assert_true(c.read_cache_hits > c.gets / 2);
    /* replaced and reclaimed under the cache: every get still right */
    for (uint32_t v = 1; v < 10; v++) {
        for (uint64_t id = 0; id < 1500; id += 2)
            put_object(id, v, 100 + id % 3000);
        assert_int_equal(zslab_store_flush(rig.s), 0);
        for (uint64_t id = 0; id < 1500; id++)
            expect_object(id, id % 2 ? 0 : v, 100 + id % 3000);
    }
    assert_true(counters().zone_resets > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(put_get_from_dram_then_from_the_device, rig_teardown),
        cmocka_unit_test_teardown(a_missing_id_is_an_error_never_empty_data, rig_teardown),
        cmocka_unit_test_teardown(replace_and_delete_in_dram_and_on_the_device, rig_teardown),
        cmocka_unit_test_teardown(bad_input_gets_clear_errors, rig_teardown),
        cmocka_unit_test_teardown(bad_configs_are_refused_by_name, rig_teardown),
        cmocka_unit_test_teardown(a_range_of_zones_is_the_store_and_nothing_else, rig_teardown),
        cmocka_unit_test_teardown(counters_and_write_amplification, rig_teardown),
        cmocka_unit_test_teardown(the_read_cache_serves_scans_and_never_stale_data, rig_teardown),
    };
    return cmocka_run_group_tests_name("store basic", tests, NULL, NULL);
}
