/* SPDX-License-Identifier: MIT */
/*
 * test_threads.c - one instance, several threads: each allocates and frees
 * its own objects and hands some to the others to free (cross-thread frees).
 * Workers count problems instead of asserting (cmocka asserts belong to the
 * test's thread).
 */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>

#include "pattern.h"

#define THREADS       4
#define OPS           30000
#define LOCAL_LIVE    256
#define MAILBOX_SLOTS 128
#define MAX_SIZE      4096

struct item {
    void *ptr;
    size_t size;
};

static struct {
    pthread_mutex_t lock;
    struct item slot[MAILBOX_SLOTS];
    int count;
} mailbox = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct worker {
    zslab_t *z;
    uint64_t seed;
    long problems;
};

static bool mailbox_put(struct item it)
{
    pthread_mutex_lock(&mailbox.lock);
    bool ok = mailbox.count < MAILBOX_SLOTS;
    if (ok)
        mailbox.slot[mailbox.count++] = it;
    pthread_mutex_unlock(&mailbox.lock);
    return ok;
}

static bool mailbox_take(struct item *it)
{
    pthread_mutex_lock(&mailbox.lock);
    bool ok = mailbox.count > 0;
    if (ok)
        *it = mailbox.slot[--mailbox.count];
    pthread_mutex_unlock(&mailbox.lock);
    return ok;
}

static void release(struct worker *w, struct item it)
{
    if (!pattern_intact(it.ptr, it.size))
        w->problems++;
    zslab_free_sized(w->z, it.ptr, it.size);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct item live[LOCAL_LIVE];
    int n = 0;
    for (int op = 0; op < OPS; op++) {
        uint64_t r = rng_next(&w->seed);
        struct item it;
        if (n < LOCAL_LIVE && (r % 100 < 55 || n == 0)) {
            it.size = 1 + (size_t)(r >> 32) % MAX_SIZE;
            it.ptr = zslab_alloc(w->z, it.size);
            if (!it.ptr) {
                w->problems++;
                continue;
            }
            pattern_fill(it.ptr, it.size);
            live[n++] = it;
        } else if (r % 100 < 65 && mailbox_take(&it)) {
            release(w, it); /* someone else's object */
        } else {
            int victim = (int)((r >> 20) % (uint64_t)n);
            it = live[victim];
            live[victim] = live[--n];
            if (r % 100 >= 90 || !mailbox_put(it))
                release(w, it);
        }
    }
    while (n > 0)
        release(w, live[--n]);
    return NULL;
}

static void threads_share_one_instance(void **state)
{
    (void)state;
    zslab_t *z = harness_instance();
    pthread_t t[THREADS];
    struct worker w[THREADS];
    harness_clear_messages();
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){z, UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(i + 1), 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    long problems = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        problems += w[i].problems;
    }
    struct item it;
    struct worker drain = {z, 0, 0};
    while (mailbox_take(&it))
        release(&drain, it);
    assert_int_equal(problems + drain.problems, 0);
    assert_int_equal(harness_message_count(), 0);
    zslab_counters_t k = harness_counters(z, ZSLAB_ALL_CLASSES);
    assert_int_equal(k.alloc_calls, k.free_calls);
    assert_int_equal(k.bytes_in_use.current, 0);
    assert_int_equal(k.current_partial_miss, 0);
    harness_assert_instance_valid(z);
    zslab_destroy(z);
}

int run_thread_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_share_one_instance),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
