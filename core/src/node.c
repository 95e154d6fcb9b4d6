/* SPDX-License-Identifier: MIT */
/*
 * node.c - per-NUMA-node caches of empty slabs, with adaptive capacity and
 * time-based decay.
 *
 * A heap that needs a slab takes, in this order: the most recently emptied
 * dirty slab (pages resident; any class: it is reformatted, a cross-class
 * reuse when the class differs), a clean one (purged earlier), or a fresh
 * slab carved from the node's chunks.  A slab that empties comes back here
 * (recycling).  The cache keeps up to `capacity` dirty slabs: the capacity
 * doubles on a streak of ZSLAB_CACHE_GROW_STREAK misses (up to
 * cache_max_slabs) and halves after decay_ms without a miss (down to
 * class_cache_slabs).  Decay, run at most ZSLAB_DECAY_STEPS times per decay
 * period from the slow paths that take the node lock anyway, purges the
 * dirty slabs idle for decay_ms or beyond the capacity, oldest first and
 * address-adjacent ones in one call, then gives back every chunk whose slabs
 * are all free and clean (as jemalloc's decay, without a background thread:
 * an instance nobody calls does not decay until it is called, or trimmed).
 */
#include "internal.h"

void _zslab_node_init(zslab_t *z, zslab_node_t *node, uint32_t index)
{
    node->index = index;
    node->capacity = z->cfg.class_cache_slabs;
    node->ahead_slabs = 1;
    zslab_platform_lock_init(&node->lock);
}

zslab_node_t *_zslab_node_of(zslab_t *z, uint32_t node)
{
    return &z->nodes[node % ZSLAB_MAX_NODES];
}

static void grow_or_reset(zslab_t *z, zslab_node_t *node, bool hit, uint64_t now)
{
    if (hit) {
        node->miss_streak = 0;
        return;
    }
    node->last_miss_ns = now;
    if (++node->miss_streak < ZSLAB_CACHE_GROW_STREAK || node->capacity >= z->cfg.cache_max_slabs)
        return;
    node->miss_streak = 0;
    uint32_t grown = node->capacity ? node->capacity * 2 : 1;
    node->capacity =
        grown < z->cfg.cache_max_slabs && grown > node->capacity ? grown : z->cfg.cache_max_slabs;
    zslab_stat_inc(&node->stats, cache_grows);
}

/* What to prefault once the lock is dropped: [from, from + bytes). */
typedef struct prefault_range {
    uint8_t *from;
    size_t bytes;
} prefault_range_t;

/* The prefault policy for a slab about to serve a class of heap @h. */
static void plan_prefault(zslab_t *z, zslab_node_t *node, zslab_heap_t *h, unsigned class_index,
                          zslab_slab_t *slab, bool fresh_chunk, prefault_range_t *out)
{
    size_t slab_bytes = (size_t)1 << z->slab_shift;
    zslab_chunk_t *chunk = _zslab_chunk_of(z, slab);
    uint32_t index = _zslab_slab_index(z, slab);
    out->bytes = 0;
    if (z->cfg.prefault == ZSLAB_PREFAULT_NONE || h->shared)
        return;
    if (slab->purged) { /* a clean slab from the cache: back it again */
        if (z->cfg.prefault == ZSLAB_PREFAULT_CHUNK || h->cls[class_index].taken > 1) {
            out->from = _zslab_slab_start(z, slab);
            out->bytes = slab_bytes;
        }
        return;
    }
    if (slab->state != ZSLAB_SLAB_FREE || index < chunk->populated)
        return; /* dirty from the cache, or already backed */
    uint32_t end;
    if (z->cfg.prefault == ZSLAB_PREFAULT_CHUNK) {
        if (!fresh_chunk)
            return;
        end = z->slab_count;
    } else {
        /* AHEAD: a class's first slab is left to its first writes (a program
         * that stays small stays small); from its second on, slabs are
         * backed before they serve, in windows that double up to a chunk. */
        if (h->cls[class_index].taken < 2)
            return;
        end = index + node->ahead_slabs;
        if (end > z->slab_count)
            end = z->slab_count;
        if (node->ahead_slabs < z->data_slabs)
            node->ahead_slabs *= 2;
    }
    chunk->populated = (uint16_t)end;
    out->from = (uint8_t *)chunk + ((size_t)index << z->slab_shift);
    out->bytes = (size_t)(end - index) << z->slab_shift;
}

/* A slab for @class_index of heap @h (formatted by the caller), or NULL when
 * the platform has no memory.  Takes the node lock of h's node. */
