/* SPDX-License-Identifier: MIT */
/*
 * test_debug.c - what only a DEBUG=1 build (ZSLAB_DEBUG) checks: freed
 * objects are poisoned and checked when reused, and the invariant checkers
 * run inside the core.  In a release build this group is empty; the
 * unit-core-debug suite runs it.
 */
#include "harness.h"

#include <stdio.h>

#include "internal.h"

#if ZSLAB_DEBUG

#define TEXT_BYTES 32

static const char *ptr_text(const void *p)
{
    static char buf[TEXT_BYTES];
    snprintf(buf, sizeof(buf), "%p", p);
    return buf;
}

static void write_after_free_is_caught_when_the_object_is_reused(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    char *p = zslab_alloc(z, 128);
    zslab_free(z, p);
    p[20] = 1; /* the bug */
    harness_clear_messages();
    char *q = zslab_alloc(z, 128);
    assert_ptr_equal(q, p);
    assert_message_has("write after free: byte 20 of the freed 128-byte object at", ptr_text(p));
    zslab_free(z, q);

    zslab_t *strict = harness_instance_with(NULL); /* bad input aborts */
    p = zslab_alloc(strict, 64);
    zslab_free(strict, p);
    p[63] = 1;
    EXPECT_PANIC(zslab_alloc(strict, 64));
    assert_message_has("write after free: byte 63 of the freed 64-byte object");
    zslab_destroy(strict);
    zslab_destroy(z);
}

static zslab_slab_t *slab_of(const zslab_t *z, void *p)
{
    uintptr_t chunk = (uintptr_t)p & ~(((uintptr_t)1 << z->chunk_shift) - 1);
    return &((zslab_chunk_t *)chunk)->slabs[((uintptr_t)p - chunk) >> z->slab_shift];
}

/* A corrupted slab or list panics at the next operation.  The panic leaves
 * the class lock held, so these instances are abandoned, not destroyed. */
static void invariant_checkers_catch_corruption(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 64);
    slab_of(z, p)->used += 5;
    EXPECT_PANIC(zslab_free(z, p));
    assert_message_has("assertion failed: _zslab_slab_is_valid(slab)");

    z = harness_instance();
    p = zslab_alloc(z, 256);
    z->classes[zslab_class_of(256)].partial.count = 7;
    /* Checked when the slab fills and leaves the partial list. */
    EXPECT_PANIC(for (int i = 0; i < 256; i++) zslab_alloc(z, 256));
    assert_message_has("assertion failed: _zslab_list_is_valid(list");
}

int run_debug_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_after_free_is_caught_when_the_object_is_reused),
        cmocka_unit_test(invariant_checkers_catch_corruption),
    };
    return cmocka_run_group_tests_name("debug", tests, NULL, NULL);
}

#else

int run_debug_tests(void)
{
    return 0;
}

#endif
