/* SPDX-License-Identifier: MIT */
/*
 * chunk.c - chunks: chunk-aligned pieces of a reservation, cut into slabs.
 *
 * A node cuts chunks, in address order, out of reservations of reserve_bytes
 * got from the platform in one call each (64 MiB by default: one system call
 * per 32 chunks).  A chunk is set up and registered when its first slab is
 * carved, so alloc never touches a chunk nobody asked for.  Once all its
 * slabs are free (in the node cache, or never carved) decay or trim gives it
 * back: every page but its first (header and descriptors) is purged in one
 * call, and its address range waits on the node's returned list to be carved
 * again.  Nothing is unmapped before zslab_destroy(), so a pointer into a
 * given-back chunk still finds its metadata readable.
 */
#include "internal.h"

static size_t round_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

/* Where the metadata goes, from the config: the fewest leading slabs that hold
 * the header, one descriptor per data slab and the two bitmaps (one bit per
 * 8-byte granule of the data slabs, each). */
void _zslab_chunk_layout(zslab_t *z)
{
    size_t slab_bytes = (size_t)1 << z->slab_shift;
    size_t bitmap_per_slab = slab_bytes >> (ZSLAB_GRANULE_SHIFT + 3); /* bytes */
    z->slab_count = (uint32_t)(((size_t)1 << z->chunk_shift) >> z->slab_shift);
    uint32_t first = 1;
    size_t meta = 0;
    for (; first < z->slab_count; first++) {
        size_t data = z->slab_count - first;
        meta = sizeof(zslab_chunk_t) + data * sizeof(zslab_slab_t) + 2 * data * bitmap_per_slab;
        if (meta <= (size_t)first * slab_bytes)
            break;
    }
    z->first_slab = first;
    z->data_slabs = z->slab_count - first;
    z->metadata_bytes = meta;
    size_t live = round_up(sizeof(zslab_chunk_t) + z->data_slabs * sizeof(zslab_slab_t),
                           ZSLAB_CACHE_LINE_BYTES);
    size_t remote = live + z->data_slabs * bitmap_per_slab;
    size_t skipped = ((size_t)first * slab_bytes) >> (ZSLAB_WORD_SPAN_SHIFT - 3);
    z->live_bias = (uintptr_t)live - skipped;
    z->remote_bias = (uintptr_t)remote - skipped;
}

/* Node argument for the platform: none on a one-node machine (no mbind). */
static int platform_node(const zslab_t *z, const zslab_node_t *node)
{
    if (z->cfg.numa_node != ZSLAB_NODE_ANY)
        return z->cfg.numa_node;
    return z->node_count > 1 ? (int)node->index : ZSLAB_PLATFORM_NODE_ANY;
}

/* A new reservation for @node; the node lock is held. */
static bool reserve(zslab_t *z, zslab_node_t *node)
{
    size_t bytes = z->cfg.reserve_bytes, chunk_bytes = (size_t)1 << z->chunk_shift;
    zslab_stat_inc(&node->stats, platform_map_calls);
    uint8_t *base =
        zslab_platform_map(bytes, chunk_bytes, platform_node(z, node), ZSLAB_PLATFORM_MAP_RESERVE);
    if (!base)
        return false;
    zslab_stat_gauge_add(&node->stats, platform_bytes, bytes);
    zslab_chunk_t *first = (zslab_chunk_t *)(void *)base;
    first->map_bytes = bytes;
    zslab_platform_lock_acquire(&z->registry_lock);
    first->object = (uint8_t *)z->reservations;
    z->reservations = first;
    zslab_platform_lock_release(&z->registry_lock);
    node->reserve_next = base;
    node->reserve_end = base + bytes;
    return true;
}

/* Header and descriptors of a chunk about to serve; registered last, so a
 * lookup never finds it half made. */
static bool set_up(zslab_t *z, zslab_node_t *node, zslab_chunk_t *chunk)
{
    chunk->kind = ZSLAB_CHUNK_SLABS;
    chunk->node = (uint16_t)node->index;
    for (uint32_t i = z->first_slab; i < z->slab_count; i++) {
        zslab_slab_t *s = _zslab_slab_at(z, chunk, i);
        atomic_store_explicit(&s->owner, ZSLAB_OWNER_NONE, memory_order_relaxed);
        s->state = ZSLAB_SLAB_FREE;
    }
    return _zslab_registry_set(z, chunk, (size_t)1 << z->chunk_shift, chunk);
}

static void link_chunk(zslab_chunk_t **list, zslab_chunk_t *chunk)
{
    chunk->prev = NULL;
    chunk->next = *list;
    if (*list)
        (*list)->prev = chunk;
    *list = chunk;
}

