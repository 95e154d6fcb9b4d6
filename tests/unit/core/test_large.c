/* SPDX-License-Identifier: MIT */
/* test_large.c - requests above the largest class: own mappings, freed back. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define PAGE       4096u
#define MIB        ((size_t)1 << 20)
#define TEXT_BYTES 32

static const char *ptr_text(const void *p)
{
    static char buf[TEXT_BYTES];
    snprintf(buf, sizeof(buf), "%p", p);
    return buf;
}

static size_t page_round(size_t n)
{
    return (n + PAGE - 1) / PAGE * PAGE;
}

static void large_objects_get_their_own_mapping_and_give_it_back(void **state)
{
    (void)state;
    const size_t sizes[] = {ZSLAB_MAX_CLASS_BYTES + 1, 40000, MIB, 5 * MIB};
    zslab_t *z = harness_instance();
    void *warm = zslab_alloc(z, 40000); /* maps the registry leaf once */
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t maps = harness_map_calls(), unmaps = harness_unmap_calls();
        int64_t mapped = harness_mapped_bytes();
        char *p = zslab_alloc(z, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % PAGE, 0);
        p[0] = 1;
        p[sizes[i] - 1] = 1;
        assert_int_equal(harness_map_calls() - maps, 1);
        assert_int_equal(harness_mapped_bytes() - mapped, (int64_t)page_round(sizes[i]));
        zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
        assert_int_equal(k.bytes_in_use.current, page_round(40000) + page_round(sizes[i]));
        zslab_free(z, p);
        assert_int_equal(harness_unmap_calls() - unmaps, 1);
        assert_int_equal(harness_mapped_bytes(), mapped);
    }
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.large_allocs, 5);
    assert_int_equal(k.free_calls, 4);
    zslab_free(z, warm);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void largest_class_is_a_slab_object_and_one_more_byte_is_large(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *in_class = zslab_alloc(z, ZSLAB_MAX_CLASS_BYTES);
    void *large = zslab_alloc(z, ZSLAB_MAX_CLASS_BYTES + 1);
    zslab_counters_t k = harness_counters(z, ZSLAB_CLASS_COUNT - 1);
    assert_int_equal(k.alloc_calls, 1);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).large_allocs, 1);
    zslab_free(z, in_class);
    zslab_free(z, large);
    zslab_destroy(z);
}

static void bad_frees_of_large_objects_are_reported(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *p = zslab_alloc(z, 40000);
    char *big = zslab_alloc(z, 5 * MIB);

    harness_clear_messages();
    zslab_free(z, p + PAGE);
    assert_message_has(ptr_text(p + PAGE), "interior pointer: 4096 bytes into the 40960-byte "
                                           "large object at");
    zslab_free(z, big + 3 * MIB); /* in the mapping's second chunk-sized unit */
    assert_message_has("interior pointer: 3145728 bytes into the 5242880-byte large object");
    zslab_free(z, p - PAGE); /* below the mapping: nobody's, or someone else's */
    assert_message_has(ptr_text(p - PAGE), "not allocated by this zslab instance");
    zslab_free_sized(z, p, 50000);
    assert_message_has("wrong size: 50000 bytes does not fit the object, which is 40960 bytes "
                       "(large)");
    zslab_free_sized(z, p, 100);
    assert_message_has("wrong size: 100 bytes");
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 5);

    zslab_free_sized(z, p, 40001); /* same page count: accepted */
    zslab_free(z, p);
    assert_message_has(ptr_text(p), "not allocated by this zslab instance",
                       "a large object already freed");
    zslab_free(z, big);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void destroy_returns_live_objects_too(void **state)
{
    (void)state;
    int64_t mapped = harness_mapped_bytes();
    zslab_t *z = harness_instance();
    for (int i = 0; i < 1000; i++)
        assert_non_null(zslab_alloc(z, (size_t)(i % 50) * 997 + 1));
    zslab_destroy(z);
    assert_int_equal(harness_mapped_bytes(), mapped);
}

int run_large_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_objects_get_their_own_mapping_and_give_it_back),
        cmocka_unit_test(largest_class_is_a_slab_object_and_one_more_byte_is_large),
        cmocka_unit_test(bad_frees_of_large_objects_are_reported),
        cmocka_unit_test(destroy_returns_live_objects_too),
    };
    return cmocka_run_group_tests_name("large", tests, NULL, NULL);
}
