/* SPDX-License-Identifier: MIT */
/* test_large.c - requests above the largest class: own mappings, kept for
 * reuse or freed back, resized by realloc; zeroed and aligned-sized calls. */
#include "harness.h"

#include <stdbool.h>
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
        /* Up to 1 MiB the mapping is kept for reuse (none of these fits an
         * earlier one), above it goes back. */
        bool kept = page_round(sizes[i]) <= MIB;
        assert_int_equal(harness_unmap_calls() - unmaps, kept ? 0 : 1);
        assert_int_equal(harness_mapped_bytes() - mapped, kept ? (int64_t)page_round(sizes[i]) : 0);
    }
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.large_allocs, 5);
    assert_int_equal(k.free_calls, 4);
    zslab_free(z, warm);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    /* Trim gives every kept mapping back. */
    int64_t mapped = harness_mapped_bytes();
    uint64_t unmaps = harness_unmap_calls();
    size_t kept = page_round(ZSLAB_MAX_CLASS_BYTES + 1) + 2 * page_round(40000) + MIB;
    assert_true(zslab_trim(z) >= kept);
    assert_int_equal(harness_unmap_calls() - unmaps, 4);
    assert_int_equal(mapped - harness_mapped_bytes(), (int64_t)kept);
    zslab_destroy(z);
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static void freed_large_mappings_are_reused_and_still_checked(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    unsigned char *p = zslab_alloc(z, 100000);
    memset(p, 0xa5, 100000);
    zslab_free(z, p);
    uint64_t maps = harness_map_calls(), unmaps = harness_unmap_calls();
    /* A size that needs at least half of the mapping takes it. */
    unsigned char *q = zslab_alloc(z, 60000);
    assert_ptr_equal(q, p);
    assert_int_equal(zslab_usable_size(z, q), page_round(60000));
    assert_int_equal(harness_map_calls(), maps);
    zslab_free_sized(z, q, 60000);
    /* A zeroed allocation of a reused mapping is cleared... */
    unsigned char *r = zslab_alloc_zeroed(z, 100000);
    assert_ptr_equal(r, p);
    assert_true(all_zero(r, 100000));
    /* ...a fresh one is not touched: its pages stay unbacked. */
    unsigned char *fresh = zslab_alloc_zeroed(z, 900000);
    assert_non_null(fresh);
    assert_int_equal(harness_resident_pages(fresh, page_round(900000)), 0);
    assert_true(all_zero(fresh, 900000));
    /* Smaller than half: not the 900000-byte one, a new mapping. */
    zslab_free(z, fresh);
    unsigned char *small = zslab_alloc(z, 40000);
    assert_ptr_not_equal(small, fresh);

    /* A kept mapping is no live object: a second free, a realloc, a size. */
    harness_clear_messages();
    zslab_free(z, fresh);
    assert_message_has(ptr_text(fresh), "not allocated by this zslab instance");
    assert_int_equal(zslab_usable_size(z, fresh), 0);
    assert_null(zslab_realloc(z, fresh, 200000));
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 2);
    assert_int_equal(harness_unmap_calls(), unmaps);

    zslab_free(z, r);
    zslab_free(z, small);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void old_kept_mappings_go_back_when_more_come(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p[12];
    for (size_t i = 0; i < 12; i++)
        p[i] = zslab_alloc(z, 40000 + i * 3 * PAGE); /* none fits another's mapping */
    uint64_t unmaps = harness_unmap_calls();
    for (size_t i = 0; i < 12; i++)
        zslab_free(z, p[i]);
    assert_int_equal(harness_unmap_calls() - unmaps, 12 - 8); /* 8 are kept */
    /* The newest are kept, the oldest went. */
    uint64_t maps = harness_map_calls();
    assert_ptr_equal(zslab_alloc(z, 40000 + 11 * 3 * PAGE), p[11]);
    assert_ptr_equal(zslab_alloc(z, 40000 + 4 * 3 * PAGE), p[4]);
    assert_int_equal(harness_map_calls(), maps);
    assert_non_null(zslab_alloc(z, 40000)); /* p[0] went: no kept one fits it */
    assert_int_equal(harness_map_calls() - maps, 1);
    zslab_destroy(z);
}

static void fill_pattern(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 3);
}

static bool holds_pattern(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 7 + 3))
            return false;
    return true;
}

