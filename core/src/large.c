/* SPDX-License-Identifier: MIT */
/*
 * large.c - requests above ZSLAB_MAX_CLASS_BYTES.
 *
 * Each is its own mapping, aligned to the chunk size (or to @align when that
 * is larger), the object at its start.  Its descriptor (a zslab_chunk_t of
 * kind LARGE) lives in a pool of descriptor pages that is never unmapped
 * before zslab_destroy(), and the registry points every chunk-sized unit the
 * mapping touches at it.  So free() may read the descriptor it looked up
 * without a lock even while another thread frees the same object and unmaps
 * it: the descriptor stays readable, and the free is decided under
 * large_lock after a second lookup.  A pointer inside a registered unit but
 * outside the mapping (someone else's page there) is foreign.
 *
 * A freed object whose mapping is at most ZSLAB_LARGE_CACHE_MAP_BYTES keeps
 * its mapping (and its registration, as kind CACHED: a free of it is still
 * "not allocated"), up to ZSLAB_LARGE_CACHE_COUNT of them, for the next
 * large allocation that fits one.  A realloc resizes a mapping without
 * copying it (zslab_platform_remap()): in its spare pages, in place, or by
 * moving its pages to a new mapping.
 */
#include "internal.h"

#define DESCRIPTORS_PER_PAGE (ZSLAB_PAGE_BYTES / sizeof(zslab_chunk_t))

/* A free descriptor; large_lock is held.  The first descriptor of each pool
 * page links the pages. */
static zslab_chunk_t *descriptor_get(zslab_t *z)
{
    if (!z->large_free) {
        zslab_stat_inc(&z->large_stats, platform_map_calls);
        zslab_chunk_t *page =
            zslab_platform_map(ZSLAB_PAGE_BYTES, ZSLAB_PAGE_BYTES, ZSLAB_PLATFORM_NODE_ANY, 0);
        if (!page)
            return NULL;
        zslab_stat_gauge_add(&z->large_stats, platform_bytes, ZSLAB_PAGE_BYTES);
        page->next = z->large_pages;
        z->large_pages = page;
        for (size_t i = DESCRIPTORS_PER_PAGE - 1; i >= 1; i--) {
            page[i].next = z->large_free;
            z->large_free = &page[i];
        }
    }
    zslab_chunk_t *d = z->large_free;
    z->large_free = d->next;
    return d;
}

static void descriptor_put(zslab_t *z, zslab_chunk_t *d)
{
    atomic_store_explicit(&d->kind, ZSLAB_CHUNK_UNUSED, memory_order_relaxed);
    d->next = z->large_free;
    z->large_free = d;
}

static void link_large(zslab_t *z, zslab_chunk_t *d)
{
    d->prev = NULL;
    d->next = z->large;
    if (z->large)
        z->large->prev = d;
    z->large = d;
}

static void unlink_large(zslab_t *z, zslab_chunk_t *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        z->large = d->next;
    if (d->next)
        d->next->prev = d->prev;
}

/* The mapping's units point at @d; @d describes the object at its start. */
static bool register_object(zslab_t *z, zslab_chunk_t *d, uint8_t *map, size_t map_bytes,
                            size_t object_bytes)
{
    d->map = map;
    d->map_bytes = map_bytes;
    d->object = map;
    d->object_bytes = object_bytes;
    atomic_store_explicit(&d->kind, ZSLAB_CHUNK_LARGE, memory_order_relaxed);
    return _zslab_registry_set(z, map, map_bytes, d);
}

/* large_lock is held.  A cached mapping that fits @object_bytes without
 * wasting more than half of it (the smallest such), out of the cache. */
