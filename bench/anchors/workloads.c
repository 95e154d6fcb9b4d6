/* SPDX-License-Identifier: MIT */
/*
 * workloads.c - the one-thread workloads of issue 8:
 *   seed   objects x 128 B allocated and kept, then freed in the same order;
 *   churn  live x 128 B allocated (not measured), then pairs random
 *          free+alloc pairs on that live set (measured), then freed;
 *   mixed  objects allocations of sizes uniform in {16, 32, ..., 2048},
 *          then freed in a random order.
 * Every random choice is drawn before the measured part, from --seed, into
 * harness memory, so every allocator gets the same sequence.
 */
#include "ops.h"

ALWAYS_INLINE void seed_body(enum mode m, const struct params *p, const struct calls *c,
                             struct recorder *r, struct timing *t, void **objs)
{
    t->start_ns = now_ns();
    for (size_t i = 0; i < p->objects; i++)
        objs[i] = op_alloc(m, c, r, ANCHORS_OBJECT_BYTES);
    for (size_t i = 0; i < p->objects; i++)
        op_free(m, c, r, objs[i], ANCHORS_OBJECT_BYTES);
    t->end_ns = now_ns();
}

void workload_seed(const struct params *p, const struct calls *c, struct recorder *r,
                   struct timing *t)
{
    void **objs = harness_array(p->objects * sizeof(*objs));
    attr_start(&r->attr);
    DISPATCH_MODE(p->mode, seed_body, p, c, r, t, objs);
    t->ops = 2 * p->objects;
    harness_array_free(objs, p->objects * sizeof(*objs));
}

ALWAYS_INLINE void churn_body(enum mode m, const struct params *p, const struct calls *c,
                              struct recorder *r, struct timing *t, void **objs,
                              const uint32_t *slot)
{
    t->start_ns = now_ns();
    for (size_t i = 0; i < p->pairs; i++) {
        void **o = &objs[slot[i]];
        op_free(m, c, r, *o, ANCHORS_OBJECT_BYTES);
        *o = op_alloc(m, c, r, ANCHORS_OBJECT_BYTES);
    }
    t->end_ns = now_ns();
}

void workload_churn(const struct params *p, const struct calls *c, struct recorder *r,
                    struct timing *t)
{
    void **objs = harness_array(p->live * sizeof(*objs));
    uint32_t *slot = random_slots(p->pairs, p->live, p->seed);
    for (size_t i = 0; i < p->live; i++)
        objs[i] = op_alloc(MODE_THROUGHPUT, c, r, ANCHORS_OBJECT_BYTES);
    attr_start(&r->attr);
    DISPATCH_MODE(p->mode, churn_body, p, c, r, t, objs, slot);
    t->ops = 2 * p->pairs;
    for (size_t i = 0; i < p->live; i++)
        op_free(MODE_THROUGHPUT, c, r, objs[i], ANCHORS_OBJECT_BYTES);
    harness_array_free(slot, p->pairs * sizeof(*slot));
    harness_array_free(objs, p->live * sizeof(*objs));
}

ALWAYS_INLINE void mixed_body(enum mode m, const struct params *p, const struct calls *c,
                              struct recorder *r, struct timing *t, void **objs,
                              const uint32_t *size, const uint32_t *order)
{
    t->start_ns = now_ns();
    for (size_t i = 0; i < p->objects; i++)
        objs[i] = op_alloc(m, c, r, size[i]);
    for (size_t i = 0; i < p->objects; i++)
        op_free(m, c, r, objs[order[i]], size[order[i]]);
    t->end_ns = now_ns();
}

void workload_mixed(const struct params *p, const struct calls *c, struct recorder *r,
                    struct timing *t)
{
    size_t n = p->objects;
    uint64_t rng = p->seed;
    void **objs = harness_array(n * sizeof(*objs));
    uint32_t *size = harness_array(n * sizeof(*size));
    uint32_t *order = harness_array(n * sizeof(*order));
    for (size_t i = 0; i < n; i++) {
        size[i] = (uint32_t)(ANCHORS_MIXED_STEP_BYTES * (1 + rng_next(&rng) % ANCHORS_MIXED_STEPS));
        order[i] = (uint32_t)i;
    }
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(rng_next(&rng) % i);
        uint32_t swap = order[i - 1];
        order[i - 1] = order[j];
        order[j] = swap;
    }
    attr_start(&r->attr);
    DISPATCH_MODE(p->mode, mixed_body, p, c, r, t, objs, size, order);
    t->ops = 2 * n;
    harness_array_free(order, n * sizeof(*order));
    harness_array_free(size, n * sizeof(*size));
    harness_array_free(objs, n * sizeof(*objs));
}
