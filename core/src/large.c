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

/* @align is a power of two, at least a page. */
void *_zslab_large_alloc(zslab_t *z, size_t size, size_t align)
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
    zslab_chunk_t *d = descriptor_get(z);
    if (d) {
        zslab_stat_inc(&z->large_stats, platform_map_calls);
        map = zslab_platform_map(object_bytes, align > chunk_bytes ? align : chunk_bytes,
                                 z->cfg.numa_node, flags);
    }
    if (map) {
        d->map = map;
        d->map_bytes = object_bytes;
        d->object = map;
        d->object_bytes = object_bytes;
        atomic_store_explicit(&d->kind, ZSLAB_CHUNK_LARGE, memory_order_relaxed);
        if (!_zslab_registry_set(z, map, object_bytes, d)) {
            zslab_stat_inc(&z->large_stats, platform_unmap_calls);
            zslab_platform_unmap(map, object_bytes);
            map = NULL;
        }
    }
    if (map) {
        link_large(z, d);
        zslab_stat_gauge_add(&z->large_stats, platform_bytes, object_bytes);
        zslab_stat_inc(&z->large_stats, large_allocs);
        zslab_stat_inc(&z->large_stats, alloc_calls);
        zslab_stat_gauge_add(&z->large_stats, bytes_in_use, object_bytes);
    } else if (d) {
        descriptor_put(z, d);
    }
    zslab_platform_lock_release(&z->large_lock);
    return map;
}

static zslab_bad_t check_free(const zslab_chunk_t *d, const uint8_t *ptr, bool sized, size_t size)
{
    uintptr_t p = (uintptr_t)ptr, object = (uintptr_t)d->object;
    if (p < object || p - object >= d->object_bytes)
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
        (void)_zslab_registry_set(z, d->map, d->map_bytes, NULL);
        unlink_large(z, d);
        zslab_stat_inc(&z->large_stats, free_calls);
        zslab_stat_gauge_sub(&z->large_stats, bytes_in_use, d->object_bytes);
        zslab_stat_gauge_sub(&z->large_stats, platform_bytes, d->map_bytes);
        zslab_stat_inc(&z->large_stats, platform_unmap_calls);
        zslab_platform_unmap(d->map, d->map_bytes);
        descriptor_put(z, d);
    }
    zslab_platform_lock_release(&z->large_lock);
    if (bad.kind != 0)
        _zslab_report_bad(z, &bad);
}

/* zslab_destroy(): live large objects and the descriptor pool go back. */
void _zslab_large_release_all(zslab_t *z)
{
    for (zslab_chunk_t *d = z->large; d; d = d->next)
        zslab_platform_unmap(d->map, d->map_bytes);
    zslab_chunk_t *page = z->large_pages;
    while (page) {
        zslab_chunk_t *next = page->next;
        zslab_platform_unmap(page, ZSLAB_PAGE_BYTES);
        page = next;
    }
    z->large = z->large_free = z->large_pages = NULL;
}