static void realloc_resizes_large_objects_without_copying(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    unsigned char *p = zslab_alloc(z, 64 * 1024);
    fill_pattern(p, 64 * 1024);
    /* Grow: in place or by moving the pages; the contents come along and
     * the new bytes read as zero. */
    uint64_t remaps = harness_remap_calls();
    unsigned char *g = zslab_realloc(z, p, 5 * MIB);
    assert_non_null(g);
    assert_true(harness_remap_calls() > remaps);
    assert_int_equal((uintptr_t)g % PAGE, 0);
    assert_true(holds_pattern(g, 64 * 1024));
    assert_true(all_zero(g + 64 * 1024, 5 * MIB - 64 * 1024));
    assert_int_equal(zslab_usable_size(z, g), 5 * MIB);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 5 * MIB);
    if (g != p)
        assert_int_equal(zslab_usable_size(z, p), 0);
    fill_pattern(g, 5 * MIB);
    /* A shrink that keeps half its mapping stays, and is sized as asked. */
    assert_ptr_equal(zslab_realloc(z, g, 3 * MIB), g);
    assert_int_equal(zslab_usable_size(z, g), 3 * MIB);
    harness_clear_messages();
    zslab_free_sized(z, g, 5 * MIB);
    assert_message_has("wrong size");
    /* Below half, the rest goes back, in place. */
    int64_t mapped = harness_mapped_bytes();
    assert_ptr_equal(zslab_realloc(z, g, MIB), g);
    assert_int_equal(mapped - harness_mapped_bytes(), (int64_t)(4 * MIB));
    assert_true(holds_pattern(g, MIB));
    /* A pointer into the given-back range is no longer ours. */
    zslab_free(z, g + 3 * MIB);
    assert_message_has("not allocated by this zslab instance");
    /* Down to a class: the object moves into a slab. */
    unsigned char *s = zslab_realloc(z, g, 1000);
    assert_non_null(s);
    assert_true(holds_pattern(s, 1000));
    assert_true(zslab_usable_size(z, s) < 2000);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 2);
    zslab_free(z, s);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void realloc_of_slab_objects_and_bad_pointers(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    unsigned char *p = zslab_realloc(z, NULL, 100);
    assert_non_null(p);
    size_t usable = zslab_usable_size(z, p);
    fill_pattern(p, usable);
    assert_ptr_equal(zslab_realloc(z, p, usable), p); /* same class: in place */
    unsigned char *big = zslab_realloc(z, p, 50000);  /* to a large object */
    assert_non_null(big);
    assert_true(holds_pattern(big, usable));
    harness_clear_messages();
    assert_null(zslab_realloc(z, p, 10)); /* p was freed by the move */
    assert_message_has(ptr_text(p), "double free");
    assert_null(zslab_realloc(z, big + 8, 10));
    assert_message_has("interior pointer");
    int local;
    assert_null(zslab_realloc(z, &local, 10));
    assert_message_has("not allocated by this zslab instance");
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 3);
    zslab_free(z, big);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void free_aligned_sized_checks_the_class_alloc_aligned_chose(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *a = zslab_alloc_aligned(z, 100, 64);
    void *b = zslab_alloc_aligned(z, 100, 8);
    void *c = zslab_alloc_aligned(z, 100000, 1 << 21);
    zslab_free_aligned_sized(z, a, 64, 100);
    zslab_free_aligned_sized(z, b, 8, 100);
    zslab_free_aligned_sized(z, c, 1 << 21, 100000);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 0);
    void *d = zslab_alloc_aligned(z, 100, 64);
    harness_clear_messages();
    zslab_free_aligned_sized(z, d, 64, 1000);
    assert_message_has("wrong size");
    zslab_free_aligned_sized(z, d, 64, 90);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, 1);
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
        cmocka_unit_test(freed_large_mappings_are_reused_and_still_checked),
        cmocka_unit_test(old_kept_mappings_go_back_when_more_come),
        cmocka_unit_test(realloc_resizes_large_objects_without_copying),
        cmocka_unit_test(realloc_of_slab_objects_and_bad_pointers),
        cmocka_unit_test(free_aligned_sized_checks_the_class_alloc_aligned_chose),
    };
    return cmocka_run_group_tests_name("large", tests, NULL, NULL);
}
