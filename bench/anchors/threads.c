/* SPDX-License-Identifier: MIT */
/*
 * threads.c - the workloads with threads:
 *   cross-thread  a producer allocates objects x 128 B (and writes each), a
 *                 consumer frees them, through a single-producer
 *                 single-consumer ring of ANCHORS_RING_SLOTS pointers;
 *   scaling       --threads threads, each on its own churn (live objects,
 *                 then pairs free+alloc pairs), started together; the
 *                 driver compares 2 threads with 1.
 * Every thread is a new one (never the main thread), so 1 and 2 threads
 * meet the allocator the same way.  A thread that waits spins a little,
 * then yields: the machine may have fewer free CPUs than threads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "ops.h"

#define CACHE_LINE_BYTES   64
#define SPINS_BEFORE_YIELD 64
#define MAX_THREADS        64

struct ring {
    _Alignas(CACHE_LINE_BYTES) atomic_size_t head; /* written by the producer */
    _Alignas(CACHE_LINE_BYTES) atomic_size_t tail; /* written by the consumer */
    _Alignas(CACHE_LINE_BYTES) void *slot[ANCHORS_RING_SLOTS];
};

struct xthread {
    const struct params *p;
    const struct calls *c;
    struct recorder *rec;
    struct ring *ring;
    pthread_barrier_t *go;
    double start_ns, end_ns;
};

static void wait_a_little(unsigned *spins)
{
    if (++*spins >= SPINS_BEFORE_YIELD) {
        *spins = 0;
        sched_yield();
    }
}

ALWAYS_INLINE void produce(enum mode m, struct xthread *x, struct ring *ring)
{
    size_t tail = 0;
    for (size_t i = 0; i < x->p->objects; i++) {
        void *obj = op_alloc(m, x->c, x->rec, ANCHORS_OBJECT_BYTES);
        unsigned spins = 0;
        while (i - tail >= ANCHORS_RING_SLOTS) {
            tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
            if (i - tail >= ANCHORS_RING_SLOTS)
                wait_a_little(&spins);
        }
        ring->slot[i % ANCHORS_RING_SLOTS] = obj;
        atomic_store_explicit(&ring->head, i + 1, memory_order_release);
    }
}

ALWAYS_INLINE void consume(enum mode m, struct xthread *x, struct ring *ring)
{
    size_t head = 0;
    for (size_t i = 0; i < x->p->objects; i++) {
        unsigned spins = 0;
        while (i == head) {
            head = atomic_load_explicit(&ring->head, memory_order_acquire);
            if (i == head)
                wait_a_little(&spins);
        }
        void *obj = ring->slot[i % ANCHORS_RING_SLOTS];
        atomic_store_explicit(&ring->tail, i + 1, memory_order_release);
        op_free(m, x->c, x->rec, obj, ANCHORS_OBJECT_BYTES);
    }
}

static void *producer(void *arg)
{
    struct xthread *x = arg;
    pthread_barrier_wait(x->go);
    x->start_ns = now_ns();
    DISPATCH_MODE(x->p->mode, produce, x, x->ring);
    x->end_ns = now_ns();
    return NULL;
}

static void *consumer(void *arg)
{
    struct xthread *x = arg;
    pthread_barrier_wait(x->go);
    x->start_ns = now_ns();
    DISPATCH_MODE(x->p->mode, consume, x, x->ring);
    x->end_ns = now_ns();
    return NULL;
}

static void start_threads(pthread_t *tid, size_t n, void *(*fn[])(void *), void *arg,
                          size_t arg_bytes)
{
    for (size_t i = 0; i < n; i++) {
        int rc = pthread_create(&tid[i], NULL, fn[i], (char *)arg + i * arg_bytes);
        if (rc)
            die("pthread_create: %s", strerror(rc));
    }
}

static void join_threads(const pthread_t *tid, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pthread_join(tid[i], NULL);
}

