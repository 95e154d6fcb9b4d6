/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - the hot paths: zslab_alloc(), zslab_free(), zslab_free_sized().
 *
 * Allocation takes the class lock and an object from the partial head (its
 * free list first, then the bump pointer), with one unlikely branch to the
 * slow path (class.c).  Free finds the slab from the address alone: the
 * registry gives the chunk, the chunk-relative address the slab, and the
 * class's reciprocal the object index; the allocated bitmap catches a double
 * free in every build.  Nothing here touches a page of the object's slab but
 * the object's own.  zslab_usable_size() shares free's lookup, and
 * zslab_alloc_aligned() picks a class whose objects are all aligned.
 */
#include "internal.h"

#if ZSLAB_DEBUG
/* A freed object must still hold the poison written when it was freed. */
static bool poison_intact(const zslab_slab_t *slab, const void *obj, zslab_bad_info_t *bad)
{
    size_t skip = sizeof(void *);
    size_t at = _zslab_mem_find_not((const uint8_t *)obj + skip, ZSLAB_POISON_BYTE,
                                    slab->object_bytes - skip);
    if (at == slab->object_bytes - skip)
        return true;
    bad->kind = ZSLAB_BAD_WRITE_AFTER_FREE;
    bad->ptr = obj;
    bad->base = obj;
    bad->object_bytes = slab->object_bytes;
    bad->offset = skip + at;
    return false;
}
#endif

/* Takes one object from @slab, which has room; c->lock is held. */
static inline void *slab_take(zslab_class_t *c, zslab_slab_t *slab, zslab_bad_info_t *bad)
{
    void *obj = slab->free_list;
    uint32_t i;
    if (obj) {
        slab->free_list = *(void **)obj;
        i = _zslab_slab_index(c, (size_t)((uint8_t *)obj - slab->start));
#if ZSLAB_DEBUG
        poison_intact(slab, obj, bad);
#endif
    } else {
        i = slab->bumped++;
        obj = slab->start + (size_t)i * c->object_bytes;
    }
    (void)bad;
    slab->purged = 0; /* same line as used: no extra cache miss */
    zslab_assert(!_zslab_bit_test(slab->allocated, i));
    _zslab_bit_flip(slab->allocated, i);
    if (zslab_unlikely(++slab->used == slab->capacity)) {
        _zslab_list_remove(&c->partial, slab);
        _zslab_list_push(&c->full, slab, ZSLAB_SLAB_FULL);
        zslab_stat_inc(&c->stats, list_move_partial_to_full);
    }
    zslab_stat_inc(&c->stats, alloc_calls);
    zslab_stat_gauge_add(&c->stats, bytes_in_use, c->object_bytes);
    zslab_assert_expensive(_zslab_slab_is_valid(slab));
    return obj;
}

static inline void *class_alloc(zslab_t *z, zslab_class_t *c)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, NULL, false, 0);
    void *obj = NULL;
    zslab_platform_lock_acquire(&c->lock);
    zslab_slab_t *slab = c->partial.head;
    if (zslab_unlikely(!slab || slab->used == slab->capacity))
        slab = _zslab_class_refill(z, c);
    if (zslab_likely(slab != NULL))
        obj = slab_take(c, slab, &bad);
    zslab_platform_lock_release(&c->lock);
    if (zslab_unlikely(bad.kind != 0))
        _zslab_report_bad(z, &bad);
    return obj;
}

void *zslab_alloc(zslab_t *z, size_t size)
{
    if (zslab_unlikely(size > ZSLAB_MAX_CLASS_BYTES))
        return _zslab_large_alloc(z, size, ZSLAB_PAGE_BYTES);
    return class_alloc(z, &z->classes[_zslab_sizeclass_index(size)]);
}

/* Slabs are slab-aligned, so every object of a class whose size is a multiple
 * of @align is aligned to it; every power of two up to the largest class is a
 * class, so the search ends at the first one at or above the request. */
void *zslab_alloc_aligned(zslab_t *z, size_t size, size_t align)
{
    if (zslab_unlikely(align == 0 || (align & (align - 1)) != 0))
        return NULL;
    if (align <= ZSLAB_MIN_CLASS_BYTES)
        return zslab_alloc(z, size);
    if (size <= ZSLAB_MAX_CLASS_BYTES && align <= ZSLAB_MAX_CLASS_BYTES) {
        unsigned i = _zslab_sizeclass_index(size < align ? align : size);
        while (_zslab_sizeclass_bytes(i) % align != 0)
            i++;
        return class_alloc(z, &z->classes[i]);
    }
    return _zslab_large_alloc(z, size, align < ZSLAB_PAGE_BYTES ? ZSLAB_PAGE_BYTES : align);
}