zslab_slab_t *_zslab_node_take(zslab_t *z, zslab_heap_t *h, unsigned class_index)
{
    zslab_node_t *node = _zslab_node_of(z, h->node);
    zslab_heap_class_t *hc = &h->cls[class_index];
    prefault_range_t pf = {NULL, 0};
    bool fresh_chunk = false, hit = true;
    uint64_t now = zslab_platform_now_ns();
    zslab_platform_lock_acquire(&node->lock);
    zslab_slab_t *slab = _zslab_list_pop(&node->dirty);
    if (!slab)
        slab = _zslab_list_pop(&node->clean);
    if (slab) {
        _zslab_chunk_of(z, slab)->free_slabs--;
        zslab_raw_inc(&hc->raw, cache_hits);
        if (slab->class_index != class_index)
            zslab_raw_inc(&hc->raw, cross_class);
    } else {
        hit = false;
        slab = _zslab_chunk_carve(z, node, &fresh_chunk);
        if (slab)
            zslab_raw_inc(&hc->raw, cache_misses);
    }
    grow_or_reset(z, node, hit, now);
    if (slab) {
        if (hc->taken < UINT32_MAX)
            hc->taken++;
        plan_prefault(z, node, h, class_index, slab, fresh_chunk, &pf);
        slab->purged = 0;
        slab->state = ZSLAB_SLAB_FREE;
    }
    (void)_zslab_node_decay(z, node, now, false);
    zslab_platform_lock_release(&node->lock);
    if (pf.bytes)
        zslab_platform_prefault(pf.from, pf.bytes);
    return slab;
}

/* @slab is empty and leaves its owner; the node lock is held. */
void _zslab_node_put_locked(zslab_t *z, zslab_node_t *node, zslab_slab_t *slab)
{
    zslab_assert(slab->used == 0);
    _zslab_slab_reset(slab);
    atomic_store_explicit(&slab->owner, ZSLAB_OWNER_NONE, memory_order_release);
    zslab_chunk_t *chunk = _zslab_chunk_of(z, slab);
    slab->empty_since_ms = _zslab_now_ms();
    _zslab_list_push(&node->dirty, slab, ZSLAB_SLAB_DIRTY);
    chunk->free_slabs++;
    chunk->put_ms = slab->empty_since_ms;
}

void _zslab_node_put(zslab_t *z, zslab_slab_t *slab)
{
    zslab_node_t *node = _zslab_node_of(z, _zslab_chunk_of(z, slab)->node);
    uint64_t now = zslab_platform_now_ns();
    zslab_platform_lock_acquire(&node->lock);
    _zslab_node_put_locked(z, node, slab);
    (void)_zslab_node_decay(z, node, now, false);
    zslab_platform_lock_release(&node->lock);
}

/* Several slabs at once: one lock per run of slabs of one node, one clock
 * read, one decay check. */
void _zslab_node_put_batch(zslab_t *z, zslab_slab_t *const *slabs, uint32_t n)
{
    uint64_t now = zslab_platform_now_ns();
    uint32_t i = 0;
    while (i < n) {
        zslab_node_t *node = _zslab_node_of(z, _zslab_chunk_of(z, slabs[i])->node);
        zslab_platform_lock_acquire(&node->lock);
        for (; i < n && _zslab_node_of(z, _zslab_chunk_of(z, slabs[i])->node) == node; i++)
            _zslab_node_put_locked(z, node, slabs[i]);
        (void)_zslab_node_decay(z, node, now, false);
        zslab_platform_lock_release(&node->lock);
    }
}

/* A thread that reuses its own emptied slabs takes no node lock: it calls
 * this at each new slab, so decay still runs on time. */
/* A decay step is due: a backlog is left, or a step's time has passed since
 * the last (read without the node lock too, by _zslab_node_maybe_decay()). */
static bool decay_step_due(const zslab_t *z, const zslab_node_t *node, uint64_t now_ns)
{
    uint64_t period = (uint64_t)z->cfg.decay_ms * ZSLAB_NS_PER_MS;
    return atomic_load_explicit(&node->decay_backlog, memory_order_relaxed) ||
           now_ns - atomic_load_explicit(&node->last_decay_ns, memory_order_relaxed) >=
               period / ZSLAB_DECAY_STEPS;
}

void _zslab_node_maybe_decay(zslab_t *z, uint32_t index)
{
    zslab_node_t *node = _zslab_node_of(z, index);
    uint64_t now = zslab_platform_now_ns();
    if (!decay_step_due(z, node, now))
        return;
    zslab_platform_lock_acquire(&node->lock);
    (void)_zslab_node_decay(z, node, now, false);
    zslab_platform_lock_release(&node->lock);
}

/* Purges of address-adjacent slabs merged into one platform call. */
typedef struct purge_run {
    uint8_t *from, *to;
} purge_run_t;

static void run_flush(purge_run_t *run)
{
    if (run->to > run->from)
        zslab_platform_purge(run->from, (size_t)(run->to - run->from));
    run->from = run->to = NULL;
}

