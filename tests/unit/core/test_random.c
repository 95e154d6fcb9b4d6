/* SPDX-License-Identifier: MIT */
/*
 * test_random.c - a seeded differential test.  Random allocs and frees of
 * many sizes (and some bad frees) run against the allocator and against a
 * reference: a set of the live pointers with their sizes.  Every live object
 * carries a pattern derived from its address, checked when it is freed.  The
 * counters and the core's invariant checkers are compared with the reference
 * as the run goes.  ZSLAB_TEST_SEED=N replays a run.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

#define OPS          120000
#define MAX_LIVE     4096
#define SET_SLOTS    16384 /* power of two, > 2 * MAX_LIVE */
#define CHECK_EVERY  4096
#define DEFAULT_SEED UINT64_C(0x2545f4914f6cdd1d)
#define PAGE         4096u
#define LARGE_MAX    (256u * 1024)

struct live {
    void *ptr;
    size_t size;
};

/* The reference: live objects in an array, and their pointers in an
 * open-addressing set (linear probing, backward-shift deletion). */
struct reference {
    struct live obj[MAX_LIVE];
    size_t count;
    void *set[SET_SLOTS];
    uint64_t bytes; /* at class size, as the allocator counts them */
};

static size_t slot_of(const void *p)
{
    return (size_t)(((uintptr_t)p >> 3) * UINT64_C(0x9e3779b97f4a7c15) >> 50) & (SET_SLOTS - 1);
}

static bool set_has(const struct reference *r, const void *p)
{
    for (size_t i = slot_of(p); r->set[i]; i = (i + 1) & (SET_SLOTS - 1)) {
        if (r->set[i] == p)
            return true;
    }
    return false;
}

static void set_add(struct reference *r, void *p)
{
    size_t i = slot_of(p);
    while (r->set[i])
        i = (i + 1) & (SET_SLOTS - 1);
    r->set[i] = p;
}

static void set_remove(struct reference *r, const void *p)
{
    size_t i = slot_of(p);
    while (r->set[i] != p)
        i = (i + 1) & (SET_SLOTS - 1);
    r->set[i] = NULL;
    for (size_t j = (i + 1) & (SET_SLOTS - 1); r->set[j]; j = (j + 1) & (SET_SLOTS - 1)) {
        size_t home = slot_of(r->set[j]);
        /* Move j back into the hole when its home is not in (i, j]. */
        if (((j - home) & (SET_SLOTS - 1)) >= ((j - i) & (SET_SLOTS - 1))) {
            r->set[i] = r->set[j];
            r->set[j] = NULL;
            i = j;
        }
    }
}

static uint64_t counted_bytes(size_t size)
{
    if (size > ZSLAB_MAX_CLASS_BYTES)
        return (size + PAGE - 1) / PAGE * PAGE;
    return zslab_class_size(zslab_class_of(size));
}

static size_t random_size(uint64_t *rng)
{
    uint64_t r = rng_next(rng), pick = r % 100, v = r >> 16;
    if (pick < 60)
        return (size_t)(v % 128) + (pick == 0 ? 0 : 1);
    if (pick < 85)
        return 129 + (size_t)(v % 3968);
    if (pick < 95)
        return 4097 + (size_t)(v % (ZSLAB_MAX_CLASS_BYTES - 4096));
    if (pick < 99) { /* right at a class boundary, or one byte past it */
        size_t b = zslab_class_size((int)(v % ZSLAB_CLASS_COUNT));
        return b + (v >> 8) % 2;
    }
    return ZSLAB_MAX_CLASS_BYTES + 1 + (size_t)(v % LARGE_MAX);
}

static void do_alloc(zslab_t *z, struct reference *r, uint64_t *rng)
{
    size_t size = random_size(rng);
    void *p = zslab_alloc(z, size);
    if (!p)
        fail_msg("zslab_alloc(%zu) returned NULL", size);
    if (set_has(r, p))
        fail_msg("zslab_alloc(%zu) returned %p, which is still live", size, p);
    if ((uintptr_t)p % ZSLAB_MIN_CLASS_BYTES)
        fail_msg("zslab_alloc(%zu) returned %p, not 8-byte aligned", size, p);
    pattern_fill(p, size);
    r->obj[r->count++] = (struct live){p, size};
    set_add(r, p);
    r->bytes += counted_bytes(size);
}