static void unlink_chunk(zslab_chunk_t **list, zslab_chunk_t *chunk)
{
    if (chunk->prev)
        chunk->prev->next = chunk->next;
    else
        *list = chunk->next;
    if (chunk->next)
        chunk->next->prev = chunk->prev;
    chunk->next = chunk->prev = NULL;
}

/* The next chunk to carve: a given-back one, else the reservation's next,
 * else a new reservation.  NULL when the platform has no memory. */
static zslab_chunk_t *next_chunk(zslab_t *z, zslab_node_t *node)
{
    zslab_chunk_t *chunk = node->returned;
    if (chunk) {
        unlink_chunk(&node->returned, chunk);
        chunk->returned = 0;
    } else {
        size_t chunk_bytes = (size_t)1 << z->chunk_shift;
        if (node->reserve_next == node->reserve_end && !reserve(z, node))
            return NULL;
        chunk = (zslab_chunk_t *)(void *)node->reserve_next;
        if (!set_up(z, node, chunk)) {
            _zslab_report_nomem("registry", sizeof(zslab_registry_leaf_t), z->cfg.numa_node);
            return NULL;
        }
        node->reserve_next += chunk_bytes;
    }
    chunk->carved = (uint16_t)z->first_slab;
    chunk->populated = (uint16_t)z->first_slab;
    chunk->free_slabs = (uint16_t)z->data_slabs;
    link_chunk(&node->chunks, chunk);
    zslab_stat_gauge_add(&node->stats, chunks, 1);
    return chunk;
}

/* A never-used slab for any class, or NULL when the platform has no memory;
 * *@fresh_chunk says it is its chunk's first.  The node lock is held. */
zslab_slab_t *_zslab_chunk_carve(zslab_t *z, zslab_node_t *node, bool *fresh_chunk)
{
    zslab_chunk_t *chunk = node->carving;
    *fresh_chunk = false;
    if (!chunk || chunk->carved == z->slab_count) {
        chunk = next_chunk(z, node);
        node->carving = chunk;
        if (!chunk)
            return NULL;
        *fresh_chunk = true;
    }
    zslab_slab_t *slab = _zslab_slab_at(z, chunk, chunk->carved++);
    chunk->free_slabs--;
    return slab;
}

/* @chunk's slabs are all free: out of the cache lists, every page but the
 * first purged in one call, onto the returned list.  The node lock is held. */
void _zslab_chunk_give_back(zslab_t *z, zslab_node_t *node, zslab_chunk_t *chunk)
{
    size_t slab_bytes = (size_t)1 << z->slab_shift, chunk_bytes = (size_t)1 << z->chunk_shift;
    uint64_t resident = 0;
    zslab_assert(chunk->free_slabs == z->data_slabs);
    for (uint32_t i = z->first_slab; i < chunk->carved; i++) {
        zslab_slab_t *s = _zslab_slab_at(z, chunk, i);
        if (s->state == ZSLAB_SLAB_DIRTY) {
            _zslab_list_remove(&node->dirty, s);
            resident++;
        } else if (s->state == ZSLAB_SLAB_CLEAN) {
            _zslab_list_remove(&node->clean, s);
        }
        s->state = ZSLAB_SLAB_FREE;
        s->purged = 0;
    }
    if (chunk->populated > chunk->carved)
        resident += chunk->populated - chunk->carved;
    size_t from =
        round_up(sizeof(zslab_chunk_t) + z->data_slabs * sizeof(zslab_slab_t), ZSLAB_PAGE_BYTES);
    zslab_platform_purge((uint8_t *)chunk + from, chunk_bytes - from);
    if (node->carving == chunk)
        node->carving = NULL;
    unlink_chunk(&node->chunks, chunk);
    link_chunk(&node->returned, chunk);
    chunk->returned = 1;
    chunk->carved = (uint16_t)z->first_slab;
    chunk->populated = (uint16_t)z->first_slab;
    zslab_stat_gauge_sub(&node->stats, chunks, 1);
    zslab_stat_inc(&node->stats, chunks_returned);
    _zslab_stat_add(&node->stats.bytes_released,
                    resident * slab_bytes +
                        (z->metadata_bytes > from ? z->metadata_bytes - from : 0));
}

/* zslab_destroy(): every reservation goes back. */
void _zslab_chunk_release_all(zslab_t *z)
{
    zslab_chunk_t *r = z->reservations;
    while (r) {
        zslab_chunk_t *next = (zslab_chunk_t *)(void *)r->object;
        zslab_platform_unmap(r, r->map_bytes);
        r = next;
    }
    z->reservations = NULL;
}
