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

/* A corrupted slab or list panics at the next slow path that checks it.
 * The panic may leave a lock held, so these instances are abandoned, not
 * destroyed. */
static void invariant_checkers_catch_corruption(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, 64);
    _zslab_slab_of(z, p)->used += 5;
    /* Checked when the slab, filled, stops serving its class. */
    EXPECT_PANIC(for (int i = 0; i < 1024; i++) zslab_alloc(z, 64));
    assert_message_has("assertion failed: _zslab_slab_is_valid(");

    z = harness_instance();
    p = zslab_alloc(z, 256);
    harness_heap(z)->cls[zslab_class_of(256)].full.count = 7;
    /* Checked when the filled slab joins the full list. */
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
