/* SPDX-License-Identifier: MIT */
/*
 * refill.c - the slow paths of one heap: what alloc does when the thread
 * cache and the bump range are empty, what free does when the thread cache is
 * full, and how a slab moves between a heap's lists.
 *
 * The heap is the calling thread's own (no lock), or the shared heap with
 * shared_lock held.  Phase 1.5's rules, kept: a slab moves PARTIAL -> FULL
 * when all its objects are out (bumped, or moved to the thread cache) and
 * back when one returns; a slow path is an allocation that found no slab
 * with room and takes exactly one new slab.  A slab that empties stays as the
 * class's spare while the heap has fewer than spare_slabs (so an alloc/free
 * pair at a slab boundary does not bounce a slab through the node cache),
 * and otherwise goes back to the node cache (recycling).
 */
#include "internal.h"

static uint32_t class_bytes(const zslab_slab_t *slab)
{
    return _zslab_sizeclass_bytes(slab->class_index);
}

/* The bump range of @h's class becomes @slab's fresh objects. */
static void activate(zslab_t *z, zslab_heap_t *h, unsigned c, zslab_slab_t *slab)
{
    zslab_tcache_t *tc = &h->tc[c];
    uint32_t remaining = slab->capacity - slab->bumped;
    uintptr_t size = class_bytes(slab);
    uint64_t i = atomic_load_explicit(&tc->bumped, memory_order_relaxed);
    slab->used += remaining; /* counted out now, given back at deactivation */
    slab->state = ZSLAB_SLAB_ACTIVE;
    h->cls[c].active = slab;
    tc->bump_origin = (uintptr_t)_zslab_slab_start(z, slab) + (uintptr_t)slab->bumped * size -
                      (uintptr_t)i * size;
    tc->bump_limit = i + remaining;
}

static void emptied(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab)
{
    zslab_heap_class_t *hc = &h->cls[slab->class_index];
    _zslab_slab_reset(slab);
    if (!h->shared && hc->spares < z->cfg.spare_slabs) {
        hc->spares++;
        return;
    }
    _zslab_list_remove(&hc->partial, slab);
    zslab_raw_inc(&hc->raw, recycled);
    zslab_raw_inc(&hc->raw, cache_pushes);
    if (h->shared) {
        _zslab_node_put(z, slab);
        return;
    }
    /* A front of the node cache, private to the thread: handed over in a
     * batch, so one free in ZSLAB_RELEASE_BATCH empties pays the lock. */
    slab->state = ZSLAB_SLAB_DIRTY;
    h->releasing[h->releasing_count++] = slab;
    if (h->releasing_count == ZSLAB_RELEASE_BATCH)
        _zslab_refill_release_flush(z, h);
}

/* The slabs on their way to the node cache go now. */
void _zslab_refill_release_flush(zslab_t *z, zslab_heap_t *h)
{
    if (!h->releasing_count)
        return;
    _zslab_node_put_batch(z, h->releasing, h->releasing_count);
    h->releasing_count = 0;
}

/* A slab for class @c from the thread's own batch on its way to the node
 * cache: a cache hit, reformatted when its class differs. */
static zslab_slab_t *take_releasing(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    if (!h->releasing_count)
        return NULL;
    zslab_slab_t *slab = h->releasing[h->releasing_count - 1];
    if (_zslab_node_of(z, _zslab_chunk_of(z, slab)->node) != _zslab_node_of(z, h->node))
        return NULL; /* the thread moved to another node: memory from there */
    h->releasing_count--;
    zslab_raw_inc(&h->cls[c].raw, cache_hits);
    if (slab->class_index != c)
        zslab_raw_inc(&h->cls[c].raw, cross_class);
    _zslab_slab_reset(slab);
    slab->state = ZSLAB_SLAB_FREE;
    return slab;
}

/* @n objects came back to @slab (already on its free list). */
void _zslab_refill_slab_gained(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, uint32_t n)
{
    zslab_heap_class_t *hc = &h->cls[slab->class_index];
    if (n == 0 || slab->state == ZSLAB_SLAB_ACTIVE)
        return;
    if (slab->state == ZSLAB_SLAB_FULL) {
        _zslab_list_remove(&hc->full, slab);
        _zslab_list_push(&hc->partial, slab, ZSLAB_SLAB_PARTIAL);
        zslab_raw_inc(&hc->raw, f2p);
    }
    if (slab->used == 0)
        emptied(z, h, slab);
    zslab_assert_expensive(_zslab_slab_is_valid(z, slab));
}

