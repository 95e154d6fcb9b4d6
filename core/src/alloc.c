/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - the hot paths: zslab_alloc(), zslab_free(), zslab_free_sized().
 *
 * Allocation pops the calling thread's cache for the class, else bumps its
 * active slab, with one unlikely branch to the slow path (refill.c): no lock,
 * no atomic read-modify-write, and only the object's live bit written
 * besides the thread's own state.  Free finds everything from the address
 * alone: the registry says the chunk is this instance's (a foreign pointer is
 * never dereferenced), the address gives the slab descriptor and the live
 * bit; a free of the thread's own object clears the bit and pushes the
 * object on the thread cache.  Everything else (another thread's object, a
 * bad pointer, a full thread cache, a sized free) leaves by one unlikely
 * branch.  A double free is caught in every build: its live bit is clear.
 */
#include "internal.h"

#if ZSLAB_DEBUG
/* A freed object must still hold the poison written when it was freed. */
static void check_poison(zslab_t *z, const void *obj, uint32_t bytes)
{
    size_t skip = sizeof(void *);
    size_t at = _zslab_mem_find_not((const uint8_t *)obj + skip, ZSLAB_POISON_BYTE, bytes - skip);
    if (at == bytes - skip)
        return;
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, obj, false, 0);
    bad.kind = ZSLAB_BAD_WRITE_AFTER_FREE;
    bad.base = obj;
    bad.object_bytes = bytes;
    bad.offset = skip + at;
    _zslab_report_bad(z, &bad);
}
#endif

/* The thread's heap is looked up first, so the platform call is made while
 * little else is live: the fast path then needs no saved registers, and
 * every slow path is a tail call. */
static inline __attribute__((always_inline)) void *alloc_in(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    if (zslab_unlikely(!h))
        return _zslab_alloc_slow(z, NULL, c);
    zslab_tcache_t *tc = &h->tc[c];
    void *p = tc->free;
    if (zslab_likely(p != NULL)) {
        tc->free = *(void **)p;
        _zslab_tcache_inc(&tc->allocs);
#if ZSLAB_DEBUG
        check_poison(z, p, tc->object_bytes);
#endif
    } else {
        uint64_t i = atomic_load_explicit(&tc->bumped, memory_order_relaxed);
        if (zslab_unlikely(i >= tc->bump_limit))
            return _zslab_alloc_slow(z, h, c);
        atomic_store_explicit(&tc->bumped, i + 1, memory_order_relaxed);
        p = (void *)(tc->bump_origin + (uintptr_t)i * tc->object_bytes);
    }
    _zslab_live_set(z, p);
    return p;
}

static inline void *alloc_class(zslab_t *z, unsigned c)
{
    return alloc_in(z, zslab_platform_thread_get(z->key), c);
}

__attribute__((noinline)) void *_zslab_alloc_slow(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    if (!h)
        h = _zslab_heap_attach(z);
    if (h->shared) {
        zslab_platform_lock_acquire(&z->shared_lock);
        void *p = _zslab_refill_shared_alloc(z, c);
        zslab_platform_lock_release(&z->shared_lock);
        return p;
    }
    if (h->tc[c].free ||
        atomic_load_explicit(&h->tc[c].bumped, memory_order_relaxed) < h->tc[c].bump_limit)
        return alloc_in(z, h, c);
    return _zslab_refill_alloc(z, h, c);
}

void *zslab_alloc(zslab_t *z, size_t size)
{
    zslab_heap_t *h = zslab_platform_thread_get(z->key);
    if (zslab_unlikely(size > ZSLAB_MAX_CLASS_BYTES))
        return _zslab_large_alloc(z, size, ZSLAB_PAGE_BYTES);
    /* Every class is a multiple of 8 bytes: a size's class is its rounded-up
     * 8-byte step's. */
    return alloc_in(z, h, z->class_of[(size + ZSLAB_MIN_CLASS_BYTES - 1) / ZSLAB_MIN_CLASS_BYTES]);
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
        return alloc_class(z, i);
    }
    return _zslab_large_alloc(z, size, align < ZSLAB_PAGE_BYTES ? ZSLAB_PAGE_BYTES : align);
}

