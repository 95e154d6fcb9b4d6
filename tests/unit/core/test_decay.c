/* SPDX-License-Identifier: MIT */
/*
 * test_decay.c - the slab cache over time: its capacity grows on a streak of
 * misses, idle slabs go back to the platform after decay_ms, the capacity
 * halves when idle, and chunks whose slabs are all free are returned.
 */
#include "harness.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "internal.h"

#define OBJ_BYTES 1024
#define SLABS     40 /* more than a chunk's 31 */
#define DECAY_MS  40u
#define PAGE      4096u

static void sleep_ms(unsigned ms)
{
    struct timespec t = {0, (long)ms * 1000000L};
    nanosleep(&t, NULL);
}

static void idle_slabs_decay_back_to_the_platform(void **state)
{
    (void)state;
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    cfg.decay_ms = DECAY_MS;
    cfg.class_cache_slabs = 2;
    cfg.thread_cache_bytes = 0;
    cfg.spare_slabs = 0;
    zslab_t *z = harness_instance_with(&cfg);
    size_t per_slab = ZSLAB_DEFAULT_SLAB_BYTES / OBJ_BYTES, n = SLABS * per_slab;
    char **objs = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        objs[i] = zslab_alloc(z, OBJ_BYTES);
        objs[i][0] = 1;
    }
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_true(k.cache_grows >= 2); /* 40 misses in a row */
    assert_true(z->nodes[0].capacity > cfg.class_cache_slabs);
    for (size_t i = 0; i < n; i++)
        zslab_free(z, objs[i]);

    /* Idle past decay_ms, then any slow path that takes the node lock runs
     * a decay step: twice, so the capacity halves too. */
    for (int step = 0; step < 3; step++) {
        sleep_ms(DECAY_MS + 10);
        zslab_free(z, zslab_alloc(z, 20000)); /* another class: a node take and put */
    }
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    /* All but the active slab and the batch still in the thread's hands. */
    assert_true(k.bytes_released >= (SLABS - 1 - ZSLAB_RELEASE_BATCH) * ZSLAB_DEFAULT_SLAB_BYTES);
    assert_true(k.cache_shrinks >= 1);
    assert_true(k.chunks_returned >= 1); /* the first chunk's slabs are all free */
    assert_int_equal(harness_resident_pages(objs[0], ZSLAB_DEFAULT_SLAB_BYTES), 0);
    harness_assert_instance_valid(z);

    /* The given-back chunk serves again, without the platform. */
    uint64_t maps = harness_map_calls();
    for (size_t i = 0; i < n; i++)
        objs[i] = zslab_alloc(z, OBJ_BYTES);
    assert_int_equal(harness_map_calls(), maps);
    for (size_t i = 0; i < n; i++)
        zslab_free(z, objs[i]);
    free(objs);
    zslab_destroy(z);
}

/* Trim gives back everything cached at once, the caller's thread cache and
 * spare included; nothing stays resident but metadata. */
static void trim_releases_everything_cached(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    size_t n = 200000;
    char **objs = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        objs[i] = zslab_alloc(z, 128);
        objs[i][0] = 1;
    }
    for (size_t i = 0; i < n; i++)
        zslab_free(z, objs[i]);
    size_t released = zslab_trim(z);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_true(released > 0);
    assert_true(k.bytes_released >= n * 128); /* decay may have taken part already */
    assert_int_equal(k.chunks.current, 0);
    assert_int_equal(k.slabs_in_use.current, 0);
    assert_int_equal(k.chunks_returned, (n * 128 + 31 * ZSLAB_DEFAULT_SLAB_BYTES - 1) /
                                            (31 * ZSLAB_DEFAULT_SLAB_BYTES));
    for (size_t i = 0; i < n; i += 4096)
        assert_int_equal(
            harness_resident_pages((void *)((uintptr_t)objs[i] & ~(uintptr_t)(PAGE - 1)), PAGE), 0);
    assert_int_equal(zslab_trim(z), 0);
    free(objs);
    zslab_destroy(z);
}

/* A decay step does a bounded amount of work: with 16 MiB gone idle at once,
 * the first step releases about ZSLAB_DECAY_STEP_BYTES and leaves the rest
 * as a backlog, which the next calls release a step each, without waiting
 * for the next step's time. */
static void a_decay_step_releases_a_bounded_amount(void **state)
{
    (void)state;
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.decay_ms = DECAY_MS;
    cfg.cache_max_slabs = 4096; /* everything stays cached until it decays */
    cfg.thread_cache_bytes = 0;
    cfg.spare_slabs = 0;
    zslab_t *z = harness_instance_with(&cfg);
    size_t idle_bytes = (size_t)16 << 20, n = idle_bytes / OBJ_BYTES;
    char **objs = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        objs[i] = zslab_alloc(z, OBJ_BYTES);
        objs[i][0] = 1;
    }
    for (size_t i = 0; i < n; i++)
        zslab_free(z, objs[i]);
    _zslab_refill_release_flush(z, _zslab_heap_get(z)); /* the thread's batch too */
    zslab_counters_t before = harness_counters(z, ZSLAB_ALL_CLASSES);

    sleep_ms(DECAY_MS + 10);
    _zslab_node_maybe_decay(z, 0);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    uint64_t first = k.bytes_released - before.bytes_released;
    assert_true(first > 0);
    assert_true(first <= ZSLAB_DECAY_STEP_BYTES);
    assert_true(atomic_load(&z->nodes[0].decay_backlog));

    /* No more sleeping: each call goes on with the backlog. */
    unsigned steps = 1;
    while (atomic_load(&z->nodes[0].decay_backlog) && steps < 1000) {
        uint64_t was = harness_counters(z, ZSLAB_ALL_CLASSES).bytes_released;
        _zslab_node_maybe_decay(z, 0);
        uint64_t step = harness_counters(z, ZSLAB_ALL_CLASSES).bytes_released - was;
        assert_true(step <= ZSLAB_DECAY_STEP_BYTES);
        steps++;
    }
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_false(atomic_load(&z->nodes[0].decay_backlog));
    assert_true(steps >= idle_bytes / ZSLAB_DECAY_STEP_BYTES / 2);
    assert_true(k.bytes_released - before.bytes_released >= idle_bytes - ZSLAB_DECAY_STEP_BYTES);
    assert_true(k.chunks_returned > before.chunks_returned);
    assert_int_equal(harness_resident_pages(objs[0], ZSLAB_DEFAULT_SLAB_BYTES), 0);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

int run_decay_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_slabs_decay_back_to_the_platform),
        cmocka_unit_test(a_decay_step_releases_a_bounded_amount),
        cmocka_unit_test(trim_releases_everything_cached),
    };
    return cmocka_run_group_tests_name("decay", tests, NULL, NULL);
}
