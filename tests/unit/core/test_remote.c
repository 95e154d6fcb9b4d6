/* SPDX-License-Identifier: MIT */
/*
 * test_remote.c - objects that cross threads: frees by a thread that does not
 * own the object (remote frees), threads that exit with live objects, many
 * threads that come and go, two instances on one thread, and bad frees that
 * race each other.  Workers count problems instead of asserting (cmocka
 * asserts belong to the test's thread).
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "pattern.h"

#define OBJECTS   4096
#define OBJ_BYTES 128
/* Sanitizer-instrumented and debug builds run a fiftieth of the threads; the
 * plain build runs them all. */
#if defined(__SANITIZE_THREAD__) || ZSLAB_DEBUG
#define MANY_THREADS 200
#define RACE_ROUNDS  60
#else
#define MANY_THREADS 10000
#define RACE_ROUNDS  300
#endif
#define PER_THREAD  16
#define LARGE_BYTES (64 * 1024)
#define PAGE        4096u

struct batch {
    zslab_t *z;
    void **objs;
    size_t n, size;
    long problems;
};

static void *free_all(void *arg)
{
    struct batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        if (!pattern_intact(b->objs[i], b->size))
            b->problems++;
        zslab_free(b->z, b->objs[i]);
    }
    return NULL;
}

static void *alloc_all(void *arg)
{
    struct batch *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        size_t size = b->size ? b->size : 1 + (i * 37) % 3000;
        b->objs[i] = zslab_alloc(b->z, size);
        if (!b->objs[i]) {
            b->problems++;
            continue;
        }
        pattern_fill(b->objs[i], size < OBJ_BYTES ? size : OBJ_BYTES);
    }
    return NULL;
}

static void run_thread(void *(*fn)(void *), struct batch *b)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, b), 0);
    pthread_join(t, NULL);
    assert_int_equal(b->problems, 0);
}

/* Main allocates, a worker frees everything: the owner collects the frees
 * in its next slow path and serves its next allocations from them. */
static void remote_frees_are_collected_and_reused_by_the_owner(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void **objs = calloc(OBJECTS, sizeof(void *));
    for (size_t i = 0; i < OBJECTS; i++) {
        objs[i] = zslab_alloc(z, OBJ_BYTES);
        pattern_fill(objs[i], OBJ_BYTES);
    }
    uint64_t carved = harness_counters(z, zslab_class_of(OBJ_BYTES)).cache_misses;
    struct batch b = {z, objs, OBJECTS, OBJ_BYTES, 0};
    run_thread(free_all, &b);
    zslab_counters_t k = harness_counters(z, zslab_class_of(OBJ_BYTES));
    assert_int_equal(k.remote_frees, OBJECTS);
    assert_int_equal(k.free_calls, OBJECTS);
    assert_int_equal(k.bytes_in_use.current, 0);
    for (size_t i = 0; i < OBJECTS; i++)
        objs[i] = zslab_alloc(z, OBJ_BYTES);
    k = harness_counters(z, zslab_class_of(OBJ_BYTES));
    assert_int_equal(k.cache_misses, carved); /* the remote frees served: no new slab carved */
    for (size_t i = 0; i < OBJECTS; i++)
        zslab_free(z, objs[i]);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

static void *free_twice(void *arg)
{
    struct batch *b = arg;
    zslab_free(b->z, b->objs[0]);
    zslab_free(b->z, b->objs[0]);
    return NULL;
}

static void *free_once(void *arg)
{
    struct batch *b = arg;
    zslab_free(b->z, b->objs[0]);
    return NULL;
}

/* Remote, then remote again; remote, then the owner; the owner, then remote:
 * each second free is a double free, reported, never applied. */
static void remote_double_frees_are_reported(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *p = zslab_alloc(z, OBJ_BYTES);
    struct batch b = {z, &p, 1, OBJ_BYTES, 0};
    harness_clear_messages();
    run_thread(free_twice, &b);
    assert_message_has("double free");
    p = zslab_alloc(z, OBJ_BYTES);
    run_thread(free_once, &b);
    harness_clear_messages();
    zslab_free(z, p); /* freed by the worker, not collected yet */
    assert_message_has("double free");
    p = zslab_alloc(z, OBJ_BYTES);
    zslab_free(z, p);
    harness_clear_messages();
    run_thread(free_once, &b);
    assert_message_has("double free");
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bad_frees, 3);
    assert_int_equal(k.alloc_calls, k.free_calls);
    assert_int_equal(k.bytes_in_use.current, 0);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

/* A worker allocates and exits; its objects stay valid, main frees them, and
 * the worker's heap serves the next thread. */
static void thread_exit_with_live_objects_loses_nothing(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void **objs = calloc(OBJECTS, sizeof(void *));
    struct batch b = {z, objs, OBJECTS, 0, 0};
    run_thread(alloc_all, &b);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.thread_heaps.current, 0);
    assert_int_equal(k.alloc_calls, OBJECTS);
    for (size_t i = 0; i < OBJECTS; i++) {
        size_t size = 1 + (i * 37) % 3000;
        assert_true(pattern_intact(objs[i], size < OBJ_BYTES ? size : OBJ_BYTES));
        zslab_free_sized(z, objs[i], size);
    }
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.free_calls, OBJECTS);
    assert_int_equal(k.bytes_in_use.current, 0);
    assert_int_equal(k.bad_frees, 0);
    run_thread(alloc_all, &b); /* reuses the exited worker's heap */
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).thread_heaps.peak, 2); /* + main */
    struct batch f = {z, objs, OBJECTS, 0, 0};
    for (size_t i = 0; i < OBJECTS; i++)
        zslab_free(z, objs[i]);
    (void)f;
    zslab_trim(z);
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.slabs_in_use.current, 0);
    assert_int_equal(k.chunks.current, 0);
    harness_assert_instance_valid(z);
    free(objs);
    zslab_destroy(z);
}

