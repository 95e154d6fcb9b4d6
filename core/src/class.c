/* SPDX-License-Identifier: MIT */
/*
 * class.c - a size class's slow path and its slab cache.
 *
 * The fast path (alloc.c) takes an object from the head of the partial list.
 * It comes here when that list is empty: the class takes a slab from its cache
 * (empty slabs kept ready) or, on a miss, carves one from a chunk.
 *
 * Phase 1.5 rules, kept: a slab moves PARTIAL -> FULL when it fills and back
 * when it gets an object back; so the partial head always has room.  An empty
 * slab goes to the cache while the cache has room and the slab is not the
 * partial head (which keeps an alloc/free ping-pong off the slow path);
 * otherwise it stays on the partial list.  zslab_trim() releases the pages
 * of every empty slab, wherever it waits.  Phase 2 returns the overflow to a
 * shared pool instead, where any class may reformat it.
 */
#include "internal.h"

void _zslab_class_init(zslab_t *z, zslab_class_t *c, unsigned index)
{
    c->index = (uint16_t)index;
    c->object_bytes = _zslab_sizeclass_bytes(index);
    c->capacity = (uint32_t)(((size_t)1 << z->slab_shift) / c->object_bytes);
    /* ceil(2^ZSLAB_DIV_SHIFT / object_bytes) */
    c->recip = ((UINT64_C(1) << ZSLAB_DIV_SHIFT) + c->object_bytes - 1) / c->object_bytes;
    zslab_platform_lock_init(&c->lock);
}

static zslab_slab_t *take_slab(zslab_t *z, zslab_class_t *c)
{
    zslab_slab_t *slab = _zslab_list_pop(&c->cache);
    if (slab) {
        zslab_stat_inc(&c->stats, cache_hits);
        return slab;
    }
    zslab_stat_inc(&c->stats, cache_misses);
    return _zslab_chunk_carve(z);
}

/* Called with c->lock held, when the partial head cannot serve: returns a
 * partial slab with room, or NULL when no memory is left. */
zslab_slab_t *_zslab_class_refill(zslab_t *z, zslab_class_t *c)
{
    zslab_slab_t *slab = c->partial.head;
    while (slab && slab->used == slab->capacity) {
        /* A full slab on the partial list: the fast path's invariant broke. */
        zslab_stat_inc(&c->stats, current_partial_miss);
        _zslab_list_remove(&c->partial, slab);
        _zslab_list_push(&c->full, slab, ZSLAB_SLAB_FULL);
        zslab_stat_inc(&c->stats, list_move_partial_to_full);
        slab = c->partial.head;
    }
    if (!slab) {
        zslab_stat_inc(&c->stats, slow_path_hits);
        slab = take_slab(z, c);
        if (!slab)
            return NULL;
        _zslab_slab_format(z, slab, c);
        _zslab_list_push(&c->partial, slab, ZSLAB_SLAB_PARTIAL);
        zslab_stat_inc(&c->stats, new_slab_count);
        zslab_stat_gauge_add(&c->stats, slabs_in_use, 1);
    }
    return slab;
}

/* Called with c->lock held, when @slab's last object came back. */
void _zslab_class_slab_emptied(zslab_t *z, zslab_class_t *c, zslab_slab_t *slab)
{
    if (slab == c->partial.head || c->cache.count >= z->cfg.class_cache_slabs)
        return;
    _zslab_list_remove(&c->partial, slab);
    _zslab_list_push(&c->cache, slab, ZSLAB_SLAB_CACHED);
    zslab_stat_inc(&c->stats, cache_pushes);
    zslab_stat_gauge_sub(&c->stats, slabs_in_use, 1);
}

/* An empty slab's pages go back to the platform; it keeps its list.  A slab on
 * the partial list (the head, or one the full cache could not take) restarts
 * at its bump pointer, so its free list, threaded through the purged pages,
 * is never followed. */
static size_t purge_empty(zslab_t *z, zslab_slab_t *slab)
{
    if (slab->used != 0 || slab->purged)
        return 0;
    slab->free_list = NULL;
    slab->bumped = 0;
    slab->purged = 1;
    size_t bytes = (size_t)1 << z->slab_shift;
    uint8_t *chunk = (uint8_t *)((uintptr_t)slab & ~(((uintptr_t)1 << z->chunk_shift) - 1));
    size_t index = (size_t)(slab - ((zslab_chunk_t *)(void *)chunk)->slabs);
    zslab_platform_purge(chunk + (index << z->slab_shift), bytes);
    return bytes;
}

/* Takes c->lock. */
size_t _zslab_class_trim(zslab_t *z, zslab_class_t *c)
{
    size_t released = 0;
    zslab_platform_lock_acquire(&c->lock);
    for (zslab_slab_t *s = c->cache.head; s; s = s->next)
        released += purge_empty(z, s);
    for (zslab_slab_t *s = c->partial.head; s; s = s->next)
        released += purge_empty(z, s);
    zslab_platform_lock_release(&c->lock);
    return released;
}

size_t zslab_trim(zslab_t *z)
{
    size_t released = 0;
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++)
        released += _zslab_class_trim(z, &z->classes[i]);
    return released;
}
