/* SPDX-License-Identifier: MIT */
/*
 * test_bad_input.c - every bad input gets a clear report naming the pointer
 * and the problem, and changes nothing; good edge cases (NULL, 0) work.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define PTR_TEXT_BYTES 32

static int a_global;

static const char *ptr_text(const void *p)
{
    static char buf[PTR_TEXT_BYTES];
    snprintf(buf, sizeof(buf), "%p", p);
    return buf;
}

static uint64_t bad_frees(const zslab_t *z)
{
    return harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees;
}

static void free_null_is_a_no_op(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    harness_clear_messages();
    zslab_free(z, NULL);
    zslab_free_sized(z, NULL, 64);
    assert_int_equal(harness_message_count(), 0);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).free_calls, 0);
    zslab_destroy(z);
}

static void alloc_zero_gives_a_unique_smallest_object(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *a = zslab_alloc(z, 0), *b = zslab_alloc(z, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    a[0] = 1; /* usable: ZSLAB_MIN_CLASS_BYTES bytes */
    a[ZSLAB_MIN_CLASS_BYTES - 1] = 1;
    assert_int_equal(harness_counters(z, 0).bytes_in_use.current, 2 * ZSLAB_MIN_CLASS_BYTES);
    zslab_free(z, a);
    zslab_free_sized(z, b, 0);
    assert_int_equal(harness_counters(z, 0).bytes_in_use.current, 0);
    assert_int_equal(bad_frees(z), 0);
    zslab_destroy(z);
}

static void sizes_that_overflow_return_null(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    uint64_t maps = harness_map_calls();
    harness_clear_messages();
    assert_null(zslab_alloc(z, SIZE_MAX));
    assert_null(zslab_alloc(z, (size_t)PTRDIFF_MAX + 1));
    assert_null(zslab_alloc(z, (size_t)PTRDIFF_MAX));
    assert_int_equal(harness_map_calls(), maps); /* refused before any platform call */
    assert_int_equal(harness_message_count(), 0);
    zslab_destroy(z);
}

static void foreign_pointers_are_reported(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    int on_stack;
    void *from_malloc = malloc(64);
    void *foreign[] = {&on_stack, from_malloc, (void *)(uintptr_t)0x10, (void *)(UINTPTR_MAX - 7),
                       &a_global};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        harness_clear_messages();
        zslab_free(z, foreign[i]);
        assert_int_equal(harness_message_count(), 1);
        assert_message_has("zslab_free(", ptr_text(foreign[i]),
                           "not allocated by this zslab instance");
    }
    assert_int_equal(bad_frees(z), sizeof(foreign) / sizeof(foreign[0]));
    free(from_malloc);
    zslab_destroy(z);
}

static void pointer_from_another_instance_is_reported(void **state)
{
    (void)state;
    zslab_t *mine = harness_instance(), *other = harness_instance();
    void *p = zslab_alloc(other, 128);
    harness_clear_messages();
    zslab_free(mine, p);
    assert_message_has(ptr_text(p), "not allocated by this zslab instance",
                       "another instance's object");
    assert_int_equal(harness_counters(other, ZSLAB_ALL_CLASSES).bytes_in_use.current, 128);
    zslab_free(other, p); /* still live in its own instance */
    assert_int_equal(bad_frees(other), 0);
    zslab_destroy(mine);
    zslab_destroy(other);
}

static void interior_pointer_is_reported_and_the_object_stays(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *p = zslab_alloc(z, 128);
    harness_clear_messages();
    zslab_free(z, p + 8);
    assert_message_has(ptr_text(p + 8), "interior pointer: 8 bytes into the 128-byte object at",
                       ptr_text(p));
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 128);
    zslab_free(z, p);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void double_free_is_reported_in_every_build(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 128);
    void *keep = zslab_alloc(z, 128);
    zslab_free(z, p);
    harness_clear_messages();
    zslab_free(z, p);
    assert_message_has("zslab_free(", ptr_text(p),
                       "double free: the 128-byte object is not "
                       "allocated");
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.free_calls, 1);
    assert_int_equal(k.bad_frees, 1);
    /* The free list was not corrupted: the next two allocations differ. */
    void *a = zslab_alloc(z, 128), *b = zslab_alloc(z, 128);
    assert_ptr_equal(a, p);
    assert_ptr_not_equal(a, b);
    assert_ptr_not_equal(b, keep);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

