/* SPDX-License-Identifier: MIT */
/*
 * test_threads.c - several threads on one store: puts, gets, deletes and
 * flushes at once (group commit on), with reclaim running under them; what
 * each thread acknowledged comes back after a reopen.  TSan-clean by design:
 * the model's ops lock, the store locks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define THREADS 4u
#define PER     600u
#define ROUNDS  3u

struct worker {
    unsigned n;
    uint64_t base;
    int err;
    char what[128];
};

static size_t size_of(uint64_t id, uint32_t round)
{
    return 100 + (id * 37 + round * 11) % 3500;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    uint8_t buf[4096], back[4096];
    for (uint32_t round = 0; round < ROUNDS && !w->err; round++) {
        for (uint64_t i = 0; i < PER && !w->err; i++) {
            uint64_t id = w->base + i;
            size_t len = size_of(id, round);
            fill_object(buf, id, round, len);
            int err = zslab_store_put(rig.s, id, buf, len);
            if (err) {
                w->err = err;
                snprintf(w->what, sizeof(w->what), "put %llu: %s", (unsigned long long)id,
                         zslab_store_last_error(rig.s));
                break;
            }
            if (i % 50 == 49 && (err = zslab_store_flush(rig.s))) {
                w->err = err;
                snprintf(w->what, sizeof(w->what), "flush: %s", zslab_store_last_error(rig.s));
            }
            uint64_t probe = w->base + (i * 7) % (i + 1);
            size_t n = 0;
            err = zslab_store_get(rig.s, probe, back, sizeof(back), &n);
            fill_object(buf, probe, round, size_of(probe, round));
            if (err || n != size_of(probe, round) || memcmp(back, buf, n) != 0) {
                w->err = err ? err : -1;
                snprintf(w->what, sizeof(w->what), "get %llu in round %u: %d",
                         (unsigned long long)probe, round, err);
            }
        }
        /* every third id goes, and comes back in the next round */
        for (uint64_t i = 0; i < PER && !w->err; i += 3)
            if (zslab_store_delete(rig.s, w->base + i) != 0)
                w->err = -2;
    }
    if (!w->err)
        w->err = zslab_store_flush(rig.s);
    return NULL;
}

static void share(const struct zslab_zdev_ops *ops)
{
    struct geo g = geo_default();
    g.nr_zones = 12;
    rig_device(&g);
    rig.cfg.ops = ops;
    rig.cfg.group_commit = true;
    rig_open();
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.n = i, .base = (uint64_t)i << 32, .err = 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        if (w[i].err)
            fail_msg("thread %u: %d %s", i, w[i].err, w[i].what);
    }
    zslab_store_counters_t c = counters();
    print_message("threads: %llu appends, %llu flushes, %llu group commit joins, %llu resets\n",
                  (unsigned long long)c.device_appends, (unsigned long long)c.device_flushes,
                  (unsigned long long)c.group_commit_joins, (unsigned long long)c.zone_resets);
    assert_true(c.zone_resets > 0);
    assert_int_equal(rig.m.limit_statuses, 0);
    rig_close(true);
    rig_open();
    for (unsigned k = 0; k < THREADS; k++)
        for (uint64_t i = 0; i < PER; i++) {
            uint64_t id = ((uint64_t)k << 32) + i;
            if (i % 3 == 0)
                expect_missing(id);
            else
                expect_object(id, ROUNDS - 1, size_of(id, ROUNDS - 1));
        }
}

static void threads_share_the_store_and_its_head_zone(void **state)
{
    (void)state;
    share(&zdev_model_ops);
}

/* The same with appends started by one thread and completed by another. */
static void threads_share_it_with_async_appends(void **state)
{
    (void)state;
    share(&zdev_model_async_ops);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(threads_share_the_store_and_its_head_zone, rig_teardown),
        cmocka_unit_test_teardown(threads_share_it_with_async_appends, rig_teardown),
    };
    return cmocka_run_group_tests_name("store threads", tests, NULL, NULL);
}
