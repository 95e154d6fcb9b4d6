/* SPDX-License-Identifier: MIT */
/*
 * test_index.c - the index (id -> loc hash table): it agrees with a plain
 * array under random inserts, replaces and deletes, and its memory per live
 * object stays within the documented bound (<= 24 bytes above 1024 slots).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store.h"

#define KEYS 60000u

static zslab_t *z;
static zst_index_t ix;

static int setup(void **state)
{
    (void)state;
    assert_int_equal(zslab_create(NULL, &z), ZSLAB_OK);
    assert_int_equal(_zslab_zst_index_init(&ix, z), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    _zslab_zst_index_fini(&ix);
    zslab_destroy(z);
    return 0;
}

static uint64_t rng(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static double bytes_per_object(void)
{
    return (double)_zslab_zst_index_bytes(&ix) / (double)ix.count;
}

static void agrees_with_an_array_under_random_operations(void **state)
{
    (void)state;
    uint64_t *vals = calloc(KEYS, sizeof(*vals)), x = 88172645463325252ull;
    assert_non_null(vals);
    for (int op = 0; op < 400000; op++) {
        uint64_t k = rng(&x) % KEYS, r = rng(&x) % 10;
        uint64_t key = k * 0x100000001b3ull; /* spread, including key 0 */
        if (r < 6) {
            uint64_t old = 12345, v = rng(&x) | 1;
            assert_int_equal(_zslab_zst_index_set(&ix, key, v, &old), 0);
            assert_true(old == vals[k]);
            vals[k] = v;
        } else if (r < 9) {
            uint64_t old = 0;
            bool had = _zslab_zst_index_del(&ix, key, &old);
            assert_true(had == (vals[k] != 0));
            if (had)
                assert_true(old == vals[k]);
            vals[k] = 0;
        } else {
            assert_true(_zslab_zst_index_get(&ix, key) == vals[k]);
        }
    }
    uint64_t live = 0;
    for (uint64_t k = 0; k < KEYS; k++) {
        assert_true(_zslab_zst_index_get(&ix, k * 0x100000001b3ull) == vals[k]);
        live += vals[k] != 0;
    }
    assert_int_equal(ix.count, live);
    free(vals);
}

/* The bound holds whatever the fill: growing, and shrinking again. */
static void memory_per_live_object_stays_within_24_bytes(void **state)
{
    (void)state;
    double worst = 0;
    for (uint64_t k = 1; k <= 200000; k++) {
        assert_int_equal(_zslab_zst_index_set(&ix, k, k, NULL), 0);
        if (k >= 2000 && bytes_per_object() > worst)
            worst = bytes_per_object();
    }
    print_message("index: %.1f bytes per object at 200000 objects, worst %.1f while growing\n",
                  bytes_per_object(), worst);
    assert_true(worst <= 24.0);
    for (uint64_t k = 200000; k > 2000; k--) {
        assert_true(_zslab_zst_index_del(&ix, k, NULL));
        assert_true(bytes_per_object() <= 24.0 + 1e-9);
    }
    for (uint64_t k = 1; k <= 2000; k++)
        assert_true(_zslab_zst_index_get(&ix, k) == k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(agrees_with_an_array_under_random_operations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(memory_per_live_object_stays_within_24_bytes, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("store index", tests, NULL, NULL);
}
