/* SPDX-License-Identifier: MIT */
/*
 * slab.c - formatting a slab for a class, and its invariant checker.
 *
 * A slab hands out fresh objects with a bump pointer (bumped), so formatting
 * touches only its descriptor and never the slab's own pages, and reuses freed
 * objects from its free list first.
 */
#include "internal.h"

void _zslab_slab_format(const zslab_t *z, zslab_slab_t *slab, const zslab_class_t *c)
{
    uint8_t *chunk = (uint8_t *)((uintptr_t)slab & ~(((uintptr_t)1 << z->chunk_shift) - 1));
    size_t index = (size_t)(slab - ((zslab_chunk_t *)(void *)chunk)->slabs);

    zslab_assert(slab->state == ZSLAB_SLAB_UNLISTED && slab->used == 0);
    zslab_assert(index >= z->first_slab && index < z->slab_count);
    slab->start = chunk + (index << z->slab_shift);
    slab->allocated = (uint64_t *)(void *)(chunk + z->bitmap_offset) + index * z->bitmap_words;
    slab->free_list = NULL;
    slab->object_bytes = c->object_bytes;
    slab->capacity = c->capacity;
    slab->bumped = 0;
    slab->purged = 0;
    slab->class_index = c->index;
}

/* Live objects by the bitmap, or UINT32_MAX when a bit past @capacity is set.
 * A bit loop, not __builtin_popcountll: without -mpopcnt gcc calls libgcc's
 * __popcountdi2, which is outside the platform contract. */
static uint32_t bitmap_count(const uint64_t *bits, uint32_t capacity)
{
    uint32_t n = 0;
    uint32_t words = (capacity + ZSLAB_BITMAP_WORD_BITS - 1) / ZSLAB_BITMAP_WORD_BITS;
    for (uint32_t i = 0; i < words * ZSLAB_BITMAP_WORD_BITS; i++) {
        if (_zslab_bit_test(bits, i)) {
            if (i >= capacity)
                return UINT32_MAX;
            n++;
        }
    }
    return n;
}

static bool free_list_is_valid(const zslab_slab_t *slab)
{
    uint32_t n = 0;
    const uint8_t *end = slab->start + (size_t)slab->bumped * slab->object_bytes;
    for (const uint8_t *p = slab->free_list; p; p = *(const uint8_t *const *)(const void *)p) {
        size_t offset = (size_t)(p - slab->start);
        if (p < slab->start || p >= end || offset % slab->object_bytes != 0 ||
            _zslab_bit_test(slab->allocated, (uint32_t)(offset / slab->object_bytes)) ||
            ++n > slab->bumped - slab->used)
            return false;
    }
    return n == slab->bumped - slab->used;
}

/* Counts agree with the bitmap and the free list, and the state with the
 * counts: PARTIAL has room, FULL has none, CACHED is empty. */
bool _zslab_slab_is_valid(const zslab_slab_t *slab)
{
    if (slab->used > slab->bumped || slab->bumped > slab->capacity || slab->capacity == 0)
        return false;
    if (bitmap_count(slab->allocated, slab->capacity) != slab->used)
        return false;
    switch (slab->state) {
    case ZSLAB_SLAB_PARTIAL:
        if (slab->used == slab->capacity)
            return false;
        break;
    case ZSLAB_SLAB_FULL:
        if (slab->used != slab->capacity)
            return false;
        break;
    case ZSLAB_SLAB_CACHED:
        if (slab->used != 0)
            return false;
        break;
    default:
        break;
    }
    return free_list_is_valid(slab);
}