/* The active slab stops serving the bump range: its unbumped objects are
 * given back, and it goes where its state says. */
void _zslab_refill_deactivate(zslab_heap_t *h, unsigned c)
{
    zslab_heap_class_t *hc = &h->cls[c];
    zslab_tcache_t *tc = &h->tc[c];
    zslab_slab_t *slab = hc->active;
    if (!slab)
        return;
    uint32_t remaining =
        (uint32_t)(tc->bump_limit - atomic_load_explicit(&tc->bumped, memory_order_relaxed));
    slab->bumped = slab->capacity - remaining;
    slab->used -= remaining;
    tc->bump_limit = atomic_load_explicit(&tc->bumped, memory_order_relaxed);
    hc->active = NULL;
    slab->state = ZSLAB_SLAB_PARTIAL;
    zslab_assert_expensive(_zslab_slab_is_valid(h->z, slab));
    if (slab->used == 0) {
        _zslab_list_push(&hc->partial, slab, ZSLAB_SLAB_PARTIAL);
        emptied(h->z, h, slab);
    } else if (slab->free || slab->bumped < slab->capacity) {
        _zslab_list_push(&hc->partial, slab, ZSLAB_SLAB_PARTIAL);
    } else {
        _zslab_list_push(&hc->full, slab, ZSLAB_SLAB_FULL);
        zslab_raw_inc(&hc->raw, p2f);
    }
}

static void *bump(zslab_t *z, zslab_tcache_t *tc)
{
    uint64_t i = atomic_load_explicit(&tc->bumped, memory_order_relaxed);
    atomic_store_explicit(&tc->bumped, i + 1, memory_order_relaxed);
    void *p = (void *)(tc->bump_origin + (uintptr_t)i * tc->object_bytes);
    _zslab_live_set(z, p);
    return p;
}

/* The whole free list of @slab moves into the (empty) thread cache. */
static void *take_free_list(zslab_t *z, zslab_heap_t *h, unsigned c, zslab_slab_t *slab)
{
    zslab_heap_class_t *hc = &h->cls[c];
    zslab_tcache_t *tc = &h->tc[c];
    uint32_t n = slab->bumped - slab->used;
    zslab_assert(slab->used != 0); /* an empty slab was reset: no free list */
    slab->used += n;
    tc->free = slab->free;
    slab->free = NULL;
    tc->limit -= n; /* the thread cache holds n more: room for n fewer frees */
    _zslab_list_remove(&hc->partial, slab);
    if (slab->bumped < slab->capacity) {
        _zslab_refill_deactivate(h, c);
        activate(z, h, c, slab);
    } else {
        _zslab_list_push(&hc->full, slab, ZSLAB_SLAB_FULL);
        zslab_raw_inc(&hc->raw, p2f);
    }
    void *p = tc->free;
    tc->free = *(void **)p;
    _zslab_tcache_inc(&tc->allocs);
    _zslab_live_set(z, p);
    return p;
}

static uint32_t current_node(const zslab_t *z)
{
    if (z->cfg.numa_node != ZSLAB_NODE_ANY)
        return (uint32_t)z->cfg.numa_node;
    if (z->node_count < 2)
        return 0;
    uint32_t node = 0;
    zslab_platform_getcpu(NULL, &node);
    return node;
}

/* Before a new slab: a slab an exited thread left with room in it, taken from
 * the shared heap (so its free objects serve again).  Its pending remote
 * frees are collected first; one still on its way finds the new owner
 * (remote.c's notify() looks again when the owner changed). */
static bool adopt(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    zslab_heap_class_t *sc = &z->shared->cls[c];
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, NULL, false, 0);
    zslab_platform_lock_acquire(&z->shared_lock);
    zslab_slab_t *slab = _zslab_list_pop(&sc->partial);
    if (slab) {
        uint32_t n = _zslab_remote_collect(z, z->shared, slab, &bad);
        (void)n;
        atomic_store_explicit(&slab->owner, h, memory_order_release);
        if (slab->used == 0) {
            _zslab_list_push(&h->cls[c].partial, slab, ZSLAB_SLAB_PARTIAL);
            h->cls[c].spares++;
        } else if (slab->free || slab->bumped < slab->capacity) {
            _zslab_list_push(&h->cls[c].partial, slab, ZSLAB_SLAB_PARTIAL);
        } else {
            _zslab_list_push(&h->cls[c].full, slab, ZSLAB_SLAB_FULL);
        }
    }
    zslab_platform_lock_release(&z->shared_lock);
    if (bad.kind != 0)
        _zslab_report_bad(z, &bad);
    return slab && (slab->free || slab->bumped < slab->capacity);
}

