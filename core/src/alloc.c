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

/* Pop the thread cache, else bump the active slab; every slow path is a
 * tail call.  A popped object's index in its slab comes from the class's
 * reciprocal, a bumped one's from the bump count. */
static inline __attribute__((always_inline)) void *alloc_in(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    if (zslab_unlikely(!h))
        return _zslab_alloc_slow(z, NULL, c);
    zslab_tcache_t *tc = &h->tc[c];
    uint32_t n = atomic_load_explicit(&tc->count, memory_order_relaxed);
    void *p;
    uint32_t index;
    if (zslab_likely(n != 0)) {
        p = tc->cache[n - 1];
        atomic_store_explicit(&tc->count, n - 1, memory_order_relaxed);
#if ZSLAB_DEBUG
        check_poison(z, p, tc->object_bytes);
#endif
        index = _zslab_object_index(z, p, c);
    } else {
        uint64_t i = atomic_load_explicit(&tc->bumped, memory_order_relaxed);
        if (zslab_unlikely(i >= tc->bump_limit))
            return _zslab_alloc_slow(z, h, c);
        atomic_store_explicit(&tc->bumped, i + 1, memory_order_relaxed);
        p = (void *)(tc->bump_origin + (uintptr_t)i * tc->object_bytes);
        index = (uint32_t)i - tc->bump_index_bias;
    }
    _zslab_live_set(z, p, index);
    return p;
}

void *_zslab_alloc_cached(zslab_t *z, zslab_heap_t *h, unsigned c)
{
    return alloc_in(z, h, c);
}

static inline void *alloc_class(zslab_t *z, unsigned c)
{
    return alloc_in(z, _zslab_heap_get(z), c);
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
    if (atomic_load_explicit(&h->tc[c].count, memory_order_relaxed) != 0 ||
        atomic_load_explicit(&h->tc[c].bumped, memory_order_relaxed) < h->tc[c].bump_limit)
        return alloc_in(z, h, c);
    return _zslab_refill_alloc(z, h, c);
}

void *zslab_alloc(zslab_t *z, size_t size)
{
    if (zslab_unlikely(size > ZSLAB_MAX_CLASS_BYTES))
        return _zslab_large_alloc(z, size, ZSLAB_PAGE_BYTES, false);
    zslab_heap_t *h = _zslab_heap_get(z);
    /* Every class is a multiple of 8 bytes: a size's class is its rounded-up
     * 8-byte step's. */
    return alloc_in(z, h, z->class_of[(size + ZSLAB_MIN_CLASS_BYTES - 1) / ZSLAB_MIN_CLASS_BYTES]);
}

/* Slabs are slab-aligned, so every object of a class whose size is a multiple
 * of @align is aligned to it; every power of two up to the largest class is a
 * class, so the search ends at the first one at or above the request. */
static unsigned aligned_class(size_t size, size_t align)
{
    unsigned i = _zslab_sizeclass_index(size < align ? align : size);
    while (_zslab_sizeclass_bytes(i) % align != 0)
        i++;
    return i;
}