/* Finds the slab object @ptr starts in slab chunk @chunk, without touching
 * the object.  @bad gets the kind of a pointer that starts none. */
bool _zslab_find_object(const zslab_t *z, const zslab_chunk_t *chunk, const void *ptr,
                        zslab_slab_t **slab, zslab_bad_info_t *bad)
{
    uint32_t index = (uint32_t)(((uintptr_t)ptr & z->chunk_mask) >> z->slab_shift);
    bad->base = chunk;
    if (index < z->first_slab) {
        bad->kind = ZSLAB_BAD_NOT_OBJECT;
        return false;
    }
    zslab_slab_t *s = _zslab_slab_at(z, chunk, index);
    uint8_t state = s->state;
    if (state == ZSLAB_SLAB_FREE &&
        atomic_load_explicit(&s->owner, memory_order_acquire) == ZSLAB_OWNER_NONE) {
        bad->kind = ZSLAB_BAD_NOT_OBJECT; /* never carved, or its chunk was given back */
        return false;
    }
    unsigned c = s->class_index;
    size_t offset = (size_t)((uintptr_t)ptr & (((uintptr_t)1 << z->slab_shift) - 1));
    uint32_t bytes = _zslab_sizeclass_bytes(c);
    uint32_t i = (uint32_t)(((uint64_t)offset * _zslab_sizeclass_recip(c)) >> ZSLAB_DIV_SHIFT);
    const uint8_t *start = (const uint8_t *)ptr - offset;
    *slab = s;
    bad->object_bytes = bytes;
    bad->base = start + (size_t)i * bytes;
    bad->offset = offset - (size_t)i * bytes;
    if (i >= (((size_t)1 << z->slab_shift) / bytes)) {
        bad->kind = ZSLAB_BAD_NOT_OBJECT;
        bad->base = chunk;
        return false;
    }
    if (bad->offset != 0) {
        bad->kind = ZSLAB_BAD_INTERIOR;
        return false;
    }
    return true;
}

/* @ptr is live in @slab of @h, not freed remotely; @w and @live are its live
 * word and the value read from it. */
static inline __attribute__((always_inline)) void local_free_word(zslab_t *z, zslab_heap_t *h,
                                                                  zslab_slab_t *slab, void *ptr,
                                                                  _Atomic uint64_t *w,
                                                                  uint64_t live)
{
    atomic_store_explicit(w, live & ~_zslab_bit_of(ptr), memory_order_relaxed);
    zslab_tcache_t *tc = &h->tc[slab->class_index];
    int64_t held = (int64_t)(atomic_load_explicit(&tc->frees, memory_order_relaxed) -
                             atomic_load_explicit(&tc->allocs, memory_order_relaxed));
    if (zslab_unlikely(held >= tc->limit)) {
        /* The thread cache is full: the object goes to its slab.  Counted
         * as a free all the same; the bound moves so the cache stays full. */
        _zslab_tcache_inc(&tc->frees);
        tc->limit++;
#if ZSLAB_DEBUG
        _zslab_slab_give(z, slab, ptr);
#else
        *(void **)ptr = slab->free;
        slab->free = ptr;
        slab->used--;
#endif
        if (zslab_unlikely(slab->used == 0 || slab->state == ZSLAB_SLAB_FULL))
            _zslab_refill_slab_gained(z, h, slab, 1);
        return;
    }
#if ZSLAB_DEBUG
    _zslab_mem_fill((uint8_t *)ptr + sizeof(void *), ZSLAB_POISON_BYTE,
                    tc->object_bytes - sizeof(void *));
#endif
    *(void **)ptr = tc->free;
    tc->free = ptr;
    _zslab_tcache_inc(&tc->frees);
}

static inline void local_free(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr)
{
    _Atomic uint64_t *w = _zslab_live_word(z, ptr);
    local_free_word(z, h, slab, ptr, w, atomic_load_explicit(w, memory_order_relaxed));
}

static bool size_fits(const zslab_slab_t *slab, size_t size)
{
    return size <= ZSLAB_MAX_CLASS_BYTES && _zslab_sizeclass_index(size) == slab->class_index;
}