static zslab_chunk_t *cache_take(zslab_t *z, size_t object_bytes)
{
    uint32_t best = z->large_cached;
    for (uint32_t i = 0; i < z->large_cached; i++) {
        size_t have = z->large_cache[i]->map_bytes;
        if (have >= object_bytes && have / 2 <= object_bytes &&
            (best == z->large_cached || have < z->large_cache[best]->map_bytes))
            best = i;
    }
    if (best == z->large_cached)
        return NULL;
    zslab_chunk_t *d = z->large_cache[best];
    for (uint32_t i = best + 1; i < z->large_cached; i++)
        z->large_cache[i - 1] = z->large_cache[i];
    z->large_cached--;
    return d;
}

/* large_lock is held: @d's mapping goes back to the platform. */
static void unmap_object(zslab_t *z, zslab_chunk_t *d)
{
    (void)_zslab_registry_set(z, d->map, d->map_bytes, NULL);
    zslab_stat_gauge_sub(&z->large_stats, platform_bytes, d->map_bytes);
    zslab_stat_inc(&z->large_stats, platform_unmap_calls);
    zslab_platform_unmap(d->map, d->map_bytes);
    descriptor_put(z, d);
}

/* large_lock is held: a freed object's mapping is kept, or unmapped.  A kept
 * one stays registered as CACHED, so a free of it is still "not allocated". */
static void retire(zslab_t *z, zslab_chunk_t *d)
{
    if (d->map_bytes > ZSLAB_LARGE_CACHE_MAP_BYTES) {
        unmap_object(z, d);
        return;
    }
    atomic_store_explicit(&d->kind, ZSLAB_CHUNK_CACHED, memory_order_relaxed);
    if (z->large_cached == ZSLAB_LARGE_CACHE_COUNT) {
        zslab_chunk_t *oldest = z->large_cache[0];
        for (uint32_t i = 1; i < z->large_cached; i++)
            z->large_cache[i - 1] = z->large_cache[i];
        z->large_cached--;
        unmap_object(z, oldest);
    }
    z->large_cache[z->large_cached++] = d;
}

/* @align is a power of two, at least a page.  @zeroed: the object must read
 * as zero (a fresh mapping does; a reused one is cleared). */
