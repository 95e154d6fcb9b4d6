/* SPDX-License-Identifier: MIT */
/*
 * stats.c - reading, resetting and merging the counters.
 *
 * Nothing is counted on the fast paths beyond what they keep anyway (a
 * thread cache's pops and pushes, a bump count): each heap counts its slow
 * paths in its own raw counters, and a read sums every live heap, the shared
 * heap and the folded counts of exited ones, under heaps_lock (which a heap
 * takes to fold itself in at exit, so nothing is counted twice or lost).
 * bytes_in_use and slabs_in_use are derived from those sums; their peaks are
 * the highest values reads have seen.  Raw counts are never reset:
 * zslab_reset_counters() records a baseline that reads subtract.  The
 * instance-wide figures live in one zslab_stats_t per lock domain.  Every
 * public operation is generated from ZSLAB_COUNTER_LIST (zslab.h), so a new
 * counter is one line there; the printer is in report/format.c.
 */
#include "internal.h"

enum raw_index {
#define RAW_INDEX_(name) RAW_##name,
    ZSLAB_RAW_LIST(RAW_INDEX_)
#undef RAW_INDEX_
        RAW_COUNT
};

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

static void raw_add(uint64_t *into, const zslab_raw_t *raw)
{
#define RAW_ADD_(name) into[RAW_##name] += atomic_load_explicit(&raw->name, memory_order_relaxed);
    ZSLAB_RAW_LIST(RAW_ADD_)
#undef RAW_ADD_
}

static void heap_add(zslab_class_sum_t *sum, const zslab_heap_t *h, unsigned c)
{
    const zslab_tcache_t *tc = &h->tc[c];
    sum->allocs += atomic_load_explicit(&tc->allocs, memory_order_relaxed) +
                   atomic_load_explicit(&tc->bumped, memory_order_relaxed);
    sum->frees += atomic_load_explicit(&tc->frees, memory_order_relaxed);
    raw_add(sum->raw, &h->cls[c].raw);
}

/* Class @c summed over every heap, as raw counts; heaps_lock is held. */
static void class_sum(const zslab_t *z, unsigned c, zslab_class_sum_t *sum)
{
    sum->allocs = z->retired_allocs[c];
    sum->frees = z->retired_frees[c];
    for (unsigned i = 0; i < RAW_COUNT; i++)
        sum->raw[i] = 0;
    raw_add(sum->raw, &z->retired[c]);
    heap_add(sum, z->shared, c);
    for (const zslab_heap_t *h = z->heaps; h; h = h->next)
        heap_add(sum, h, c);
    sum->allocs += sum->raw[RAW_direct_allocs];
    sum->frees += sum->raw[RAW_remote_frees] - sum->raw[RAW_remote_rejected];
}

static uint64_t raise_peak(_Atomic uint64_t *peak, uint64_t value)
{
    uint64_t p = atomic_load_explicit(peak, memory_order_relaxed);
    while (p < value && !atomic_compare_exchange_weak_explicit(
                            peak, &p, value, memory_order_relaxed, memory_order_relaxed))
        ;
    return p > value ? p : value;
}

