/* SPDX-License-Identifier: MIT */
/* test_platform.c - the Linux platform keeps the contract of platform.h. */
#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE         ZSLAB_PLATFORM_PAGE_BYTES
#define TWO_MIB      ((size_t)2 << 20)
#define LOCK_THREADS 4
#define LOCK_ROUNDS  100000
#define NO_SUCH_NODE 4000

static void map_returns_aligned_zeroed_memory(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) {
        unsigned char *p = zslab_platform_map(TWO_MIB, TWO_MIB, ZSLAB_PLATFORM_NODE_ANY, 0);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % TWO_MIB, 0);
        assert_int_equal(p[0] | p[TWO_MIB / 2] | p[TWO_MIB - 1], 0);
        memset(p, 0xff, TWO_MIB);
        zslab_platform_unmap(p, TWO_MIB);
    }
}

static void map_refuses_arguments_outside_the_contract(void **state)
{
    (void)state;
    assert_null(zslab_platform_map(0, PAGE, ZSLAB_PLATFORM_NODE_ANY, 0));
    assert_null(zslab_platform_map(PAGE + 1, PAGE, ZSLAB_PLATFORM_NODE_ANY, 0));
    assert_null(zslab_platform_map(PAGE, 3 * PAGE, ZSLAB_PLATFORM_NODE_ANY, 0));
    assert_null(zslab_platform_map(PAGE, PAGE / 2, ZSLAB_PLATFORM_NODE_ANY, 0));
    assert_null(zslab_platform_map(PAGE, PAGE, ZSLAB_PLATFORM_NODE_ANY, 0x80));
    assert_null(zslab_platform_map(SIZE_MAX - PAGE + 1, TWO_MIB, ZSLAB_PLATFORM_NODE_ANY, 0));
    assert_null(zslab_platform_map(PAGE, PAGE, NO_SUCH_NODE, 0));
    void *p = zslab_platform_map(PAGE, PAGE, 0, 0); /* node 0 exists everywhere */
    assert_non_null(p);
    zslab_platform_unmap(p, PAGE);
}

static void prefault_backs_every_page_and_the_default_none(void **state)
{
    (void)state;
    void *lazy = zslab_platform_map(TWO_MIB, TWO_MIB, ZSLAB_PLATFORM_NODE_ANY, 0);
    void *eager =
        zslab_platform_map(TWO_MIB, TWO_MIB, ZSLAB_PLATFORM_NODE_ANY, ZSLAB_PLATFORM_MAP_PREFAULT);
    assert_non_null(lazy);
    assert_non_null(eager);
    assert_int_equal(harness_resident_pages(lazy, TWO_MIB), 0);
    assert_int_equal(harness_resident_pages(eager, TWO_MIB), TWO_MIB / PAGE);
    zslab_platform_unmap(lazy, TWO_MIB);
    zslab_platform_unmap(eager, TWO_MIB);
}

static zslab_platform_lock_t shared_lock;
static long shared_counter;

static void *lock_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < LOCK_ROUNDS; i++) {
        zslab_platform_lock_acquire(&shared_lock);
        shared_counter++;
        zslab_platform_lock_release(&shared_lock);
    }
    return NULL;
}

static void lock_excludes_other_threads(void **state)
{
    (void)state;
    pthread_t t[LOCK_THREADS];
    zslab_platform_lock_init(&shared_lock);
    shared_counter = 0;
    for (int i = 0; i < LOCK_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, lock_worker, NULL), 0);
    for (int i = 0; i < LOCK_THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(shared_counter, (long)LOCK_THREADS * LOCK_ROUNDS);
    zslab_platform_lock_fini(&shared_lock);
}

/* Two keys, one thread: each gets its own value back, each hook runs once,
 * with that key's value. */
static void *exit_values[2];
static int exit_calls[2];
static zslab_platform_key_t test_keys[2];

static void on_exit_0(void *value)
{
    exit_values[0] = value;
    exit_calls[0]++;
}

static void on_exit_1(void *value)
{
    exit_values[1] = value;
    exit_calls[1]++;
    /* Setting from inside a hook is allowed and does not run it again. */
    zslab_platform_thread_set(test_keys[1], &exit_calls[1]);
}

static bool worker_started_empty, worker_saw_own;

/* No cmocka asserts here: they must run on the test's thread. */
static void *key_worker(void *arg)
{
    int *tokens = arg;
    worker_started_empty =
        !zslab_platform_thread_get(test_keys[0]) && !zslab_platform_thread_get(test_keys[1]);
    zslab_platform_thread_set(test_keys[0], &tokens[0]);
    zslab_platform_thread_set(test_keys[1], &tokens[1]);
    worker_saw_own = zslab_platform_thread_get(test_keys[0]) == &tokens[0] &&
                     zslab_platform_thread_get(test_keys[1]) == &tokens[1];
    return NULL;
}