void *_zslab_large_alloc(zslab_t *z, size_t size, size_t align, bool zeroed)
{
    size_t chunk_bytes = (size_t)1 << z->chunk_shift;
    /* The platform may map up to one alignment of slack: refuse what would
     * overflow. */
    if (align > ZSLAB_MAX_REQUEST_BYTES / 4 ||
        size > ZSLAB_MAX_REQUEST_BYTES - 2 * chunk_bytes - 2 * align)
        return NULL;
    size_t object_bytes = (size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
    if (object_bytes == 0)
        object_bytes = ZSLAB_PAGE_BYTES;
    unsigned flags = z->cfg.prefault == ZSLAB_PREFAULT_CHUNK ? ZSLAB_PLATFORM_MAP_PREFAULT : 0;

    zslab_platform_lock_acquire(&z->large_lock);
    uint8_t *map = NULL;
    /* Every cached mapping is chunk-aligned. */
    zslab_chunk_t *d = align <= chunk_bytes ? cache_take(z, object_bytes) : NULL;
    if (d) {
        map = d->map;
        d->object_bytes = object_bytes;
        atomic_store_explicit(&d->kind, ZSLAB_CHUNK_LARGE, memory_order_relaxed);
        if (zeroed)
            _zslab_mem_fill(map, 0, size);
    } else {
        d = descriptor_get(z);
        if (d) {
            zslab_stat_inc(&z->large_stats, platform_map_calls);
            map = zslab_platform_map(object_bytes, align > chunk_bytes ? align : chunk_bytes,
                                     z->cfg.numa_node, flags);
        }
        if (map) {
            zslab_stat_gauge_add(&z->large_stats, platform_bytes, object_bytes);
            if (!register_object(z, d, map, object_bytes, object_bytes)) {
                unmap_object(z, d);
                d = NULL;
                map = NULL;
            }
        } else if (d) {
            descriptor_put(z, d);
        }
    }
    if (map) {
        link_large(z, d);
        zslab_stat_inc(&z->large_stats, large_allocs);
        zslab_stat_inc(&z->large_stats, alloc_calls);
        zslab_stat_gauge_add(&z->large_stats, bytes_in_use, d->object_bytes);
    }
    zslab_platform_lock_release(&z->large_lock);
    return map;
}

static zslab_bad_t check_free(const zslab_chunk_t *d, const uint8_t *ptr, bool sized, size_t size)
{
    uintptr_t p = (uintptr_t)ptr, object = (uintptr_t)d->object;
    if (p < object || p - object >= d->map_bytes)
        return ZSLAB_BAD_FOREIGN; /* in a unit of ours, not in our mapping */
    if (p != object)
        return ZSLAB_BAD_LARGE_INTERIOR;
    if (sized && (size <= ZSLAB_MAX_CLASS_BYTES ||
                  ((size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1)) != d->object_bytes))
        return ZSLAB_BAD_WRONG_SIZE;
    return 0;
}

/* @d is what a lock-free lookup of @ptr found; it is looked up again under
 * large_lock (which every write of a large registration holds), so a
 * concurrent free of the same object, or a reuse of the descriptor, is seen. */
void _zslab_large_free(zslab_t *z, zslab_chunk_t *d, void *ptr, bool sized, size_t size)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, sized, size);
    zslab_platform_lock_acquire(&z->large_lock);
    zslab_chunk_t *found = _zslab_registry_lookup(z, ptr);
    if (!d || found != d ||
        atomic_load_explicit(&d->kind, memory_order_relaxed) != ZSLAB_CHUNK_LARGE) {
        bad.kind = ZSLAB_BAD_FOREIGN;
    } else {
        bad.kind = check_free(d, ptr, sized, size);
        bad.base = d->object;
        bad.object_bytes = d->object_bytes;
        bad.offset = (size_t)((uint8_t *)ptr - d->object);
    }
    if (bad.kind == 0) {
        unlink_large(z, d);
        zslab_stat_inc(&z->large_stats, free_calls);
        zslab_stat_gauge_sub(&z->large_stats, bytes_in_use, d->object_bytes);
        retire(z, d);
    }
    zslab_platform_lock_release(&z->large_lock);
    if (bad.kind != 0)
        _zslab_report_bad(z, &bad);
}

/* large_lock is held.  @d's object grows or shrinks to @object_bytes
 * (page-rounded) without a copy where the platform can: within its mapping,
 * by resizing it in place, or by moving its pages into a new chunk-aligned
 * mapping.  False when no memory is available; @d is as it was. */
static bool resize(zslab_t *z, zslab_chunk_t *d, size_t object_bytes)
{
    size_t chunk_bytes = (size_t)1 << z->chunk_shift;
    size_t old = d->map_bytes;
    if (object_bytes <= old) {
        /* A shrink keeps up to half its mapping spare for a regrowth. */
        if (object_bytes >= old / 2 || !zslab_platform_remap(d->map, old, object_bytes, NULL))
            return true;
        (void)_zslab_registry_set(z, d->map, old, NULL);
        (void)_zslab_registry_set(z, d->map, object_bytes, d); /* its leaves exist */
        d->map_bytes = object_bytes;
        zslab_stat_gauge_sub(&z->large_stats, platform_bytes, old - object_bytes);
        return true;
    }
    if (zslab_platform_remap(d->map, old, object_bytes, NULL)) {
        if (_zslab_registry_set(z, d->map, object_bytes, d)) {
            d->map_bytes = object_bytes;
            zslab_stat_gauge_add(&z->large_stats, platform_bytes, object_bytes - old);
            return true;
        }
        (void)zslab_platform_remap(d->map, object_bytes, old, NULL); /* a shrink: cannot fail */
    }
    zslab_stat_inc(&z->large_stats, platform_map_calls);
    uint8_t *target = zslab_platform_map(object_bytes, chunk_bytes, z->cfg.numa_node, 0);
    if (!target)
        return false;
    zslab_stat_gauge_add(&z->large_stats, platform_bytes, object_bytes);
    if (!_zslab_registry_set(z, target, object_bytes, d)) {
        zslab_stat_gauge_sub(&z->large_stats, platform_bytes, object_bytes);
        zslab_stat_inc(&z->large_stats, platform_unmap_calls);
        zslab_platform_unmap(target, object_bytes);
        return false;
    }
    /* The mappings are apart, each from a unit's start: no unit is both's. */
    if (zslab_platform_remap(d->map, old, object_bytes, target)) {
        (void)_zslab_registry_set(z, d->map, old, NULL);
    } else {
        _zslab_mem_copy(target, d->map, d->object_bytes);
        (void)_zslab_registry_set(z, d->map, old, NULL);
        zslab_stat_inc(&z->large_stats, platform_unmap_calls);
        zslab_platform_unmap(d->map, old);
    }
    zslab_stat_gauge_sub(&z->large_stats, platform_bytes, old);
    d->map = target;
    d->object = target;
    d->map_bytes = object_bytes;
    return true;
}

