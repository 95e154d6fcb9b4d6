/* SPDX-License-Identifier: MIT */
/*
 * registry.c - which chunk owns an address, without touching the address.
 *
 * The address space is cut into chunk-sized units; a two-level table maps a
 * unit to the zslab_chunk_t of the mapping that covers it, or NULL.  The top
 * level lives in the instance's own mapping; leaves (32 KiB, covering 2^12
 * units: 8 GiB with 2 MiB chunks) are mapped when first needed and kept until
 * zslab_destroy().  Lookups are lock-free (acquire loads, alloc.c and
 * internal.h); writes take registry_lock, inside the lock of whoever owns
 * the range (a node for a chunk, large_lock for a large object).  A pointer this instance never
 * mapped finds NULL, so a foreign or another instance's pointer is reported
 * without ever being dereferenced.
 */
#include "internal.h"

#define LEAF_MASK (((uintptr_t)1 << ZSLAB_REGISTRY_LEAF_BITS) - 1)

void _zslab_registry_init(zslab_t *z, void *top, uint32_t bits)
{
    z->registry = top;
    z->registry_bits = bits;
}

static size_t leaf_map_bytes(void)
{
    return (sizeof(zslab_registry_leaf_t) + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
}

static bool ensure_leaf(zslab_t *z, uintptr_t top_index)
{
    if (atomic_load_explicit(&z->registry[top_index], memory_order_relaxed))
        return true;
    zslab_stat_inc(&z->registry_stats, platform_map_calls);
    zslab_registry_leaf_t *leaf =
        zslab_platform_map(leaf_map_bytes(), ZSLAB_PAGE_BYTES, z->cfg.numa_node, 0);
    if (!leaf)
        return false;
    zslab_stat_gauge_add(&z->registry_stats, platform_bytes, leaf_map_bytes());
    atomic_store_explicit(&z->registry[top_index], leaf, memory_order_release);
    return true;
}

/* Points every unit of [base, base + bytes) at @chunk (NULL: unregisters).
 * Fails only when @chunk is set and a leaf cannot be mapped, or the range is
 * above ZSLAB_ADDRESS_BITS; then nothing was registered. */
static bool registry_set(zslab_t *z, const void *base, size_t bytes, zslab_chunk_t *chunk)
{
    uintptr_t first = (uintptr_t)base >> z->chunk_shift;
    uintptr_t last = ((uintptr_t)base + bytes - 1) >> z->chunk_shift;
    if (((uintptr_t)base + bytes - 1) >> ZSLAB_ADDRESS_BITS)
        return false;
    for (uintptr_t t = first >> ZSLAB_REGISTRY_LEAF_BITS;
         chunk && t <= last >> ZSLAB_REGISTRY_LEAF_BITS; t++) {
        if (!ensure_leaf(z, t))
            return false;
    }
    for (uintptr_t unit = first; unit <= last; unit++) {
        zslab_registry_leaf_t *leaf = atomic_load_explicit(
            &z->registry[unit >> ZSLAB_REGISTRY_LEAF_BITS], memory_order_relaxed);
        if (leaf)
            atomic_store_explicit(&leaf->entries[unit & LEAF_MASK], chunk, memory_order_release);
    }
    return true;
}

bool _zslab_registry_set(zslab_t *z, const void *base, size_t bytes, zslab_chunk_t *chunk)
{
    zslab_platform_lock_acquire(&z->registry_lock);
    bool ok = registry_set(z, base, bytes, chunk);
    zslab_platform_lock_release(&z->registry_lock);
    return ok;
}

/* zslab_destroy(): give every leaf back. */
void _zslab_registry_fini(zslab_t *z)
{
    for (uintptr_t t = 0; t < (uintptr_t)1 << z->registry_bits; t++) {
        zslab_registry_leaf_t *leaf = atomic_load_explicit(&z->registry[t], memory_order_relaxed);
        if (leaf)
            zslab_platform_unmap(leaf, leaf_map_bytes());
    }
}
