/* SPDX-License-Identifier: MIT */
/* test_slab.c - slab lists (PARTIAL/FULL), the slab cache, bump allocation. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define OBJ_BYTES   128
#define OBJ_CLASS   15
#define PER_SLAB    (ZSLAB_DEFAULT_SLAB_BYTES / OBJ_BYTES) /* 512 */
#define THP_SETTING "/sys/kernel/mm/transparent_hugepage/enabled"
#define PAGE        4096

static void alloc_n(zslab_t *z, void **out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = zslab_alloc(z, OBJ_BYTES);
        assert_non_null(out[i]);
    }
}

static void free_range(zslab_t *z, void **objs, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        zslab_free(z, objs[i]);
}

/* An instance whose frees go straight to their slabs (no thread cache), so
 * every list move shows in the counters. */
static zslab_t *direct_instance(uint32_t spares)
{
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    cfg.thread_cache_bytes = 0;
    cfg.spare_slabs = spares;
    return harness_instance_with(&cfg);
}

/* Phase 1.5's list rules, step by step, with the exact counters.  A slab that
 * filled moves PARTIAL -> FULL when the next allocation finds it full. */
static void slab_moves_partial_full_partial_and_through_the_cache(void **state)
{
    (void)state;
    zslab_t *z = direct_instance(1);
    void **objs = calloc(2 * PER_SLAB + 1, sizeof(void *));

    alloc_n(z, objs, PER_SLAB); /* slab A fills up */
    zslab_counters_t k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.slow_path_hits, 1);
    assert_int_equal(k.new_slab_count, 1);
    assert_int_equal(k.cache_misses, 1);
    const zslab_heap_class_t *hc = &harness_heap(z)->cls[OBJ_CLASS];

    alloc_n(z, objs + PER_SLAB, 1); /* slab B; A is full */
    k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.slow_path_hits, 2);
    assert_int_equal(k.new_slab_count, 2);
    assert_int_equal(k.list_move_partial_to_full, 1);
    assert_int_equal(hc->full.count, 1);
    assert_int_equal(hc->partial.count, 0);

    zslab_free(z, objs[0]); /* A: FULL -> PARTIAL */
    k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.list_move_full_to_partial, 1);
    assert_int_equal(hc->partial.count, 1);
    assert_int_equal(hc->full.count, 0);

    free_range(z, objs, 1, PER_SLAB); /* A empties: kept as the class's spare */
    k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.cache_pushes, 0);
    assert_int_equal(k.recycled_slabs, 0);
    assert_int_equal(k.slabs_in_use.current, 2);
    assert_int_equal(hc->spares, 1);
    harness_assert_instance_valid(z);

    alloc_n(z, objs, PER_SLAB); /* B's rest, then A again: no new slab */
    k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.slow_path_hits, 2);
    assert_int_equal(k.new_slab_count, 2);
    assert_int_equal(k.current_partial_miss, 0);
    assert_int_equal(k.bytes_in_use.current, (PER_SLAB + 1) * OBJ_BYTES);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

/* Hysteresis: an alloc/free pair across a slab boundary reuses the spare and
 * never goes through the node cache; a second empty slab does. */
static void recycling_keeps_a_spare_and_recycles_the_rest(void **state)
{
    (void)state;
    const size_t slabs = 4;
    zslab_t *z = direct_instance(1);
    void **objs = calloc(slabs * PER_SLAB + 1, sizeof(void *));
    alloc_n(z, objs, slabs * PER_SLAB); /* the last slab is active and full */
    for (int round = 0; round < 100; round++) {
        void *p = zslab_alloc(z, OBJ_BYTES); /* a new slab */
        zslab_free(z, p);                    /* empty again: the spare */
    }
    zslab_counters_t k = harness_counters(z, OBJ_CLASS);
    assert_int_equal(k.new_slab_count, slabs + 1);
    assert_int_equal(k.cache_pushes, 0);
    free_range(z, objs, 0, slabs * PER_SLAB);
    k = harness_counters(z, OBJ_CLASS);
    /* One spare stays; the active one stays; the others are recycled. */
    assert_int_equal(k.recycled_slabs, slabs - 1);
    assert_int_equal(k.cache_pushes, slabs - 1);
    assert_int_equal(k.slabs_in_use.current, 2);
    assert_int_equal(k.bytes_in_use.current, 0);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

/* An empty slab of one class serves another: reformatted, no new chunk. */
static void empty_slab_is_reformatted_for_another_class(void **state)
{
    (void)state;
    zslab_t *z = direct_instance(0);
    void **objs = calloc(2 * PER_SLAB, sizeof(void *));
    alloc_n(z, objs, 2 * PER_SLAB);
    zslab_alloc(z, OBJ_BYTES);            /* a third slab is active */
    free_range(z, objs, 0, 2 * PER_SLAB); /* two slabs to the node cache */
    assert_int_equal(harness_counters(z, OBJ_CLASS).recycled_slabs, 2);
    uint64_t maps = harness_map_calls();
    uint64_t carved = harness_counters(z, ZSLAB_ALL_CLASSES).cache_misses;
    void *big = zslab_alloc(z, 4000); /* the 4 KiB class */
    memset(big, 0x5a, 4000);
    zslab_counters_t k = harness_counters(z, zslab_class_of(4000));
    assert_int_equal(k.cache_hits, 1);
    assert_int_equal(k.cross_class_reuses, 1);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).cache_misses, carved);
    assert_int_equal(harness_map_calls(), maps);
    zslab_free(z, big);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