/* Returns @obj to @slab; c->lock is held and obj is object @i, live. */
static inline void slab_give(zslab_t *z, zslab_class_t *c, zslab_slab_t *slab, void *obj,
                             uint32_t i)
{
    _zslab_bit_flip(slab->allocated, i);
#if ZSLAB_DEBUG
    _zslab_mem_fill((uint8_t *)obj + sizeof(void *), ZSLAB_POISON_BYTE,
                    c->object_bytes - sizeof(void *));
#endif
    *(void **)obj = slab->free_list;
    slab->free_list = obj;
    zslab_stat_inc(&c->stats, free_calls);
    zslab_stat_gauge_sub(&c->stats, bytes_in_use, c->object_bytes);
    if (zslab_unlikely(slab->used-- == slab->capacity)) {
        _zslab_list_remove(&c->full, slab);
        _zslab_list_push(&c->partial, slab, ZSLAB_SLAB_PARTIAL);
        zslab_stat_inc(&c->stats, list_move_full_to_partial);
    } else if (zslab_unlikely(slab->used == 0)) {
        _zslab_class_slab_emptied(z, c, slab);
    }
    zslab_assert_expensive(_zslab_slab_is_valid(slab));
}

/* Where a slab pointer is: its slab, class and object index. */
typedef struct object_at {
    zslab_slab_t *slab;
    zslab_class_t *c;
    uint32_t index;
} object_at_t;

/* Finds the slab object @ptr starts, without touching it.  @bad gets the kind
 * of a pointer that starts none (0 when it does); @chunk is its registered
 * chunk, a ZSLAB_CHUNK_SLABS one. */
static inline bool find_object(const zslab_t *z, zslab_chunk_t *chunk, const void *ptr,
                               object_at_t *at, zslab_bad_info_t *bad)
{
    size_t slab_index = ((uintptr_t)ptr - (uintptr_t)chunk) >> z->slab_shift;
    if (zslab_unlikely(slab_index < z->first_slab ||
                       slab_index >= atomic_load_explicit(&chunk->carved, memory_order_acquire))) {
        bad->kind = ZSLAB_BAD_NOT_OBJECT;
        bad->base = chunk;
        return false;
    }
    at->slab = &chunk->slabs[slab_index];
    at->c = (zslab_class_t *)&z->classes[at->slab->class_index];
    size_t offset = (size_t)((const uint8_t *)ptr - at->slab->start);
    at->index = _zslab_slab_index(at->c, offset);
    bad->object_bytes = at->c->object_bytes;
    bad->base = at->slab->start + (size_t)at->index * at->c->object_bytes;
    bad->offset = offset - (size_t)at->index * at->c->object_bytes;
    if (zslab_unlikely(at->index >= at->c->capacity)) {
        bad->kind = ZSLAB_BAD_NOT_OBJECT;
        bad->base = chunk;
        return false;
    }
    if (zslab_unlikely(bad->offset != 0)) {
        bad->kind = ZSLAB_BAD_INTERIOR;
        return false;
    }
    return true;
}

static inline void free_object(zslab_t *z, void *ptr, bool sized, size_t size)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, sized, size);
    zslab_chunk_t *chunk = _zslab_registry_lookup(z, ptr);
    if (zslab_unlikely(!chunk)) {
        bad.kind = ZSLAB_BAD_FOREIGN;
        goto report;
    }
    if (zslab_unlikely(chunk->kind == ZSLAB_CHUNK_LARGE)) {
        _zslab_large_free(z, chunk, ptr, sized, size);
        return;
    }

    object_at_t at;
    if (zslab_unlikely(!find_object(z, chunk, ptr, &at, &bad)))
        goto report;
    zslab_slab_t *slab = at.slab;
    zslab_class_t *c = at.c;
    uint32_t i = at.index;
    if (sized &&
        zslab_unlikely(size > ZSLAB_MAX_CLASS_BYTES || _zslab_sizeclass_index(size) != c->index)) {
        bad.kind = ZSLAB_BAD_WRONG_SIZE;
        goto report;
    }

    zslab_platform_lock_acquire(&c->lock);
    bool live = _zslab_bit_test(slab->allocated, i);
    if (zslab_likely(live))
        slab_give(z, c, slab, ptr, i);
    zslab_platform_lock_release(&c->lock);
    if (zslab_likely(live))
        return;
    bad.kind = ZSLAB_BAD_NOT_LIVE;
report:
    _zslab_report_bad(z, &bad);
}

void zslab_free(zslab_t *z, void *ptr)
{
    if (ptr)
        free_object(z, ptr, false, 0);
}

void zslab_free_sized(zslab_t *z, void *ptr, size_t size)
{
    if (ptr)
        free_object(z, ptr, true, size);
}

size_t zslab_usable_size(const zslab_t *z, const void *ptr)
{
    if (!ptr)
        return 0;
    zslab_chunk_t *chunk = _zslab_registry_lookup(z, ptr);
    if (!chunk)
        return 0;
    if (chunk->kind == ZSLAB_CHUNK_LARGE)
        return ptr == chunk->object ? chunk->object_bytes : 0;
    object_at_t at;
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, false, 0);
    return find_object(z, chunk, ptr, &at, &bad) ? at.c->object_bytes : 0;
}
