/* SPDX-License-Identifier: MIT */
/* test_counters.c - counters: exact values, per class and total, reset,
 * merge, the printer, and the platform calls behind them. */
#include "harness.h"

#include <string.h>

#include "internal.h"

#define LEAF_BYTES    (32 * 1024)
#define RESERVE_BYTES ZSLAB_DEFAULT_RESERVE_BYTES

static void counters_count_a_known_sequence_exactly(void **state)
{
    (void)state;
    int64_t mapped_before = harness_mapped_bytes();
    uint64_t maps_before = harness_map_calls();
    zslab_t *z = harness_instance();
    zslab_counters_t t = harness_counters(z, ZSLAB_ALL_CLASSES);
    uint64_t instance_bytes = t.platform_bytes.current; /* with the shared heap */
    assert_int_equal(t.platform_map_calls, 2);
    assert_int_equal(harness_map_calls() - maps_before, 2);
    assert_int_equal(harness_mapped_bytes() - mapped_before, (int64_t)instance_bytes);

    void *a = zslab_alloc(z, 100); /* class 104 */
    void *b = zslab_alloc(z, 128);
    void *c = zslab_alloc(z, 128);
    /* Peaks are what reads see (zslab.h): read at the high point. */
    assert_int_equal(harness_counters(z, zslab_class_of(128)).bytes_in_use.current, 256);
    zslab_free(z, b);

    zslab_counters_t k = harness_counters(z, zslab_class_of(128));
    assert_int_equal(k.alloc_calls, 2);
    assert_int_equal(k.free_calls, 1);
    assert_int_equal(k.slow_path_hits, 1);
    assert_int_equal(k.new_slab_count, 1);
    assert_int_equal(k.bytes_in_use.current, 128);
    assert_int_equal(k.bytes_in_use.peak, 256);
    assert_int_equal(k.platform_map_calls, 0); /* instance-wide: only in the total */
    assert_int_equal(k.chunks.current, 0);

    t = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(t.alloc_calls, 3);
    assert_int_equal(t.free_calls, 1);
    assert_int_equal(t.slow_path_hits, 2);
    assert_int_equal(t.new_slab_count, 2);
    assert_int_equal(t.bytes_in_use.current, 104 + 128);
    /* instance, shared heap, this thread's heap, a reservation, a registry leaf */
    assert_int_equal(t.platform_map_calls, 5);
    assert_int_equal(t.platform_unmap_calls, 0);
    assert_int_equal(t.chunks.current, 1);
    assert_int_equal(t.thread_heaps.current, 1);
    assert_int_equal(t.platform_bytes.current,
                     instance_bytes + z->heap_bytes + LEAF_BYTES + RESERVE_BYTES);
    assert_int_equal(harness_map_calls() - maps_before, 5);
    assert_int_equal(harness_mapped_bytes() - mapped_before, (int64_t)t.platform_bytes.current);

    zslab_free(z, a);
    zslab_free(z, c);
    zslab_destroy(z);
    assert_int_equal(harness_mapped_bytes(), mapped_before); /* destroy returned it all */
}

static void reset_zeroes_counters_and_keeps_gauges(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 64);
    void *q = zslab_alloc(z, 64);
    zslab_free(z, q);
    zslab_reset_counters(z);
    zslab_counters_t k = harness_counters(z, zslab_class_of(64));
    assert_int_equal(k.alloc_calls, 0);
    assert_int_equal(k.free_calls, 0);
    assert_int_equal(k.slow_path_hits, 0);
    assert_int_equal(k.bytes_in_use.current, 64);
    assert_int_equal(k.bytes_in_use.peak, 64);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).platform_map_calls, 0);
    zslab_free(z, p);
    zslab_destroy(z);
}

static void merge_adds_every_field(void **state)
{
    (void)state;
    zslab_counters_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.slow_path_hits = 2;
    a.bytes_in_use.current = 10;
    a.bytes_in_use.peak = 20;
    b.slow_path_hits = 3;
    b.bytes_in_use.current = 1;
    b.bytes_in_use.peak = 5;
    b.bad_frees = 7;
    zslab_merge_counters(&a, &b);
    assert_int_equal(a.slow_path_hits, 5);
    assert_int_equal(a.bytes_in_use.current, 11);
    assert_int_equal(a.bytes_in_use.peak, 25);
    assert_int_equal(a.bad_frees, 7);
}

static void printer_writes_one_line_per_counter(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 128);
    zslab_counters_t k = harness_counters(z, zslab_class_of(128));
    char buf[4096];
    size_t len = zslab_format_counters(&k, buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    assert_non_null(strstr(buf, "slow_path_hits: 1\n"));
    assert_non_null(strstr(buf, "current_partial_miss: 0\n"));
    assert_non_null(strstr(buf, "bytes_in_use: 128 (peak 128)\n"));
    size_t lines = 0;
    for (const char *s = buf; *s; s++)
        lines += *s == '\n';
    assert_int_equal(lines, 26); /* the fields of ZSLAB_COUNTER_LIST */

    char small[16];
    assert_int_equal(zslab_format_counters(&k, small, sizeof(small)), len);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(zslab_format_counters(&k, NULL, 0), len);
    zslab_free(z, p);
    zslab_destroy(z);
}

static void bad_counter_requests_are_refused(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    zslab_counters_t k;
    assert_int_equal(zslab_get_counters(z, ZSLAB_CLASS_COUNT, &k), ZSLAB_ERR_INVALID);
    assert_int_equal(zslab_get_counters(z, -2, &k), ZSLAB_ERR_INVALID);
    assert_int_equal(zslab_get_counters(z, 0, NULL), ZSLAB_ERR_INVALID);
    assert_int_equal(zslab_get_counters(NULL, 0, &k), ZSLAB_ERR_INVALID);
    assert_string_equal(zslab_strerror(ZSLAB_ERR_INVALID), "invalid argument");
    assert_non_null(strstr(zslab_strerror(ZSLAB_ERR_NOMEM), "out of memory"));
    assert_string_equal(zslab_strerror(12345), "unknown zslab error");
    zslab_destroy(z);
}

int run_counter_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_count_a_known_sequence_exactly),
        cmocka_unit_test(reset_zeroes_counters_and_keeps_gauges),
        cmocka_unit_test(merge_adds_every_field),
        cmocka_unit_test(printer_writes_one_line_per_counter),
        cmocka_unit_test(bad_counter_requests_are_refused),
    };
    return cmocka_run_group_tests_name("counters", tests, NULL, NULL);
}
