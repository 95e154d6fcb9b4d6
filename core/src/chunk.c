/* SPDX-License-Identifier: MIT */
/*
 * chunk.c - chunks: chunk-aligned mappings from the platform, cut into slabs.
 *
 * A chunk is mapped when the carving chunk has no slab left, registered so a
 * free can find it from any address inside, and given back only when the
 * instance is destroyed.  Large objects use the same mapping code with their
 * own size (large.c).
 */
#include "internal.h"

static size_t round_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

/* Where the metadata goes, from the config (chunk and slab sizes). */
void _zslab_chunk_layout(zslab_t *z)
{
    size_t slab_bytes = (size_t)1 << z->slab_shift;
    z->slab_count = (uint32_t)(((size_t)1 << z->chunk_shift) >> z->slab_shift);
    z->bitmap_words = (uint32_t)(slab_bytes / ZSLAB_MIN_CLASS_BYTES / ZSLAB_BITMAP_WORD_BITS);
    size_t header = sizeof(zslab_chunk_t) + (size_t)z->slab_count * sizeof(zslab_slab_t);
    z->bitmap_offset = round_up(header, ZSLAB_CACHE_LINE_BYTES);
    size_t metadata = z->bitmap_offset + (size_t)z->slab_count * z->bitmap_words * sizeof(uint64_t);
    z->first_slab = (uint32_t)(round_up(metadata, slab_bytes) >> z->slab_shift);
}

/*
 * Maps @bytes (page multiple) aligned to @align (a chunk or more), writes the
 * header and registers every chunk-sized unit it covers.  A large object's
 * caller sets its object fields.  Called with chunk_lock held.
 */
zslab_chunk_t *_zslab_chunk_map(zslab_t *z, size_t bytes, zslab_chunk_kind_t kind, size_t align)
{
    unsigned flags = z->cfg.prefault == ZSLAB_PREFAULT_CHUNK ? ZSLAB_PLATFORM_MAP_PREFAULT : 0;
    zslab_stat_inc(&z->stats, platform_map_calls);
    zslab_chunk_t *chunk = zslab_platform_map(bytes, align, z->cfg.numa_node, flags);
    if (!chunk)
        return NULL;
    chunk->magic = ZSLAB_CHUNK_MAGIC;
    chunk->owner = z;
    chunk->map_bytes = bytes;
    chunk->kind = kind;
    atomic_store_explicit(&chunk->carved, z->first_slab, memory_order_relaxed);
    if (!_zslab_registry_set(z, chunk, bytes, chunk)) {
        zslab_stat_inc(&z->stats, platform_unmap_calls);
        zslab_platform_unmap(chunk, bytes);
        return NULL;
    }
    chunk->prev = NULL;
    chunk->next = z->mappings;
    if (z->mappings)
        z->mappings->prev = chunk;
    z->mappings = chunk;
    zslab_stat_gauge_add(&z->stats, platform_bytes, bytes);
    if (kind == ZSLAB_CHUNK_SLABS)
        zslab_stat_gauge_add(&z->stats, chunks, 1);
    return chunk;
}

/* Unregisters and returns @chunk to the platform.  Called with chunk_lock
 * held; the platform call itself is short for a single mapping. */
void _zslab_chunk_unmap(zslab_t *z, zslab_chunk_t *chunk)
{
    (void)_zslab_registry_set(z, chunk, chunk->map_bytes, NULL);
    if (chunk->prev)
        chunk->prev->next = chunk->next;
    else
        z->mappings = chunk->next;
    if (chunk->next)
        chunk->next->prev = chunk->prev;
    zslab_stat_gauge_sub(&z->stats, platform_bytes, chunk->map_bytes);
    if (chunk->kind == ZSLAB_CHUNK_SLABS)
        zslab_stat_gauge_sub(&z->stats, chunks, 1);
    zslab_stat_inc(&z->stats, platform_unmap_calls);
    chunk->magic = 0;
    zslab_platform_unmap(chunk, chunk->map_bytes);
}

/* A fresh slab for any class; NULL when the platform has no memory left.
 * Called with a class lock held (lock order: class, then chunk). */
zslab_slab_t *_zslab_chunk_carve(zslab_t *z)
{
    zslab_slab_t *slab = NULL;
    zslab_platform_lock_acquire(&z->chunk_lock);
    zslab_chunk_t *chunk = z->carving;
    if (!chunk || atomic_load_explicit(&chunk->carved, memory_order_relaxed) == z->slab_count) {
        size_t chunk_bytes = (size_t)1 << z->chunk_shift;
        chunk = _zslab_chunk_map(z, chunk_bytes, ZSLAB_CHUNK_SLABS, chunk_bytes);
        if (chunk)
            z->carving = chunk;
    }
    if (chunk) {
        uint32_t index = atomic_load_explicit(&chunk->carved, memory_order_relaxed);
        slab = &chunk->slabs[index];
        atomic_store_explicit(&chunk->carved, index + 1, memory_order_release);
    }
    zslab_platform_lock_release(&z->chunk_lock);
    return slab;
}

/* zslab_destroy(): every mapping goes back, registered or not. */
void _zslab_chunk_release_all(zslab_t *z)
{
    zslab_chunk_t *chunk = z->mappings;
    while (chunk) {
        zslab_chunk_t *next = chunk->next;
        zslab_platform_unmap(chunk, chunk->map_bytes);
        chunk = next;
    }
    z->mappings = NULL;
    z->carving = NULL;
}
