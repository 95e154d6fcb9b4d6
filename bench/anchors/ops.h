/* SPDX-License-Identifier: MIT */
/*
 * ops.h - one allocation and one free, as every workload makes them.
 *
 * The functions are always inlined with a constant mode (DISPATCH_MODE), so
 * each loop is compiled three times (measure.h's MODE_*) and the throughput
 * loop carries no timer and no branch on the mode.  An allocation is followed by the
 * caller's first write to the object (one byte at its start): timed on its
 * own in the latency modes, part of the loop in throughput mode.  The write
 * is a store: a page fault it takes is inside its timing, a cache miss may
 * still be draining from the store buffer when the timer stops.
 */
#ifndef ZSLAB_BENCH_ANCHORS_OPS_H
#define ZSLAB_BENCH_ANCHORS_OPS_H

#include "measure.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define UNLIKELY(x)   __builtin_expect(!!(x), 0)

ALWAYS_INLINE void *op_alloc(enum mode m, const struct calls *c, struct recorder *r, size_t size)
{
    if (m == MODE_THROUGHPUT) {
        char *p = c->alloc(size);
        if (UNLIKELY(!p))
            out_of_memory(size);
        *(volatile char *)p = 1;
        return p;
    }
    size_t k = r->n[OP_ALLOC];
    uint64_t t0 = tsc_begin();
    char *p = c->alloc(size);
    uint64_t t1 = tsc_end();
    if (m == MODE_ATTRIBUTE)
        r->moved[OP_ALLOC][k] = attr_step(&r->attr);
    if (UNLIKELY(!p))
        out_of_memory(size);
    uint64_t t2 = tsc_begin();
    *(volatile char *)p = 1;
    uint64_t t3 = tsc_end();
    if (m == MODE_ATTRIBUTE)
        r->moved[OP_TOUCH][k] = attr_step(&r->attr);
    r->ticks[OP_ALLOC][k] = t1 - t0;
    r->ticks[OP_TOUCH][k] = t3 - t2;
    r->n[OP_ALLOC] = r->n[OP_TOUCH] = k + 1;
    return p;
}

ALWAYS_INLINE void op_free(enum mode m, const struct calls *c, struct recorder *r, void *ptr,
                           size_t size)
{
    if (m == MODE_THROUGHPUT) {
        c->free(ptr, size);
        return;
    }
    size_t k = r->n[OP_FREE];
    uint64_t t0 = tsc_begin();
    c->free(ptr, size);
    uint64_t t1 = tsc_end();
    if (m == MODE_ATTRIBUTE)
        r->moved[OP_FREE][k] = attr_step(&r->attr);
    r->ticks[OP_FREE][k] = t1 - t0;
    r->n[OP_FREE] = k + 1;
}

/* Calls BODY(mode, ...), an ALWAYS_INLINE function, with the mode as a
 * constant: one specialised copy of the loop per mode. */
#define DISPATCH_MODE(mode, BODY, ...)                                                             \
    do {                                                                                           \
        switch (mode) {                                                                            \
        case MODE_LATENCY:                                                                         \
            BODY(MODE_LATENCY, __VA_ARGS__);                                                       \
            break;                                                                                 \
        case MODE_ATTRIBUTE:                                                                       \
            BODY(MODE_ATTRIBUTE, __VA_ARGS__);                                                     \
            break;                                                                                 \
        case MODE_THROUGHPUT:                                                                      \
            BODY(MODE_THROUGHPUT, __VA_ARGS__);                                                    \
            break;                                                                                 \
        }                                                                                          \
    } while (0)

#endif /* ZSLAB_BENCH_ANCHORS_OPS_H */
