/* SPDX-License-Identifier: MIT */
/*
 * large.c - requests above ZSLAB_MAX_CLASS_BYTES.
 *
 * Each is its own chunk-aligned mapping: one header page (the zslab_chunk_t,
 * so the object's pages carry no metadata) followed by the request rounded up
 * to whole pages.  zslab_alloc_aligned() above a page moves the object to an
 * @align boundary of the mapping, and aligns the mapping itself to @align
 * when that is above the chunk size.  Free returns the mapping to the platform at once.  The
 * mapping is registered for every unit it covers, so an interior pointer is
 * named as one.
 */
#include "internal.h"

/* @align is a power of two, at least a page.  The header page sits at the
 * mapping's start, and the object @align bytes in (a page for the default). */
void *_zslab_large_alloc(zslab_t *z, size_t size, size_t align)
{
    size_t chunk_bytes = (size_t)1 << z->chunk_shift;
    /* The mapping adds the object's offset, and the platform up to one
     * alignment of slack: refuse what would overflow. */
    if (align > ZSLAB_MAX_REQUEST_BYTES / 4 ||
        size > ZSLAB_MAX_REQUEST_BYTES - 2 * chunk_bytes - 2 * align)
        return NULL;
    size_t object_bytes = (size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
    if (object_bytes == 0)
        object_bytes = ZSLAB_PAGE_BYTES;

    zslab_platform_lock_acquire(&z->chunk_lock);
    zslab_chunk_t *chunk = _zslab_chunk_map(z, align + object_bytes, ZSLAB_CHUNK_LARGE,
                                            align > chunk_bytes ? align : chunk_bytes);
    if (chunk) {
        chunk->object = (uint8_t *)chunk + align;
        chunk->object_bytes = object_bytes;
        zslab_stat_inc(&z->stats, large_allocs);
        zslab_stat_inc(&z->stats, alloc_calls);
        zslab_stat_gauge_add(&z->stats, bytes_in_use, object_bytes);
    }
    zslab_platform_lock_release(&z->chunk_lock);
    return chunk ? chunk->object : NULL;
}

static zslab_bad_t check_free(const zslab_chunk_t *chunk, const uint8_t *ptr, bool sized,
                              size_t size)
{
    uintptr_t p = (uintptr_t)ptr, object = (uintptr_t)chunk->object;
    if (p != object)
        return p > object && p - object < chunk->object_bytes ? ZSLAB_BAD_LARGE_INTERIOR
                                                              : ZSLAB_BAD_NOT_OBJECT;
    if (sized && (size <= ZSLAB_MAX_CLASS_BYTES ||
                  ((size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1)) != chunk->object_bytes))
        return ZSLAB_BAD_WRONG_SIZE;
    return 0;
}

/* @chunk is what a lock-free lookup of @ptr found; it is looked up again under
 * chunk_lock, so a concurrent free of the same object is caught. */
void _zslab_large_free(zslab_t *z, zslab_chunk_t *chunk, void *ptr, bool sized, size_t size)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, sized, size);
    zslab_platform_lock_acquire(&z->chunk_lock);
    zslab_chunk_t *found = _zslab_registry_lookup(z, ptr);
    if (!found || found != chunk) {
        bad.kind = ZSLAB_BAD_FOREIGN;
    } else {
        bad.kind = check_free(chunk, ptr, sized, size);
        bad.base = bad.kind == ZSLAB_BAD_NOT_OBJECT ? (void *)chunk : chunk->object;
        bad.object_bytes = chunk->object_bytes;
        bad.offset = (size_t)((uint8_t *)ptr - chunk->object);
    }
    if (bad.kind == 0) {
        zslab_stat_inc(&z->stats, free_calls);
        zslab_stat_gauge_sub(&z->stats, bytes_in_use, chunk->object_bytes);
        _zslab_chunk_unmap(z, chunk);
    }
    zslab_platform_lock_release(&z->chunk_lock);
    if (bad.kind != 0)
        _zslab_report_bad(z, &bad);
}
