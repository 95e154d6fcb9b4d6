/* SPDX-License-Identifier: MIT */
/*
 * stats.c - reading, resetting and merging the counters.  Every operation is
 * generated from ZSLAB_COUNTER_LIST (zslab.h), so a new counter is one line
 * there; the printer is in report/format.c.
 */
#include "internal.h"

static void snapshot_zero(zslab_counters_t *out)
{
#define ZERO_COUNTER(name, doc) out->name = 0;
#define ZERO_GAUGE(name, doc)                                                                      \
    out->name.current = 0;                                                                         \
    out->name.peak = 0;
    ZSLAB_COUNTER_LIST(ZERO_COUNTER, ZERO_GAUGE)
#undef ZERO_COUNTER
#undef ZERO_GAUGE
}

static void snapshot_add(zslab_counters_t *out, const zslab_stats_t *s)
{
#define ADD_COUNTER(name, doc) out->name += atomic_load_explicit(&s->name, memory_order_relaxed);
#define ADD_GAUGE(name, doc)                                                                       \
    out->name.current += atomic_load_explicit(&s->name.current, memory_order_relaxed);             \
    out->name.peak += atomic_load_explicit(&s->name.peak, memory_order_relaxed);
    ZSLAB_COUNTER_LIST(ADD_COUNTER, ADD_GAUGE)
#undef ADD_COUNTER
#undef ADD_GAUGE
}

/* Counters go to 0; a gauge keeps its current value, its peak drops to it.
 * The caller holds the lock that owns @stats. */
static void stats_reset(zslab_stats_t *s)
{
#define RESET_COUNTER(name, doc) atomic_store_explicit(&s->name, 0, memory_order_relaxed);
#define RESET_GAUGE(name, doc)                                                                     \
    atomic_store_explicit(&s->name.peak,                                                           \
                          atomic_load_explicit(&s->name.current, memory_order_relaxed),            \
                          memory_order_relaxed);
    ZSLAB_COUNTER_LIST(RESET_COUNTER, RESET_GAUGE)
#undef RESET_COUNTER
#undef RESET_GAUGE
}

void zslab_merge_counters(zslab_counters_t *into, const zslab_counters_t *from)
{
#define MERGE_COUNTER(name, doc) into->name += from->name;
#define MERGE_GAUGE(name, doc)                                                                     \
    into->name.current += from->name.current;                                                      \
    into->name.peak += from->name.peak;
    ZSLAB_COUNTER_LIST(MERGE_COUNTER, MERGE_GAUGE)
#undef MERGE_COUNTER
#undef MERGE_GAUGE
}

int zslab_get_counters(const zslab_t *z, int class_index, zslab_counters_t *out)
{
    if (!z || !out || class_index < ZSLAB_ALL_CLASSES || class_index >= ZSLAB_CLASS_COUNT)
        return ZSLAB_ERR_INVALID;
    snapshot_zero(out);
    if (class_index != ZSLAB_ALL_CLASSES) {
        snapshot_add(out, &z->classes[class_index].stats);
        return ZSLAB_OK;
    }
    snapshot_add(out, &z->stats);
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++)
        snapshot_add(out, &z->classes[i].stats);
    return ZSLAB_OK;
}

void zslab_reset_counters(zslab_t *z)
{
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++) {
        zslab_platform_lock_acquire(&z->classes[i].lock);
        stats_reset(&z->classes[i].stats);
        zslab_platform_lock_release(&z->classes[i].lock);
    }
    zslab_platform_lock_acquire(&z->chunk_lock);
    stats_reset(&z->stats);
    zslab_platform_lock_release(&z->chunk_lock);
}