static void freed_object_is_reused_first(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *a = zslab_alloc(z, 64);
    void *b = zslab_alloc(z, 64);
    zslab_free(z, a);
    assert_ptr_equal(zslab_alloc(z, 64), a);
    assert_ptr_not_equal(zslab_alloc(z, 64), b);
    zslab_destroy(z);
}

/* Every class fills a slab, spills into a second, and gives all back. */
static void every_class_fills_and_empties_its_slabs(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    for (int cls = 0; cls < ZSLAB_CLASS_COUNT; cls++) {
        size_t bytes = zslab_class_size(cls);
        size_t n = ZSLAB_DEFAULT_SLAB_BYTES / bytes + 1;
        void **objs = calloc(n, sizeof(void *));
        for (size_t i = 0; i < n; i++) {
            objs[i] = zslab_alloc(z, bytes);
            assert_non_null(objs[i]);
            memset(objs[i], 0xa5, bytes);
        }
        zslab_counters_t k = harness_counters(z, cls);
        assert_int_equal(k.new_slab_count, 2);
        assert_int_equal(k.bytes_in_use.current, n * bytes);
        harness_assert_instance_valid(z);
        for (size_t i = 0; i < n; i++)
            zslab_free_sized(z, objs[i], bytes);
        assert_int_equal(harness_counters(z, cls).bytes_in_use.current, 0);
        free(objs);
    }
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

static int resident_pages(void *start, size_t pages)
{
    return (int)harness_resident_pages(start, pages * PAGE);
}

/* The design claim: metadata lives outside object pages and fresh objects come
 * from a bump pointer, so alloc touches no page of a fresh slab. */
static void alloc_touches_no_page_of_a_fresh_slab(void **state)
{
    (void)state;
    char thp[128] = "";
    FILE *f = fopen(THP_SETTING, "r");
    if (f) {
        if (!fgets(thp, sizeof(thp), f))
            thp[0] = '\0';
        fclose(f);
    }
    if (strstr(thp, "[always]")) {
        print_message("# skipped: transparent huge pages are [always]; a metadata write would "
                      "back the whole chunk\n");
        skip();
    }
    zslab_t *z = harness_instance();
    const size_t bytes = 2048, pages = ZSLAB_DEFAULT_SLAB_BYTES / PAGE;
    char *first = zslab_alloc(z, bytes);
    char *second = zslab_alloc(z, bytes);
    assert_ptr_equal(second, first + bytes);
    assert_int_equal((uintptr_t)first % ZSLAB_DEFAULT_SLAB_BYTES, 0);
    assert_int_equal(resident_pages(first, pages), 0);
    first[0] = 1;
    assert_int_equal(resident_pages(first, pages), 1);
    zslab_destroy(z);
}

/* After every object is freed, trim gives every empty slab's pages back, the
 * second trim has nothing left, and the slabs serve again. */
static void trim_gives_back_the_pages_of_empty_slabs(void **state)
{
    (void)state;
    enum { OBJECTS = 3000, BYTES = 128 };
    const size_t slab_pages = ZSLAB_DEFAULT_SLAB_BYTES / PAGE;
    zslab_t *z = harness_instance();
    char **objs = calloc(OBJECTS, sizeof(*objs));
    assert_non_null(objs);
    for (int i = 0; i < OBJECTS; i++) {
        objs[i] = zslab_alloc(z, BYTES);
        memset(objs[i], 1, BYTES);
    }
    char *first_slab = objs[0];
    assert_int_equal(resident_pages(first_slab, slab_pages), (int)slab_pages);
    for (int i = 0; i < OBJECTS; i++)
        zslab_free(z, objs[i]);
    size_t slabs = (OBJECTS * BYTES + ZSLAB_DEFAULT_SLAB_BYTES - 1) / ZSLAB_DEFAULT_SLAB_BYTES;
    /* Every slab was empty, so the whole chunk went back with them. */
    assert_true(zslab_trim(z) >= slabs * ZSLAB_DEFAULT_SLAB_BYTES);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).chunks_returned, 1);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).chunks.current, 0);
    assert_int_equal(resident_pages(first_slab, slab_pages), 0);
    assert_int_equal(zslab_trim(z), 0);
    harness_assert_instance_valid(z);
    uint64_t maps = harness_map_calls();
    for (int i = 0; i < OBJECTS; i++) {
        objs[i] = zslab_alloc(z, BYTES);
        memset(objs[i], 2, BYTES);
    }
    assert_int_equal(harness_map_calls(), maps); /* the trimmed slabs served */
    assert_int_equal(resident_pages(first_slab, slab_pages), (int)slab_pages);
    harness_assert_instance_valid(z);
    for (int i = 0; i < OBJECTS; i++)
        zslab_free(z, objs[i]);
    free(objs);
    zslab_destroy(z);
}

int run_slab_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slab_moves_partial_full_partial_and_through_the_cache),
        cmocka_unit_test(recycling_keeps_a_spare_and_recycles_the_rest),
        cmocka_unit_test(empty_slab_is_reformatted_for_another_class),
        cmocka_unit_test(freed_object_is_reused_first),
        cmocka_unit_test(every_class_fills_and_empties_its_slabs),
        cmocka_unit_test(alloc_touches_no_page_of_a_fresh_slab),
        cmocka_unit_test(trim_gives_back_the_pages_of_empty_slabs),
    };
    return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
