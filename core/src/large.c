/* SPDX-License-Identifier: MIT */
/*
 * large.c - requests above ZSLAB_MAX_CLASS_BYTES.
 *
 * Each is its own chunk-aligned mapping: one header page (the zslab_chunk_t,
 * so the object's pages carry no metadata) followed by the request rounded up
 * to whole pages.  Free returns the mapping to the platform at once.  The
 * mapping is registered for every unit it covers, so an interior pointer is
 * named as one.
 */
#include "internal.h"

void *_zslab_large_alloc(zslab_t *z, size_t size)
{
    /* The mapping adds a header page, and the platform up to one chunk of
     * alignment slack: refuse what would overflow. */
    if (size > ZSLAB_MAX_REQUEST_BYTES - ((size_t)2 << z->chunk_shift))
        return NULL;
    size_t object_bytes = (size + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);

    zslab_platform_lock_acquire(&z->chunk_lock);
    zslab_chunk_t *chunk = _zslab_chunk_map(z, ZSLAB_PAGE_BYTES + object_bytes, ZSLAB_CHUNK_LARGE);
    if (chunk) {
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