/* Each thread frees the previous one's objects (remote frees to an exited
 * thread's slabs), allocates its own, and exits. */
struct relay {
    zslab_t *z;
    void *objs[PER_THREAD];
    long problems;
};

static void *relay_step(void *arg)
{
    struct relay *r = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        if (r->objs[i]) {
            if (!pattern_intact(r->objs[i], 16))
                r->problems++;
            zslab_free(r->z, r->objs[i]);
        }
        size_t size = i == 0 ? LARGE_BYTES : 16 + (size_t)i * 24;
        r->objs[i] = zslab_alloc(r->z, size);
        if (!r->objs[i])
            r->problems++;
        else
            pattern_fill(r->objs[i], 16);
    }
    return NULL;
}

static void ten_thousand_threads_leak_nothing(void **state)
{
    (void)state;
    int64_t mapped = harness_mapped_bytes();
    zslab_t *z = harness_instance();
    struct relay r;
    memset(&r, 0, sizeof(r));
    r.z = z;
    for (int t = 0; t < MANY_THREADS; t++) {
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, relay_step, &r), 0);
        pthread_join(th, NULL);
    }
    assert_int_equal(r.problems, 0);
    for (int i = 0; i < PER_THREAD; i++)
        zslab_free(z, r.objs[i]);
    zslab_trim(z);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.alloc_calls, (uint64_t)MANY_THREADS * PER_THREAD);
    assert_int_equal(k.alloc_calls, k.free_calls);
    assert_int_equal(k.bytes_in_use.current, 0);
    if (k.bad_frees)
        fail_msg("bad free: %s", harness_last_message());
    assert_int_equal(k.thread_heaps.current, 1); /* main's */
    assert_int_equal(k.thread_heaps.peak, 1);    /* one heap, reused by every thread, then main's */
    assert_int_equal(k.chunks.current, 0);
    assert_int_equal(k.slabs_in_use.current, 0);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
    assert_int_equal(harness_mapped_bytes(), mapped);
}

struct two {
    zslab_t *a, *b;
    void *pa, *pb;
};

static void *use_two(void *arg)
{
    struct two *t = arg;
    t->pa = zslab_alloc(t->a, 100);
    t->pb = zslab_alloc(t->b, 200);
    zslab_free(t->a, zslab_alloc(t->a, 300));
    zslab_free(t->b, zslab_alloc(t->b, 300));
    return NULL;
}

/* One thread, two instances: each keeps its own heap and each exit hook runs
 * (both heaps are handed back: thread_heaps drops to 0 in both). */