/* zslab_realloc() of @ptr, which a lock-free look-up found to be a large
 * object, to @size bytes (above ZSLAB_MAX_CLASS_BYTES).  *@valid is false
 * when, looked up again under large_lock, @ptr starts no live large object:
 * the caller reports it. */
void *_zslab_large_realloc(zslab_t *z, void *ptr, size_t size, bool *valid)
{
    size_t chunk_bytes = (size_t)1 << z->chunk_shift;
    if (size > ZSLAB_MAX_REQUEST_BYTES - 2 * chunk_bytes) {
        *valid = true;
        return NULL;
    }
    size_t object_bytes = (size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
    void *out = NULL;
    zslab_platform_lock_acquire(&z->large_lock);
    zslab_chunk_t *d = _zslab_registry_lookup(z, ptr);
    *valid = d && atomic_load_explicit(&d->kind, memory_order_relaxed) == ZSLAB_CHUNK_LARGE &&
             d->object == ptr;
    if (*valid) {
        size_t before = d->object_bytes;
        if (resize(z, d, object_bytes)) {
            d->object_bytes = object_bytes;
            zslab_stat_gauge_add(&z->large_stats, bytes_in_use, object_bytes);
            zslab_stat_gauge_sub(&z->large_stats, bytes_in_use, before);
            out = d->object;
        }
    }
    zslab_platform_lock_release(&z->large_lock);
    return out;
}

/* zslab_trim(): every cached mapping goes back; the bytes released. */
size_t _zslab_large_trim(zslab_t *z)
{
    size_t released = 0;
    zslab_platform_lock_acquire(&z->large_lock);
    while (z->large_cached) {
        zslab_chunk_t *d = z->large_cache[--z->large_cached];
        released += d->map_bytes;
        unmap_object(z, d);
    }
    _zslab_stat_add(&z->large_stats.bytes_released, released);
    zslab_platform_lock_release(&z->large_lock);
    return released;
}

/* zslab_destroy(): live large objects and the descriptor pool go back. */
void _zslab_large_release_all(zslab_t *z)
{
    for (zslab_chunk_t *d = z->large; d; d = d->next)
        zslab_platform_unmap(d->map, d->map_bytes);
    for (uint32_t i = 0; i < z->large_cached; i++)
        zslab_platform_unmap(z->large_cache[i]->map, z->large_cache[i]->map_bytes);
    z->large_cached = 0;
    zslab_chunk_t *page = z->large_pages;
    while (page) {
        zslab_chunk_t *next = page->next;
        zslab_platform_unmap(page, ZSLAB_PAGE_BYTES);
        page = next;
    }
    z->large = z->large_free = z->large_pages = NULL;
}