/* Frees a random live object; returns it. */
static void *do_free(zslab_t *z, struct reference *r, uint64_t *rng)
{
    uint64_t pick = rng_next(rng);
    size_t i = (size_t)(pick % r->count);
    struct live o = r->obj[i];
    if (!pattern_intact(o.ptr, o.size))
        fail_msg("object %p (%zu bytes) was overwritten while live", o.ptr, o.size);
    if (pick >> 63)
        zslab_free_sized(z, o.ptr, o.size);
    else
        zslab_free(z, o.ptr);
    r->obj[i] = r->obj[--r->count];
    set_remove(r, o.ptr);
    r->bytes -= counted_bytes(o.size);
    return o.ptr;
}

/* A double free or an interior pointer: reported, and nothing changes. */
static void do_bad_free(zslab_t *z, const struct reference *r, void *freed_earlier)
{
    void *bad = freed_earlier;
    if (!bad || set_has(r, bad)) {
        if (!r->count || r->obj[0].size < 2 * ZSLAB_MIN_CLASS_BYTES)
            return;
        bad = (char *)r->obj[0].ptr + ZSLAB_MIN_CLASS_BYTES;
    }
    uint64_t before = harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees;
    harness_clear_messages();
    zslab_free(z, bad);
    if (harness_message_count() != 1)
        fail_msg("bad free of %p was not reported", bad);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bad_frees, before + 1);
}

static void compare(const zslab_t *z, const struct reference *r)
{
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bytes_in_use.current, r->bytes);
    assert_int_equal(k.alloc_calls - k.free_calls, r->count);
    assert_int_equal(k.slow_path_hits, k.new_slab_count);
    assert_int_equal(k.current_partial_miss, 0);
    harness_assert_instance_valid(z);
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("ZSLAB_TEST_SEED");
    return s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
}

static void run_differential(const zslab_config_t *cfg)
{
    uint64_t seed = seed_from_env(), rng = seed;
    print_message("# seed %#llx (replay: ZSLAB_TEST_SEED=%#llx)\n", (unsigned long long)seed,
                  (unsigned long long)seed);
    int64_t mapped = harness_mapped_bytes();
    zslab_t *z = harness_instance_with(cfg);
    struct reference *r = calloc(1, sizeof(*r));
    void *freed_earlier = NULL;
    for (int op = 0; op < OPS; op++) {
        uint64_t pick = rng_next(&rng) % 100;
        if (r->count < MAX_LIVE && (pick < 55 || r->count == 0)) {
            do_alloc(z, r, &rng);
        } else if (pick < 97) {
            freed_earlier = do_free(z, r, &rng);
        } else {
            do_bad_free(z, r, freed_earlier);
        }
        if (op % CHECK_EVERY == 0)
            compare(z, r);
    }
    compare(z, r);
    while (r->count)
        do_free(z, r, &rng);
    compare(z, r);
    free(r);
    zslab_destroy(z);
    assert_int_equal(harness_mapped_bytes(), mapped);
}

static void random_ops_match_the_reference_with_defaults(void **state)
{
    (void)state;
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    run_differential(&cfg);
}

static void random_ops_match_the_reference_with_small_chunks(void **state)
{
    (void)state;
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    cfg.chunk_bytes = ZSLAB_MIN_CHUNK_BYTES;
    cfg.slab_bytes = ZSLAB_MAX_CLASS_BYTES;
    cfg.class_cache_slabs = 1;
    cfg.prefault = ZSLAB_PREFAULT_CHUNK;
    run_differential(&cfg);
}

int run_random_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_ops_match_the_reference_with_defaults),
        cmocka_unit_test(random_ops_match_the_reference_with_small_chunks),
    };
    return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