static void two_instances_on_one_thread_each_get_their_state(void **state)
{
    (void)state;
    struct two t = {harness_instance(), harness_instance(), NULL, NULL};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, use_two, &t), 0);
    pthread_join(th, NULL);
    zslab_counters_t ka = harness_counters(t.a, ZSLAB_ALL_CLASSES);
    zslab_counters_t kb = harness_counters(t.b, ZSLAB_ALL_CLASSES);
    assert_int_equal(ka.thread_heaps.peak, 1);
    assert_int_equal(kb.thread_heaps.peak, 1);
    assert_int_equal(ka.thread_heaps.current, 0);
    assert_int_equal(kb.thread_heaps.current, 0);
    assert_int_equal(ka.alloc_calls, 2);
    assert_int_equal(kb.alloc_calls, 2);
    harness_clear_messages();
    zslab_free(t.a, t.pa);
    zslab_free(t.b, t.pb);
    zslab_free(t.a, t.pb); /* the wrong instance: reported */
    assert_message_has("not allocated by this zslab instance");
    assert_int_equal(harness_counters(t.a, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    assert_int_equal(harness_counters(t.b, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(t.a);
    zslab_destroy(t.b);
}

/* Two threads free the same pointer at once, after a barrier. */
struct race {
    zslab_t *z;
    void *ptr[2];
    pthread_barrier_t *go;
    int rounds;
    atomic_int round;
};

static void *race_side(void *arg)
{
    struct race *r = arg;
    for (int i = 0; i < r->rounds; i++) {
        pthread_barrier_wait(r->go); /* main set the pointers */
        zslab_free(r->z, r->ptr[1]);
        pthread_barrier_wait(r->go);
    }
    return NULL;
}

/* Races a free by main (ptr[0]) against the worker's (ptr[1]); @setup makes
 * the pointers for each round. */
static void run_race(zslab_t *z, void (*setup)(struct race *, int), int rounds)
{
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    struct race r = {.z = z, .go = &go, .rounds = rounds};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race_side, &r), 0);
    for (int i = 0; i < rounds; i++) {
        setup(&r, i);
        pthread_barrier_wait(&go);
        zslab_free(z, r.ptr[0]);
        pthread_barrier_wait(&go);
    }
    pthread_join(t, NULL);
    pthread_barrier_destroy(&go);
}

static void same_large_object(struct race *r, int i)
{
    (void)i;
    r->ptr[0] = r->ptr[1] = zslab_alloc(r->z, LARGE_BYTES);
}

static void *foreign_page;

/* A page mapped by someone else right after the large object, inside the
 * chunk-sized unit the object registered. */
static void large_and_foreign_neighbour(struct race *r, int i)
{
    (void)i;
    if (foreign_page)
        munmap(foreign_page, PAGE);
    r->ptr[0] = zslab_alloc(r->z, LARGE_BYTES);
    foreign_page = mmap((char *)r->ptr[0] + LARGE_BYTES, PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    r->ptr[1] = foreign_page == MAP_FAILED ? (char *)r->ptr[0] + LARGE_BYTES : foreign_page;
    if (foreign_page == MAP_FAILED)
        foreign_page = NULL;
}

static void same_small_object(struct race *r, int i)
{
    (void)i;
    r->ptr[0] = r->ptr[1] = zslab_alloc(r->z, OBJ_BYTES);
}

/* No bad input, and no race between bad inputs, crashes the instance. */
static void racing_bad_frees_never_crash(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    harness_clear_messages();
    run_race(z, same_large_object, RACE_ROUNDS);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bad_frees, RACE_ROUNDS); /* one of each pair */
    assert_int_equal(k.free_calls, RACE_ROUNDS);
    assert_message_has("not allocated by this zslab instance");

    run_race(z, large_and_foreign_neighbour, RACE_ROUNDS);
    if (foreign_page)
        munmap(foreign_page, PAGE);
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bad_frees, 2 * RACE_ROUNDS);
    assert_int_equal(k.free_calls, 2 * RACE_ROUNDS);
    assert_message_has("not allocated by this zslab instance");

    run_race(z, same_small_object, RACE_ROUNDS);
    zslab_trim(z); /* collects what the worker freed */
    k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bad_frees, 3 * RACE_ROUNDS);
    assert_int_equal(k.free_calls, 3 * RACE_ROUNDS);
    assert_int_equal(k.bytes_in_use.current, 0);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

static void *alloc_two(void *arg)
{
    struct batch *b = arg;
    b->objs[0] = zslab_alloc(b->z, b->size);
    b->objs[1] = zslab_alloc(b->z, b->size);
    return NULL;
}

/* A slab an exited thread left with room serves the next thread that needs
 * one of its class, instead of a new slab. */
static void slabs_of_exited_threads_are_adopted(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    void *left[2];
    struct batch b = {z, left, 2, 512, 0};
    run_thread(alloc_two, &b);
    uint64_t slabs = harness_counters(z, zslab_class_of(512)).new_slab_count;
    void *mine = zslab_alloc(z, 512);
    assert_int_equal(harness_counters(z, zslab_class_of(512)).new_slab_count, slabs);
    assert_int_equal((uintptr_t)mine / ZSLAB_DEFAULT_SLAB_BYTES,
                     (uintptr_t)left[0] / ZSLAB_DEFAULT_SLAB_BYTES);
    zslab_free(z, left[0]); /* now owned by this thread: a local free */
    zslab_free(z, left[1]);
    zslab_free(z, mine);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.bytes_in_use.current, 0);
    assert_int_equal(k.bad_frees, 0);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

int run_remote_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remote_frees_are_collected_and_reused_by_the_owner),
        cmocka_unit_test(remote_double_frees_are_reported),
        cmocka_unit_test(thread_exit_with_live_objects_loses_nothing),
        cmocka_unit_test(ten_thousand_threads_leak_nothing),
        cmocka_unit_test(two_instances_on_one_thread_each_get_their_state),
        cmocka_unit_test(racing_bad_frees_never_crash),
        cmocka_unit_test(slabs_of_exited_threads_are_adopted),
    };
    return cmocka_run_group_tests_name("remote", tests, NULL, NULL);
}