void workload_cross_thread(const struct params *p, const struct calls *c,
                           struct recorder *const *recs, struct timing *t)
{
    struct ring *ring = harness_array(sizeof(*ring));
    pthread_barrier_t go;
    pthread_t tid[2];
    void *(*fn[2])(void *) = {producer, consumer};
    struct xthread x[2];
    pthread_barrier_init(&go, NULL, 2);
    for (int i = 0; i < 2; i++)
        x[i] = (struct xthread){.p = p, .c = c, .rec = recs[i], .ring = ring, .go = &go};
    start_threads(tid, 2, fn, x, sizeof(x[0]));
    join_threads(tid, 2);
    pthread_barrier_destroy(&go);
    t->start_ns = x[0].start_ns < x[1].start_ns ? x[0].start_ns : x[1].start_ns;
    t->end_ns = x[0].end_ns > x[1].end_ns ? x[0].end_ns : x[1].end_ns;
    t->ops = 2 * p->objects;
    harness_array_free(ring, sizeof(*ring));
}

struct worker {
    const struct params *p;
    const struct calls *c;
    const uint32_t *slot;
    pthread_barrier_t *go;
    double start_ns, end_ns;
    double cpu_ns; /* the thread's CPU time over its pairs */
};

/* One thread's churn; only the pairs are measured, between two barriers. */
static void *churn_worker(void *arg)
{
    struct worker *w = arg;
    const struct calls *c = w->c;
    size_t live = w->p->live;
    void **objs = harness_array(live * sizeof(*objs));
    for (size_t i = 0; i < live; i++)
        objs[i] = op_alloc(MODE_THROUGHPUT, c, NULL, ANCHORS_OBJECT_BYTES);
    pthread_barrier_wait(w->go);
    double cpu0 = thread_cpu_ns();
    w->start_ns = now_ns();
    for (size_t i = 0; i < w->p->pairs; i++) {
        void **o = &objs[w->slot[i]];
        op_free(MODE_THROUGHPUT, c, NULL, *o, ANCHORS_OBJECT_BYTES);
        *o = op_alloc(MODE_THROUGHPUT, c, NULL, ANCHORS_OBJECT_BYTES);
    }
    w->end_ns = now_ns();
    w->cpu_ns = thread_cpu_ns() - cpu0;
    pthread_barrier_wait(w->go);
    for (size_t i = 0; i < live; i++)
        op_free(MODE_THROUGHPUT, c, NULL, objs[i], ANCHORS_OBJECT_BYTES);
    harness_array_free(objs, live * sizeof(*objs));
    return NULL;
}

void workload_scaling(const struct params *p, const struct calls *c, struct timing *t)
{
    size_t n = p->threads;
    pthread_t tid[MAX_THREADS];
    void *(*fn[MAX_THREADS])(void *);
    struct worker w[MAX_THREADS];
    pthread_barrier_t go;
    if (n < 1 || n > MAX_THREADS)
        die("--threads %zu: must be 1 to %d", n, MAX_THREADS);
    uint32_t *slot = random_slots(p->pairs, p->live, p->seed);
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        fn[i] = churn_worker;
        w[i] = (struct worker){.p = p, .c = c, .slot = slot, .go = &go};
    }
    double steal0 = machine_steal_ns();
    start_threads(tid, n, fn, w, sizeof(w[0]));
    join_threads(tid, n);
    t->steal_ns = machine_steal_ns() - steal0; /* setup included: the threads' own too */
    pthread_barrier_destroy(&go);
    t->start_ns = w[0].start_ns;
    t->end_ns = w[0].end_ns;
    for (size_t i = 0; i < n; i++) {
        t->start_ns = w[i].start_ns < t->start_ns ? w[i].start_ns : t->start_ns;
        t->end_ns = w[i].end_ns > t->end_ns ? w[i].end_ns : t->end_ns;
        t->cpu_ns += w[i].cpu_ns;
    }
    t->ops = 2 * p->pairs * n;
    harness_array_free(slot, p->pairs * sizeof(*slot));
}