/* Not a large object, not a pointer of ours: report it. */
static __attribute__((noinline)) void free_other(zslab_t *z, zslab_chunk_t *chunk, void *ptr,
                                                 bool sized, size_t size)
{
    if (chunk && chunk->kind == ZSLAB_CHUNK_LARGE) {
        _zslab_large_free(z, chunk, ptr, sized, size);
        return;
    }
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, sized, size);
    bad.kind = ZSLAB_BAD_FOREIGN;
    _zslab_report_bad(z, &bad);
}

/* Everything the fast path does not do: a pointer that starts no object, a
 * sized free, a thread without a heap yet, another thread's object, a
 * double free. */
static __attribute__((noinline)) void free_slow(zslab_t *z, zslab_heap_t *h, zslab_chunk_t *chunk,
                                                void *ptr, bool sized, size_t size)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, sized, size);
    zslab_slab_t *slab = NULL;
    if (!_zslab_find_object(z, chunk, ptr, &slab, &bad))
        goto report;
    if (sized && !size_fits(slab, size)) {
        bad.kind = ZSLAB_BAD_WRONG_SIZE;
        goto report;
    }
    if (!h)
        h = _zslab_heap_attach(z);
    if (atomic_load_explicit(&slab->owner, memory_order_relaxed) == h) {
        bool remote_freed =
            (atomic_load_explicit(_zslab_remote_word(z, ptr), memory_order_relaxed) &
             _zslab_bit_of(ptr)) != 0;
        if (_zslab_live_test(z, ptr) && !remote_freed) {
            local_free(z, h, slab, ptr);
            return;
        }
        bad.kind = ZSLAB_BAD_NOT_LIVE;
        goto report;
    }
    _zslab_remote_free(z, h, slab, ptr);
    return;
report:
    _zslab_report_bad(z, &bad);
}

static inline __attribute__((always_inline)) void free_object(zslab_t *z, zslab_heap_t *h,
                                                              void *ptr, bool sized, size_t size)
{
    zslab_chunk_t *chunk = _zslab_registry_lookup(z, ptr);
    if (zslab_unlikely(!chunk || chunk->kind != ZSLAB_CHUNK_SLABS)) {
        free_other(z, chunk, ptr, sized, size);
        return;
    }
    uint32_t index = (uint32_t)(((uintptr_t)ptr & z->chunk_mask) >> z->slab_shift);
    if (zslab_unlikely(index < z->first_slab || sized ||
                       ((uintptr_t)ptr & (ZSLAB_MIN_CLASS_BYTES - 1)) != 0)) {
        free_slow(z, h, chunk, ptr, sized, size);
        return;
    }
    zslab_slab_t *slab = _zslab_slab_at(z, chunk, index);
    uint64_t bit = _zslab_bit_of(ptr);
    _Atomic uint64_t *w = _zslab_live_word(z, ptr);
    uint64_t live = atomic_load_explicit(w, memory_order_relaxed);
    /* The remote bitmap sits at a fixed distance from the live one. */
    uint64_t remote = atomic_load_explicit(
        (_Atomic uint64_t *)((uintptr_t)w + (z->remote_bias - z->live_bias)), memory_order_relaxed);
    /* Live, and not freed by another thread already (waiting for collection). */
    if (zslab_unlikely(atomic_load_explicit(&slab->owner, memory_order_relaxed) != h ||
                       ((live & ~remote) & bit) == 0)) {
        free_slow(z, h, chunk, ptr, sized, size);
        return;
    }
    local_free_word(z, h, slab, ptr, w, live);
}

void zslab_free(zslab_t *z, void *ptr)
{
    if (ptr)
        free_object(z, zslab_platform_thread_get(z->key), ptr, false, 0);
}

void zslab_free_sized(zslab_t *z, void *ptr, size_t size)
{
    if (ptr)
        free_object(z, zslab_platform_thread_get(z->key), ptr, true, size);
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
    if (chunk->kind != ZSLAB_CHUNK_SLABS)
        return 0;
    zslab_slab_t *slab;
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, false, 0);
    return _zslab_find_object(z, chunk, ptr, &slab, &bad) ? bad.object_bytes : 0;
}