static void run_add(purge_run_t *run, uint8_t *from, size_t bytes)
{
    if (run->to == from) {
        run->to += bytes;
        return;
    }
    if (from + bytes == run->from) {
        run->from = from;
        return;
    }
    run_flush(run);
    run->from = from;
    run->to = from + bytes;
}

/* Dirty slabs idle for decay_ms, or beyond the capacity (all of them for
 * @all), oldest first, become clean: while *@budget (bytes) lasts, unless
 * @all.  Sets *@more when it stopped at the budget with slabs left to purge. */
static size_t purge_dirty(zslab_t *z, zslab_node_t *node, bool all, uint32_t now_ms, size_t *budget,
                          bool *more)
{
    size_t slab_bytes = (size_t)1 << z->slab_shift, released = 0;
    purge_run_t run = {NULL, NULL};
    zslab_slab_t *s = node->dirty.tail;
    while (s) {
        zslab_slab_t *prev = s->prev;
        bool old = (uint32_t)(now_ms - s->empty_since_ms) >= z->cfg.decay_ms;
        if (!all && !old && node->dirty.count <= node->capacity)
            break;
        if (!all && released >= *budget) {
            *more = true;
            break;
        }
        _zslab_list_remove(&node->dirty, s);
        _zslab_list_push(&node->clean, s, ZSLAB_SLAB_CLEAN);
        s->purged = 1;
        run_add(&run, _zslab_slab_start(z, s), slab_bytes);
        released += slab_bytes;
        s = prev;
    }
    run_flush(&run);
    *budget = released < *budget ? *budget - released : 0;
    return released;
}

/* No slab of @chunk (all of whose slabs are free) went to the node cache in
 * the last decay_ms: none of its dirty slabs is younger.  O(1), so a decay
 * step reads a chunk header per chunk, not every descriptor. */
static bool all_idle(const zslab_t *z, const zslab_chunk_t *chunk, uint32_t now_ms)
{
    return (uint32_t)(now_ms - chunk->put_ms) >= z->cfg.decay_ms;
}

/* Gives back the free chunks of @node idle for decay_ms (every free one for
 * @all) while *@budget lasts (unless @all); sets *@more when one is left. */
static void give_back_chunks(zslab_t *z, zslab_node_t *node, bool all, uint32_t now_ms,
                             size_t *budget, bool *more)
{
    size_t chunk_bytes = (size_t)1 << z->chunk_shift;
    for (zslab_chunk_t *c = node->chunks, *next; c; c = next) {
        next = c->next;
        if (c->free_slabs != z->data_slabs || !(all || all_idle(z, c, now_ms)))
            continue;
        if (!all && *budget == 0) {
            *more = true;
            return;
        }
        _zslab_chunk_give_back(z, node, c);
        *budget = *budget > chunk_bytes ? *budget - chunk_bytes : 0;
    }
}

/* One decay step (at most ZSLAB_DECAY_STEPS per decay period, and about
 * ZSLAB_DECAY_STEP_BYTES of work, unless @all, as for zslab_trim(): then
 * everything cached goes).  A step that stopped at its budget leaves
 * decay_backlog set, and the next call runs the next step at once.  The node
 * lock is held.  Returns bytes released. */
size_t _zslab_node_decay(zslab_t *z, zslab_node_t *node, uint64_t now_ns, bool all)
{
    uint64_t period = (uint64_t)z->cfg.decay_ms * ZSLAB_NS_PER_MS;
    if (!all && !decay_step_due(z, node, now_ns))
        return 0;
    atomic_store_explicit(&node->last_decay_ns, now_ns, memory_order_relaxed);
    if (!all && now_ns - node->last_miss_ns >= period &&
        node->capacity > z->cfg.class_cache_slabs) {
        node->capacity /= 2;
        if (node->capacity < z->cfg.class_cache_slabs)
            node->capacity = z->cfg.class_cache_slabs;
        node->last_miss_ns = now_ns;
        zslab_stat_inc(&node->stats, cache_shrinks);
    }
    uint64_t before = atomic_load_explicit(&node->stats.bytes_released, memory_order_relaxed);
    /* Whole free chunks first, each in one purge, then what is left of the
     * idle or excess dirty slabs, then chunks that those purges freed. */
    uint32_t now_ms = (uint32_t)(now_ns / ZSLAB_NS_PER_MS);
    size_t released = 0, budget = ZSLAB_DECAY_STEP_BYTES;
    bool more = false;
    give_back_chunks(z, node, all, now_ms, &budget, &more);
    released += purge_dirty(z, node, all, now_ms, &budget, &more);
    give_back_chunks(z, node, all, now_ms, &budget, &more);
    atomic_store_explicit(&node->decay_backlog, more, memory_order_relaxed);
    _zslab_stat_add(&node->stats.bytes_released, released);
    return (size_t)(atomic_load_explicit(&node->stats.bytes_released, memory_order_relaxed) -
                    before);
}