/* Fills the per-class fields of @out from @sum; raises the class's peaks. */
static void class_fill(zslab_t *z, unsigned c, const zslab_class_sum_t *sum, zslab_counters_t *out)
{
    const zslab_class_sum_t *b = &z->baseline[c];
#define D(i) (sum->raw[RAW_##i] - b->raw[RAW_##i])
    out->alloc_calls += sum->allocs - b->allocs;
    out->free_calls += sum->frees - b->frees;
    out->slow_path_hits += D(slow_path_hits);
    out->new_slab_count += D(new_slab_count);
    out->list_move_partial_to_full += D(p2f);
    out->list_move_full_to_partial += D(f2p);
    out->current_partial_miss += D(partial_miss);
    out->cache_hits += D(cache_hits);
    out->cache_misses += D(cache_misses);
    out->cache_pushes += D(cache_pushes);
    out->cross_class_reuses += D(cross_class);
    out->recycled_slabs += D(recycled);
    out->remote_frees += D(remote_frees) - D(remote_rejected);
#undef D
    /* A read racing a free in one thread and its allocation's count in
     * another may see the free first: no negative live counts. */
    uint64_t live = sum->allocs > sum->frees ? sum->allocs - sum->frees : 0;
    uint64_t bytes = live * _zslab_sizeclass_bytes(c);
    uint64_t slabs = sum->raw[RAW_new_slab_count] - sum->raw[RAW_cache_pushes];
    out->bytes_in_use.current += bytes;
    out->bytes_in_use.peak += raise_peak(&z->peaks[c].bytes_in_use, bytes);
    out->slabs_in_use.current += slabs;
    out->slabs_in_use.peak += raise_peak(&z->peaks[c].slabs_in_use, slabs);
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

int zslab_get_counters(const zslab_t *cz, int class_index, zslab_counters_t *out)
{
    if (!cz || !out || class_index < ZSLAB_ALL_CLASSES || class_index >= ZSLAB_CLASS_COUNT)
        return ZSLAB_ERR_INVALID;
    zslab_t *z = (zslab_t *)(uintptr_t)cz; /* the locks and peaks are mutable */
    zslab_class_sum_t sum;
    snapshot_zero(out);
    zslab_platform_lock_acquire(&z->heaps_lock);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        if (class_index != ZSLAB_ALL_CLASSES && (unsigned)class_index != c)
            continue;
        class_sum(z, c, &sum);
        class_fill(z, c, &sum, out);
    }
    zslab_platform_lock_release(&z->heaps_lock);
    if (class_index != ZSLAB_ALL_CLASSES)
        return ZSLAB_OK;
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++)
        snapshot_add(out, &z->nodes[i].stats);
    snapshot_add(out, &z->large_stats);
    snapshot_add(out, &z->registry_stats);
    snapshot_add(out, &z->heap_stats);
    snapshot_add(out, &z->misc_stats);
    return ZSLAB_OK;
}

void zslab_reset_counters(zslab_t *z)
{
    zslab_platform_lock_acquire(&z->heaps_lock);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        class_sum(z, c, &z->baseline[c]);
        const zslab_class_sum_t *b = &z->baseline[c];
        atomic_store_explicit(&z->peaks[c].bytes_in_use,
                              (b->allocs - b->frees) * _zslab_sizeclass_bytes(c),
                              memory_order_relaxed);
        atomic_store_explicit(&z->peaks[c].slabs_in_use,
                              b->raw[RAW_new_slab_count] - b->raw[RAW_cache_pushes],
                              memory_order_relaxed);
    }
    stats_reset(&z->heap_stats);
    zslab_platform_lock_release(&z->heaps_lock);
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++) {
        zslab_platform_lock_acquire(&z->nodes[i].lock);
        stats_reset(&z->nodes[i].stats);
        zslab_platform_lock_release(&z->nodes[i].lock);
    }
    zslab_platform_lock_acquire(&z->large_lock);
    stats_reset(&z->large_stats);
    zslab_platform_lock_release(&z->large_lock);
    zslab_platform_lock_acquire(&z->registry_lock);
    stats_reset(&z->registry_stats);
    zslab_platform_lock_release(&z->registry_lock);
    zslab_platform_lock_acquire(&z->stats_lock);
    stats_reset(&z->misc_stats);
    zslab_platform_lock_release(&z->stats_lock);
}

/* An exiting heap folds its counts into the instance's; heaps_lock held. */
void _zslab_stats_retire(zslab_t *z, zslab_heap_t *h)
{
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        zslab_class_sum_t one;
        one.allocs = one.frees = 0;
        for (unsigned i = 0; i < RAW_COUNT; i++)
            one.raw[i] = 0;
        heap_add(&one, h, c);
        z->retired_allocs[c] += one.allocs;
        z->retired_frees[c] += one.frees;
        zslab_raw_t *r = &z->retired[c];
#define RAW_FOLD_(name) _zslab_stat_add(&r->name, one.raw[RAW_##name]);
        ZSLAB_RAW_LIST(RAW_FOLD_)
#undef RAW_FOLD_
    }
}

void _zslab_stats_bad_free(zslab_t *z)
{
    zslab_platform_lock_acquire(&z->stats_lock);
    zslab_stat_inc(&z->misc_stats, bad_frees);
    zslab_platform_lock_release(&z->stats_lock);
}

void _zslab_stats_sample_peaks(zslab_t *z, unsigned c)
{
    zslab_class_sum_t sum;
    zslab_counters_t ignored;
    snapshot_zero(&ignored);
    zslab_platform_lock_acquire(&z->heaps_lock);
    class_sum(z, c, &sum);
    class_fill(z, c, &sum, &ignored);
    zslab_platform_lock_release(&z->heaps_lock);
}
