/* SPDX-License-Identifier: MIT */
/*
 * test_aligned.c - what a malloc shim needs from the core: aligned objects
 * for every power of two, usable sizes, and an instance that works in the
 * child of a fork() taken while other threads allocate.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE          4096u
#define MIB           ((size_t)1 << 20)
#define MAX_ALIGN_LOG 23 /* 8 MiB: above the 2 MiB chunk */
#define FORKS         20
#define FORK_WORKERS  2

static void every_power_of_two_alignment_is_honoured(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 24, 100, 4000, 32768, 40000, MIB + 5};
    zslab_t *z = harness_instance();
    for (unsigned lg = 0; lg <= MAX_ALIGN_LOG; lg++) {
        size_t align = (size_t)1 << lg;
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            unsigned char *p = zslab_alloc_aligned(z, sizes[i], align);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % align, 0);
            size_t usable = zslab_usable_size(z, p);
            assert_true(usable >= sizes[i]);
            memset(p, 0xa5, usable);
            zslab_free(z, p);
        }
    }
    harness_assert_instance_valid(z);
    assert_int_equal(harness_counters(z, ZSLAB_ALL_CLASSES).bytes_in_use.current, 0);
    zslab_destroy(z);
}

static void alignment_that_is_not_a_power_of_two_is_refused(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    const size_t bad[] = {0, 3, 24, 4097, ((size_t)1 << 40) + 1};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(zslab_alloc_aligned(z, 64, bad[i]));
    assert_null(zslab_alloc_aligned(z, SIZE_MAX - PAGE, PAGE * 4));
    assert_null(zslab_alloc_aligned(z, 64, (size_t)1 << 62));
    zslab_destroy(z);
}

static void small_alignments_stay_in_a_class_of_the_right_multiple(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    /* 100 B at 64: the 128 B class (the 112 B class is no multiple of 64). */
    void *p = zslab_alloc_aligned(z, 100, 64);
    assert_int_equal(zslab_usable_size(z, p), 128);
    /* 10 B at 4 KiB: the 4 KiB class, a slab object, not a mapping. */
    uint64_t maps = harness_map_calls();
    void *q = zslab_alloc_aligned(z, 10, PAGE);
    assert_int_equal(zslab_usable_size(z, q), PAGE);
    assert_int_equal(harness_map_calls(), maps);
    zslab_free(z, p);
    zslab_free(z, q);
    zslab_destroy(z);
}

static void usable_size_is_the_class_size_or_the_page_rounded_size(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    for (size_t size = 1; size <= ZSLAB_MAX_CLASS_BYTES; size += 97) {
        void *p = zslab_alloc(z, size);
        assert_int_equal(zslab_usable_size(z, p), zslab_class_size(zslab_class_of(size)));
        zslab_free(z, p);
    }
    void *big = zslab_alloc(z, 50000);
    assert_int_equal(zslab_usable_size(z, big), 53248);
    unsigned char *small = zslab_alloc(z, 128);
    int local;
    harness_clear_messages();
    assert_int_equal(zslab_usable_size(z, NULL), 0);
    assert_int_equal(zslab_usable_size(z, &local), 0);
    assert_int_equal(zslab_usable_size(z, small + 8), 0);
    assert_int_equal(zslab_usable_size(z, (unsigned char *)big + PAGE), 0);
    assert_int_equal(harness_message_count(), 0);
    zslab_free(z, big);
    zslab_free(z, small);
    zslab_destroy(z);
}

struct fork_worker {
    zslab_t *z;
    atomic_bool stop;
};

static void *churn(void *arg)
{
    struct fork_worker *w = arg;
    while (!atomic_load(&w->stop)) {
        void *p = zslab_alloc(w->z, 48);
        void *q = zslab_alloc(w->z, 50000);
        zslab_free(w->z, p);
        zslab_free(w->z, q);
    }
    return NULL;
}

/* The child allocates from every class and the large path: it would hang on
 * a lock a parent's thread held at the fork, or crash on a half-made list. */
static int child_works(zslab_t *z)
{
    for (int i = 0; i < ZSLAB_CLASS_COUNT; i++) {
        void *p = zslab_alloc(z, zslab_class_size(i));
        if (!p)
            return 1;
        zslab_free(z, p);
    }
    void *big = zslab_alloc(z, 50000);
    zslab_free(z, big);
    return big ? 0 : 1;
}

static void an_instance_works_in_the_child_of_a_threaded_fork(void **state)
{
    (void)state;
    struct fork_worker w = {.z = harness_instance()};
    pthread_t t[FORK_WORKERS];
    for (int i = 0; i < FORK_WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, churn, &w), 0);
    for (int i = 0; i < FORKS; i++) {
        zslab_fork_prepare(w.z);
        pid_t pid = fork();
        if (pid == 0) {
            zslab_fork_child(w.z);
            alarm(10);
            _exit(child_works(w.z));
        }
        zslab_fork_parent(w.z);
        assert_true(pid > 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    atomic_store(&w.stop, true);
    for (int i = 0; i < FORK_WORKERS; i++)
        pthread_join(t[i], NULL);
    harness_assert_instance_valid(w.z);
    zslab_destroy(w.z);
}

int run_aligned_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_power_of_two_alignment_is_honoured),
        cmocka_unit_test(alignment_that_is_not_a_power_of_two_is_refused),
        cmocka_unit_test(small_alignments_stay_in_a_class_of_the_right_multiple),
        cmocka_unit_test(usable_size_is_the_class_size_or_the_page_rounded_size),
        cmocka_unit_test(an_instance_works_in_the_child_of_a_threaded_fork),
    };
    return cmocka_run_group_tests_name("aligned", tests, NULL, NULL);
}