static void thread_keys_are_per_thread_and_each_exit_hook_runs(void **state)
{
    (void)state;
    static int tokens[2], mine;
    assert_int_equal(zslab_platform_key_create(on_exit_0, &test_keys[0]), 0);
    assert_int_equal(zslab_platform_key_create(on_exit_1, &test_keys[1]), 0);
    assert_true(zslab_platform_thread_set(test_keys[0], &mine));
    pthread_t t;
    exit_calls[0] = exit_calls[1] = 0;
    assert_int_equal(pthread_create(&t, NULL, key_worker, tokens), 0);
    pthread_join(t, NULL);
    assert_true(worker_started_empty);
    assert_true(worker_saw_own);
    assert_int_equal(exit_calls[0], 1);
    assert_int_equal(exit_calls[1], 1);
    assert_ptr_equal(exit_values[0], &tokens[0]);
    assert_ptr_equal(exit_values[1], &tokens[1]);
    assert_ptr_equal(zslab_platform_thread_get(test_keys[0]), &mine);
    assert_null(zslab_platform_thread_get(test_keys[1]));

    /* A new key that reuses a deleted key's storage reads NULL. */
    zslab_platform_key_delete(test_keys[0]);
    zslab_platform_key_t again;
    assert_int_equal(zslab_platform_key_create(NULL, &again), 0);
    assert_null(zslab_platform_thread_get(again));
    zslab_platform_key_delete(again);
    zslab_platform_key_delete(test_keys[1]);
}

static void thread_keys_run_out_cleanly(void **state)
{
    (void)state;
    zslab_platform_key_t keys[ZSLAB_PLATFORM_THREAD_KEYS + 1];
    int made = 0;
    while (made <= (int)ZSLAB_PLATFORM_THREAD_KEYS &&
           zslab_platform_key_create(NULL, &keys[made]) == 0)
        made++;
    assert_true(made <= (int)ZSLAB_PLATFORM_THREAD_KEYS); /* some are the instances' */
    zslab_platform_key_t spare = 0;
    assert_int_equal(zslab_platform_key_create(NULL, &spare), -1);
    while (made--)
        zslab_platform_key_delete(keys[made]);
}

static void prefault_and_node_count(void **state)
{
    (void)state;
    unsigned char *p =
        zslab_platform_map(TWO_MIB, TWO_MIB, ZSLAB_PLATFORM_NODE_ANY, ZSLAB_PLATFORM_MAP_RESERVE);
    assert_non_null(p);
    assert_int_equal(harness_resident_pages(p, TWO_MIB), 0);
    p[0] = 7;
    zslab_platform_prefault(p, TWO_MIB / 2);
    assert_int_equal(harness_resident_pages(p, TWO_MIB), TWO_MIB / 2 / PAGE);
    assert_int_equal(p[0], 7); /* contents kept */
    zslab_platform_purge(p, TWO_MIB);
    assert_int_equal(harness_resident_pages(p, TWO_MIB), 0);
    zslab_platform_unmap(p, TWO_MIB);
    assert_true(zslab_platform_node_count() >= 1);
    uint32_t node = UINT32_MAX;
    zslab_platform_getcpu(NULL, &node);
    assert_true(node < zslab_platform_node_count());
}

static void where_and_when(void **state)
{
    (void)state;
    uint32_t cpu = UINT32_MAX, node = UINT32_MAX;
    zslab_platform_getcpu(&cpu, &node);
    assert_true(cpu < (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
    assert_true(node < NO_SUCH_NODE);
    zslab_platform_getcpu(NULL, NULL);

    uint64_t t0 = zslab_platform_now_ns();
    struct timespec nap = {0, 2000000}; /* 2 ms */
    nanosleep(&nap, NULL);
    uint64_t t1 = zslab_platform_now_ns();
    assert_true(t1 - t0 >= 2000000);
}

int run_platform_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_returns_aligned_zeroed_memory),
        cmocka_unit_test(map_refuses_arguments_outside_the_contract),
        cmocka_unit_test(prefault_backs_every_page_and_the_default_none),
        cmocka_unit_test(lock_excludes_other_threads),
        cmocka_unit_test(thread_keys_are_per_thread_and_each_exit_hook_runs),
        cmocka_unit_test(thread_keys_run_out_cleanly),
        cmocka_unit_test(prefault_and_node_count),
        cmocka_unit_test(where_and_when),
    };
    return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