static void object_never_handed_out_is_reported(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *p = zslab_alloc(z, 128);
    harness_clear_messages();
    zslab_free(z, p + 5 * 128); /* an object start the bump pointer never reached */
    assert_message_has(ptr_text(p + 5 * 128), "is not allocated",
                       "already freed, or never handed out");
    zslab_free(z, p);
    zslab_destroy(z);
}

static void pointers_into_metadata_or_unused_space_are_reported(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *p = zslab_alloc(z, 24); /* class 24: 2730 objects, 16 spare bytes per slab */
    char *chunk = (char *)((uintptr_t)p & ~(uintptr_t)(ZSLAB_DEFAULT_CHUNK_BYTES - 1));
    char *not_objects[] = {
        chunk,                                    /* the chunk header */
        chunk + 100,                              /* slab descriptors */
        chunk + 10 * ZSLAB_DEFAULT_SLAB_BYTES,    /* a slab never carved */
        p + (ZSLAB_DEFAULT_SLAB_BYTES / 24) * 24, /* the spare tail of p's slab */
    };
    for (size_t i = 0; i < sizeof(not_objects) / sizeof(not_objects[0]); i++) {
        harness_clear_messages();
        zslab_free(z, not_objects[i]);
        assert_message_has(ptr_text(not_objects[i]), "not an object",
                           "points into this instance's mapping at", ptr_text(chunk));
    }
    assert_int_equal(bad_frees(z), 4);
    zslab_free(z, p);
    zslab_destroy(z);
}

static void sized_free_checks_the_size(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 128);
    harness_clear_messages();
    zslab_free_sized(z, p, 64);
    assert_message_has("zslab_free_sized(", ptr_text(p),
                       ", 64): wrong size: 64 bytes does not "
                       "fit the object, which is 128 bytes (its size class)");
    zslab_free_sized(z, p, 100000);
    assert_message_has(", 100000): wrong size");
    assert_int_equal(bad_frees(z), 2);
    zslab_free_sized(z, p, 121); /* same class as 128: accepted */
    assert_int_equal(bad_frees(z), 2);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

/* The default reaction: the same report, through the platform's panic. */
static void bad_free_panics_by_default(void **state)
{
    (void)state;
    zslab_t *z = harness_instance_with(NULL);
    void *p = zslab_alloc(z, 128);
    zslab_free(z, p);
    harness_clear_messages();
    EXPECT_PANIC(zslab_free(z, p));
    assert_message_has(ptr_text(p), "double free");
    int local;
    EXPECT_PANIC(zslab_free(z, &local));
    assert_message_has("not allocated by this zslab instance");
    /* No lock was left held: the instance still works. */
    void *q = zslab_alloc(z, 128);
    assert_ptr_equal(q, p);
    zslab_free(z, q);
    zslab_destroy(z);
}

static void expect_config_refused(zslab_config_t cfg, const char *field, const char *rule)
{
    zslab_t *z = (zslab_t *)&cfg; /* must be overwritten with NULL */
    harness_clear_messages();
    assert_int_equal(zslab_create(&cfg, &z), ZSLAB_ERR_INVALID);
    assert_null(z);
    assert_message_has("zslab_create: config ", field, rule);
}