void *zslab_alloc_aligned(zslab_t *z, size_t size, size_t align)
{
    if (zslab_unlikely(align == 0 || (align & (align - 1)) != 0))
        return NULL;
    if (align <= ZSLAB_MIN_CLASS_BYTES)
        return zslab_alloc(z, size);
    if (size <= ZSLAB_MAX_CLASS_BYTES && align <= ZSLAB_MAX_CLASS_BYTES)
        return alloc_class(z, aligned_class(size, align));
    return _zslab_large_alloc(z, size, align < ZSLAB_PAGE_BYTES ? ZSLAB_PAGE_BYTES : align, false);
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
    size_t offset = (size_t)((uintptr_t)ptr & z->slab_mask);
    uint32_t bytes = z->class_bytes[c];
    uint32_t i = _zslab_object_index(z, ptr, c);
    const uint8_t *start = (const uint8_t *)ptr - offset;
    *slab = s;
    bad->object_bytes = bytes;
    bad->base = start + (size_t)i * bytes;
    bad->offset = offset - (size_t)i * bytes;
    if (i >= z->class_capacity[c]) {
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

/* @ptr, object @index of @slab (class @c) of @h, is live and not freed
 * remotely; @w and @live are its live word and the value read from it. */
static inline __attribute__((always_inline)) void local_free_word(zslab_t *z, zslab_heap_t *h,
                                                                  zslab_slab_t *slab, unsigned c,
                                                                  void *ptr, _Atomic uint64_t *w,
                                                                  uint64_t live, uint32_t index)
{
    atomic_store_explicit(w, live & ~_zslab_bit_of(index), memory_order_relaxed);
    zslab_tcache_t *tc = &h->tc[c];
    uint32_t n = atomic_load_explicit(&tc->count, memory_order_relaxed);
    if (zslab_unlikely(n >= tc->capacity)) {
        /* The thread cache is full: the object goes to its slab. */
        _zslab_tcache_inc(&tc->direct);
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
    tc->cache[n] = ptr;
    atomic_store_explicit(&tc->count, n + 1, memory_order_relaxed);
    _zslab_tcache_inc(&tc->pushes);
}

static inline void local_free(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr,
                              uint32_t index)
{
    _Atomic uint64_t *w = _zslab_live_word(z, ptr, index);
    local_free_word(z, h, slab, slab->class_index, ptr, w,
                    atomic_load_explicit(w, memory_order_relaxed), index);
}

static bool size_fits(const zslab_slab_t *slab, size_t size)
{
    return size <= ZSLAB_MAX_CLASS_BYTES && _zslab_sizeclass_index(size) == slab->class_index;
}

/* Not a slab object of ours: a large object, or a pointer to report. */
static __attribute__((noinline)) void free_other(zslab_t *z, void *ptr, bool sized, size_t size)
{
    zslab_chunk_t *chunk = _zslab_registry_lookup(z, ptr);
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
 * thread without a heap yet, another thread's object, a slab with remote
 * frees pending, a double free, a wrong size. */
__attribute__((noinline)) void _zslab_free_slow(zslab_t *z, zslab_heap_t *h, zslab_chunk_t *chunk,
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
        uint32_t index = _zslab_object_index(z, ptr, slab->class_index);
        bool remote_freed =
            (atomic_load_explicit(_zslab_remote_word(z, ptr), memory_order_relaxed) &
             _zslab_remote_bit(ptr)) != 0;
        if (_zslab_live_test(z, ptr, index) && !remote_freed) {
            local_free(z, h, slab, ptr, index);
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

/* Another heap's object (or a pointer into the metadata): its remote free,
 * which falls back to the slow path itself, unless anything is off.  Every
 * way out of the fast path and of this is a tail call, so neither saves a
 * register. */
static __attribute__((noinline)) void free_not_own(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab,
                                                   void *ptr, bool sized, size_t size)
{
    if (zslab_likely(h && !h->shared && !sized)) {
        _zslab_remote_free_fast(z, h, slab, ptr);
        return;
    }
    _zslab_free_slow(z, h, _zslab_chunk_of(z, ptr), ptr, sized, size);
}

/*
 * The free fast path: a slab object of this thread's heap, live, in a slab
 * with no remote free pending, of the size given (sized).  Its checks, in
 * the order of the loads they need:
 *   - the registry entry of the pointer's chunk-sized unit is the chunk that
 *     starts there (a slab chunk of this instance; a large object's entry is
 *     its descriptor, never at a unit's start), so nothing foreign is read;
 *   - the slab descriptor says the slab is this heap's, and its class;
 *   - the class's reciprocal says the pointer starts an object, and which;
 *   - the object's live bit is set;
 *   - the slab's remote flag is clear: no remote free waits to be collected,
 *     so no remote bit needs reading (a remote free sets its bit, then the
 *     flag, and only the owner clears the flag, when it collects).
 */
static inline __attribute__((always_inline)) void free_object(zslab_t *z, void *ptr, bool sized,
                                                              size_t size)
{
    uintptr_t a = (uintptr_t)ptr, base = a & z->chunk_base_mask;
    zslab_heap_t *h = _zslab_heap_get(z);
    if (zslab_unlikely(_zslab_registry_entry(z, ptr) != (base | ZSLAB_REGISTRY_SLABS_TAG))) {
        free_other(z, ptr, sized, size);
        return;
    }
    zslab_chunk_t *chunk = (zslab_chunk_t *)base;
    /* In the metadata slabs the "descriptor" is the chunk header (its first
     * word is odd) or an unused slot (ZSLAB_OWNER_NONE): never a heap. */
    zslab_slab_t *slab = (zslab_slab_t *)(base + (((a - base) >> z->desc_shift) &
                                                  ~(uintptr_t)(sizeof(zslab_slab_t) - 1)));
    zslab_heap_t *owner = atomic_load_explicit(&slab->owner, memory_order_relaxed);
    if (zslab_unlikely(owner != h)) {
        free_not_own(z, h, slab, ptr, sized, size);
        return;
    }
    unsigned c = atomic_load_explicit(&slab->class_index, memory_order_relaxed);
    uint64_t recip = z->class_recip[c];
    uint64_t product = _zslab_index_product(z, ptr, recip);
    uint32_t index = (uint32_t)(product >> ZSLAB_DIV_SHIFT);
    _Atomic uint64_t *w = _zslab_live_word(z, ptr, index);
    uint64_t live = atomic_load_explicit(w, memory_order_relaxed);
    if (zslab_unlikely(
            !_zslab_product_is_start(product, recip) || (live & _zslab_bit_of(index)) == 0 ||
            atomic_load_explicit(&slab->remote_flag, memory_order_relaxed) != 0 ||
            (sized &&
             (size > ZSLAB_MAX_CLASS_BYTES ||
              z->class_of[(size + ZSLAB_MIN_CLASS_BYTES - 1) / ZSLAB_MIN_CLASS_BYTES] != c)))) {
        _zslab_free_slow(z, h, chunk, ptr, sized, size);
        return;
    }
    local_free_word(z, h, slab, c, ptr, w, live, index);
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

/* The size zslab_alloc_aligned() served: its class's, or @size for what it
 * served as zslab_alloc() would, or as a large object (page-rounded alike). */
void zslab_free_aligned_sized(zslab_t *z, void *ptr, size_t align, size_t size)
{
    if (!ptr)
        return;
    bool aligned = align > ZSLAB_MIN_CLASS_BYTES && (align & (align - 1)) == 0;
    if (aligned && size <= ZSLAB_MAX_CLASS_BYTES && align <= ZSLAB_MAX_CLASS_BYTES) {
        size = _zslab_sizeclass_bytes(aligned_class(size, align));
    } else if (aligned && size <= ZSLAB_MAX_CLASS_BYTES) {
        /* A small size at a large alignment: a large object of whole pages,
         * which no sized free of a class size names. */
        size_t pages = ((size ? size : 1) + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
        if (zslab_usable_size(z, ptr) == pages) {
            free_object(z, ptr, false, 0);
            return;
        }
    }
    free_object(z, ptr, true, size);
}

void *zslab_alloc_zeroed(zslab_t *z, size_t size)
{
    if (size > ZSLAB_MAX_CLASS_BYTES)
        return _zslab_large_alloc(z, size, ZSLAB_PAGE_BYTES, true);
    void *p = zslab_alloc(z, size);
    if (p)
        _zslab_mem_fill(p, 0, size);
    return p;
}

/* @ptr starts a live slab object of @z that a free would take (its own, not
 * freed remotely yet): the size of its class, else 0. */
static size_t live_slab_object(zslab_t *z, zslab_chunk_t *chunk, const void *ptr)
{
    zslab_slab_t *slab;
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, false, 0);
    if (!_zslab_find_object(z, chunk, ptr, &slab, &bad))
        return 0;
    uint32_t index = _zslab_object_index(z, ptr, slab->class_index);
    if (!_zslab_live_test(z, ptr, index) ||
        (atomic_load_explicit(_zslab_remote_word(z, ptr), memory_order_relaxed) &
         _zslab_remote_bit(ptr)) != 0)
        return 0;
    return bad.object_bytes;
}

/* Moves @ptr (@usable bytes) to a new object of @size bytes. */
static void *realloc_move(zslab_t *z, void *ptr, size_t usable, size_t size)
{
    void *moved = zslab_alloc(z, size);
    if (!moved)
        return NULL;
    _zslab_mem_copy(moved, ptr, usable < size ? usable : size);
    zslab_free(z, ptr);
    return moved;
}

void *zslab_realloc(zslab_t *z, void *ptr, size_t size)
{
    if (!ptr)
        return zslab_alloc(z, size);
    zslab_chunk_t *chunk = _zslab_registry_lookup(z, ptr);
    zslab_chunk_kind_t kind =
        chunk ? (zslab_chunk_kind_t)atomic_load_explicit(&chunk->kind, memory_order_relaxed)
              : ZSLAB_CHUNK_UNUSED;
    if (kind == ZSLAB_CHUNK_SLABS) {
        size_t usable = live_slab_object(z, chunk, ptr);
        if (usable != 0) {
            if (size <= ZSLAB_MAX_CLASS_BYTES &&
                z->class_bytes[z->class_of[(size + ZSLAB_MIN_CLASS_BYTES - 1) /
                                           ZSLAB_MIN_CLASS_BYTES]] == usable)
                return ptr;
            return realloc_move(z, ptr, usable, size);
        }
    } else if (kind == ZSLAB_CHUNK_LARGE) {
        size_t usable = zslab_usable_size(z, ptr);
        if (usable != 0 && size <= ZSLAB_MAX_CLASS_BYTES)
            return realloc_move(z, ptr, usable, size);
        bool valid = false;
        void *p = usable != 0 ? _zslab_large_realloc(z, ptr, size, &valid) : NULL;
        if (valid)
            return p;
    }
    zslab_free(z, ptr); /* not a live object: reported as a bad free */
    return NULL;
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
