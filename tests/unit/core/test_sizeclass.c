/* SPDX-License-Identifier: MIT */
/* test_sizeclass.c - the size classes: waste bound, lookup, division. */
#include "harness.h"

#include "internal.h"

#define WASTE_DENOMINATOR 8 /* 12.5% */
#define SMALL_LIMIT_BYTES 64

/* Every request size maps to the smallest class that holds it, and wastes
 * at most 12.5% of the request (under 8 bytes below 64 B). */
static void every_size_wastes_at_most_an_eighth(void **state)
{
    (void)state;
    for (size_t size = 1; size <= ZSLAB_MAX_CLASS_BYTES; size++) {
        int c = zslab_class_of(size);
        size_t bytes = zslab_class_size(c);
        assert_in_range(c, 0, ZSLAB_CLASS_COUNT - 1);
        assert_true(bytes >= size);
        assert_int_equal(bytes % ZSLAB_MIN_CLASS_BYTES, 0);
        if (c > 0)
            assert_true(zslab_class_size(c - 1) < size);
        if (size > SMALL_LIMIT_BYTES) {
            if ((bytes - size) * WASTE_DENOMINATOR > size)
                fail_msg("size %zu -> class %zu wastes more than 12.5%%", size, bytes);
        } else {
            assert_true(bytes - size < ZSLAB_MIN_CLASS_BYTES);
        }
    }
}

static void class_table_runs_from_8_bytes_to_32_kib(void **state)
{
    (void)state;
    assert_int_equal(zslab_class_size(0), 8);
    assert_int_equal(zslab_class_size(ZSLAB_CLASS_COUNT - 1), 32768);
    for (int c = 1; c < ZSLAB_CLASS_COUNT; c++)
        assert_true(zslab_class_size(c) > zslab_class_size(c - 1));
    for (int c = 0; c < ZSLAB_CLASS_COUNT; c++)
        assert_int_equal(zslab_class_of(zslab_class_size(c)), c);
    assert_int_equal(zslab_class_size(-1), 0);
    assert_int_equal(zslab_class_size(ZSLAB_CLASS_COUNT), 0);
    assert_int_equal(zslab_class_of(128), 15);
}

static void sizes_above_the_largest_class_have_none(void **state)
{
    (void)state;
    assert_int_equal(zslab_class_of(0), 0);
    assert_int_equal(zslab_class_of(ZSLAB_MAX_CLASS_BYTES + 1), ZSLAB_CLASS_NONE);
    assert_int_equal(zslab_class_of(SIZE_MAX), ZSLAB_CLASS_NONE);
}

/* The reciprocal multiply that finds an object's index is exact division for
 * every class and every offset a slab can have. */
static void object_index_is_exact_division(void **state)
{
    (void)state;
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++) {
        uint64_t bytes = _zslab_sizeclass_bytes(i), recip = _zslab_sizeclass_recip(i);
        for (uint64_t off = 0; off < ZSLAB_MAX_SLAB_BYTES; off++) {
            uint64_t index = (off * recip) >> ZSLAB_DIV_SHIFT;
            if (index != off / bytes)
                fail_msg("class %llu B: offset %llu gives index %llu, not %llu",
                         (unsigned long long)bytes, (unsigned long long)off,
                         (unsigned long long)index, (unsigned long long)(off / bytes));
        }
    }
}

static void objects_are_aligned_as_documented(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    for (int c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        size_t bytes = zslab_class_size(c);
        for (int k = 0; k < 3; k++) {
            uintptr_t p = (uintptr_t)zslab_alloc(z, bytes);
            assert_true(p != 0);
            assert_int_equal(p % 8, 0);
            if (bytes % 16 == 0)
                assert_int_equal(p % 16, 0);
        }
    }
    zslab_destroy(z);
}

int run_sizeclass_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_size_wastes_at_most_an_eighth),
        cmocka_unit_test(class_table_runs_from_8_bytes_to_32_kib),
        cmocka_unit_test(sizes_above_the_largest_class_have_none),
        cmocka_unit_test(object_index_is_exact_division),
        cmocka_unit_test(objects_are_aligned_as_documented),
    };
    return cmocka_run_group_tests_name("sizeclass", tests, NULL, NULL);
}