static void bad_configs_are_refused_by_name(void **state)
{
    (void)state;
    zslab_config_t d, c;
    zslab_config_default(&d);
    c = d, c.chunk_bytes = 3u << 20;
    expect_config_refused(c, "chunk_bytes = 3145728", "power of two");
    c = d, c.chunk_bytes = 512u << 10;
    expect_config_refused(c, "chunk_bytes", "from 1 MiB to 1 GiB");
    c = d, c.chunk_bytes = (size_t)2 << 30;
    expect_config_refused(c, "chunk_bytes", "from 1 MiB to 1 GiB");
    c = d, c.slab_bytes = 16u << 10;
    expect_config_refused(c, "slab_bytes = 16384", "32 KiB (the largest class)");
    c = d, c.slab_bytes = 48u << 10;
    expect_config_refused(c, "slab_bytes", "power of two");
    c = d, c.slab_bytes = 2u << 20;
    expect_config_refused(c, "slab_bytes", "to 1 MiB");
    c = d, c.slab_bytes = 512u << 10;
    expect_config_refused(c, "slab_bytes = 524288", "chunk_bytes / 8");
    c = d, c.prefault = (zslab_prefault_t)7;
    expect_config_refused(c, "prefault = 7", "ZSLAB_PREFAULT_NONE");
    c = d, c.on_bad_free = (zslab_bad_free_t)9;
    expect_config_refused(c, "on_bad_free = 9", "ZSLAB_BAD_FREE_ABORT");
    c = d, c.numa_node = -5;
    expect_config_refused(c, "numa_node", "ZSLAB_NODE_ANY");

    harness_clear_messages();
    assert_int_equal(zslab_create(&d, NULL), ZSLAB_ERR_INVALID);
    assert_message_has("config out");
    zslab_destroy(NULL);
}

static void platform_out_of_memory_is_survived(void **state)
{
    (void)state;
    int64_t mapped = harness_mapped_bytes();
    zslab_t *z = NULL;

    harness_clear_messages();
    harness_fail_maps(0, 1);
    assert_int_equal(zslab_create(NULL, &z), ZSLAB_ERR_NOMEM);
    assert_null(z);
    assert_message_has("zslab: create: the platform gave no memory", "numa_node any");

    z = harness_instance();
    /* A thread's first allocation maps its heap, a reservation, a leaf. */
    harness_fail_maps(0, 2); /* no heap (the shared one serves), no reservation */
    assert_null(zslab_alloc(z, 64));
    harness_fail_maps(1, 1); /* the heap maps, the reservation does not */
    assert_null(zslab_alloc(z, 64));
    harness_fail_maps(1, 1); /* the reservation maps, its registry leaf does not */
    assert_null(zslab_alloc(z, 64));
    harness_fail_maps(0, 1); /* a large object's descriptor page */
    assert_null(zslab_alloc(z, 100000));
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.slow_path_hits, 3);
    assert_int_equal(k.new_slab_count, 0); /* the two differ only when memory ran out */
    assert_int_equal(k.chunks.current, 0);
    assert_int_equal(k.platform_unmap_calls, 0); /* the reservation waits for the leaf */

    void *p = zslab_alloc(z, 64); /* memory is back */
    assert_non_null(p);
    void *big = zslab_alloc(z, 100000);
    assert_non_null(big);
    zslab_free(z, p);
    zslab_free(z, big);
    zslab_destroy(z);
    assert_int_equal(harness_mapped_bytes(), mapped);
}

int run_bad_input_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(free_null_is_a_no_op),
        cmocka_unit_test(alloc_zero_gives_a_unique_smallest_object),
        cmocka_unit_test(sizes_that_overflow_return_null),
        cmocka_unit_test(foreign_pointers_are_reported),
        cmocka_unit_test(pointer_from_another_instance_is_reported),
        cmocka_unit_test(interior_pointer_is_reported_and_the_object_stays),
        cmocka_unit_test(double_free_is_reported_in_every_build),
        cmocka_unit_test(object_never_handed_out_is_reported),
        cmocka_unit_test(pointers_into_metadata_or_unused_space_are_reported),
        cmocka_unit_test(sized_free_checks_the_size),
        cmocka_unit_test(bad_free_panics_by_default),
        cmocka_unit_test(bad_configs_are_refused_by_name),
        cmocka_unit_test(platform_out_of_memory_is_survived),
    };
    return cmocka_run_group_tests_name("bad_input", tests, NULL, NULL);
}