/* The allocation slow path of the calling thread's heap @h (not shared). */
void *_zslab_refill_alloc(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    zslab_heap_class_t *hc = &h->cls[c];
    zslab_tcache_t *tc = &h->tc[c];
    _zslab_remote_drain(z, h); /* remote frees land on slab free lists */
    if (hc->active)
        _zslab_refill_deactivate(h, c);
    zslab_slab_t *slab;
    while ((slab = hc->partial.head) != NULL) {
        if (slab->free)
            return take_free_list(z, h, c, slab);
        if (slab->bumped < slab->capacity) {
            if (slab->used == 0)
                hc->spares--;
            _zslab_list_remove(&hc->partial, slab);
            activate(z, h, c, slab);
            return bump(z, tc);
        }
        zslab_raw_inc(&hc->raw, partial_miss);
        _zslab_list_remove(&hc->partial, slab);
        _zslab_list_push(&hc->full, slab, ZSLAB_SLAB_FULL);
        zslab_raw_inc(&hc->raw, p2f);
    }
    if (adopt(z, h, c))
        return _zslab_refill_alloc(z, h, c);
    zslab_raw_inc(&hc->raw, slow_path_hits);
    h->node = current_node(z);
    slab = take_releasing(z, h, c);
    if (slab)
        _zslab_node_maybe_decay(z, h->node);
    else
        slab = _zslab_node_take(z, h, c);
    if (!slab)
        return NULL;
    _zslab_slab_format(z, slab, c, h);
    zslab_raw_inc(&hc->raw, new_slab_count);
    activate(z, h, c, slab);
#if ZSLAB_STAT_LEVEL >= 2
    _zslab_stats_sample_peaks(z, c);
#endif
    return bump(z, tc);
}

/* The shared heap's allocation (shared_lock held): straight from a slab, no
 * thread cache, no bump range. */
void *_zslab_refill_shared_alloc(zslab_t *z, unsigned c)
{
    zslab_heap_t *h = z->shared;
    zslab_heap_class_t *hc = &h->cls[c];
    zslab_slab_t *slab = hc->partial.head;
    while (slab && !slab->free && slab->bumped == slab->capacity) {
        zslab_raw_inc(&hc->raw, partial_miss);
        _zslab_list_remove(&hc->partial, slab);
        _zslab_list_push(&hc->full, slab, ZSLAB_SLAB_FULL);
        slab = hc->partial.head;
    }
    if (!slab) {
        zslab_raw_inc(&hc->raw, slow_path_hits);
        h->node = current_node(z);
        slab = _zslab_node_take(z, h, c);
        if (!slab)
            return NULL;
        _zslab_slab_format(z, slab, c, ZSLAB_OWNER_SHARED);
        zslab_raw_inc(&hc->raw, new_slab_count);
        _zslab_list_push(&hc->partial, slab, ZSLAB_SLAB_PARTIAL);
    }
    void *p = slab->free;
    if (p) {
        slab->free = *(void **)p;
    } else {
        p = _zslab_slab_start(z, slab) + (size_t)slab->bumped * class_bytes(slab);
        slab->bumped++;
    }
    slab->used++;
    _zslab_live_set(z, p);
    zslab_raw_count(&hc->raw, direct_allocs);
    if (!slab->free && slab->bumped == slab->capacity) {
        _zslab_list_remove(&hc->partial, slab);
        _zslab_list_push(&hc->full, slab, ZSLAB_SLAB_FULL);
        zslab_raw_inc(&hc->raw, p2f);
    }
    return p;
}

/* Every spare (empty slab on the partial list) of @h's class goes to its
 * node cache. */
void _zslab_refill_release_spares(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    zslab_heap_class_t *hc = &h->cls[c];
    zslab_slab_t *s = hc->partial.head;
    while (s && hc->spares) {
        zslab_slab_t *next = s->next;
        if (s->used == 0) {
            _zslab_list_remove(&hc->partial, s);
            hc->spares--;
            zslab_raw_inc(&hc->raw, recycled);
            zslab_raw_inc(&hc->raw, cache_pushes);
            _zslab_node_put(z, s);
        }
        s = next;
    }
    _zslab_refill_release_flush(z, h);
}
