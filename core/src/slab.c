/* SPDX-License-Identifier: MIT */
/*
 * slab.c - a slab's own state: formatting it for a class, giving an object
 * back to its free list, and its invariant checker.
 *
 * A slab hands out fresh objects with a bump pointer (bumped), so formatting
 * touches only its descriptor and never the slab's own pages.  An object's
 * live bit (1: handed out and not freed) is kept by the slab's owner; the
 * other objects are on the free list, in their heap's thread cache, or fresh.
 */
#include "internal.h"

uint8_t *_zslab_slab_start(const zslab_t *z, const zslab_slab_t *slab)
{
    return (uint8_t *)_zslab_chunk_of(z, slab) +
           ((size_t)_zslab_slab_index(z, slab) << z->slab_shift);
}

/* Owned by @owner, empty and fresh.  The live bits of an empty slab are all
 * clear already, whatever class it had. */
void _zslab_slab_format(const zslab_t *z, zslab_slab_t *slab, unsigned class_index,
                        zslab_heap_t *owner)
{
    zslab_assert(slab->used == 0);
    slab->free = NULL;
    slab->bumped = 0;
    slab->class_index = (uint16_t)class_index;
    slab->capacity = (uint32_t)(((size_t)1 << z->slab_shift) / _zslab_sizeclass_bytes(class_index));
    slab->state = ZSLAB_SLAB_FREE;
    atomic_store_explicit(&slab->owner, owner, memory_order_release);
}

/* An empty slab starts over at its bump pointer: its free list is dropped,
 * so it is never followed through pages that may be purged. */
void _zslab_slab_reset(zslab_slab_t *slab)
{
    zslab_assert(slab->used == 0);
    slab->free = NULL;
    slab->bumped = 0;
}

/* @obj, out of @slab until now, goes on its free list (the live bit is the
 * caller's business).  Debug builds poison it past the link. */
void _zslab_slab_give(const zslab_t *z, zslab_slab_t *slab, void *obj)
{
    (void)z;
#if ZSLAB_DEBUG
    _zslab_mem_fill((uint8_t *)obj + sizeof(void *), ZSLAB_POISON_BYTE,
                    _zslab_sizeclass_bytes(slab->class_index) - sizeof(void *));
#endif
    *(void **)obj = slab->free;
    slab->free = obj;
    zslab_assert(slab->used > 0);
    slab->used--;
}

/* Live objects by the bitmap (a bit loop, not __builtin_popcountll: without
 * -mpopcnt gcc calls libgcc's __popcountdi2, outside the platform contract). */
static uint32_t live_count(const zslab_t *z, const zslab_slab_t *slab)
{
    const uint8_t *start = _zslab_slab_start(z, slab);
    uint32_t size = _zslab_sizeclass_bytes(slab->class_index), n = 0;
    for (uint32_t i = 0; i < slab->bumped; i++)
        n += _zslab_live_test(z, start + (size_t)i * size);
    return n;
}

static bool free_list_is_valid(const zslab_t *z, const zslab_slab_t *slab)
{
    const uint8_t *start = _zslab_slab_start(z, slab);
    uint32_t size = _zslab_sizeclass_bytes(slab->class_index), n = 0;
    const uint8_t *end = start + (size_t)slab->bumped * size;
    for (const uint8_t *p = slab->free; p; p = *(const uint8_t *const *)(const void *)p) {
        if (p < start || p >= end || (size_t)(p - start) % size != 0 || _zslab_live_test(z, p) ||
            ++n > slab->bumped)
            return false;
    }
    return slab->state == ZSLAB_SLAB_ACTIVE || n == slab->bumped - slab->used;
}

/* Counts agree with each other, the bitmap and the free list, and the state
 * with the counts: FULL has nothing left, a cached slab is empty.  An active
 * slab's bump count lives in its heap, so only bounds are checked for it. */
bool _zslab_slab_is_valid(const zslab_t *z, const zslab_slab_t *slab)
{
    if (slab->state == ZSLAB_SLAB_ACTIVE)
        return slab->capacity != 0 && free_list_is_valid(z, slab);
    if (slab->used > slab->bumped || slab->bumped > slab->capacity || slab->capacity == 0)
        return false;
    if (live_count(z, slab) > slab->used)
        return false;
    uint8_t state = slab->state;
    switch (state) {
    case ZSLAB_SLAB_FULL:
        if (slab->used != slab->bumped || slab->bumped != slab->capacity)
            return false;
        break;
    case ZSLAB_SLAB_DIRTY:
    case ZSLAB_SLAB_CLEAN:
        return slab->used == 0 && slab->free == NULL;
    default:
        break;
    }
    return free_list_is_valid(z, slab);
}
