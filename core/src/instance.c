/* SPDX-License-Identifier: MIT */
/*
 * instance.c - the config, and an instance's life: create, destroy.
 *
 * An instance is one platform mapping: struct zslab (nodes, locks,
 * counters) followed by the registry's top level, plus the shared heap.
 * Everything else it holds hangs off its reservations, heaps, large objects
 * and registry, so destroy returns it all.  Nothing is mapped for chunks
 * until the first allocation (reserve lazily).
 */
#include "internal.h"

void zslab_config_default(zslab_config_t *cfg)
{
    cfg->chunk_bytes = ZSLAB_DEFAULT_CHUNK_BYTES;
    cfg->slab_bytes = ZSLAB_DEFAULT_SLAB_BYTES;
    cfg->class_cache_slabs = ZSLAB_DEFAULT_CLASS_CACHE_SLABS;
    cfg->cache_max_slabs = ZSLAB_DEFAULT_CACHE_MAX_SLABS;
    cfg->decay_ms = ZSLAB_DEFAULT_DECAY_MS;
    cfg->thread_cache_bytes = ZSLAB_DEFAULT_THREAD_CACHE_BYTES;
    cfg->spare_slabs = ZSLAB_DEFAULT_SPARE_SLABS;
    cfg->reserve_bytes = ZSLAB_DEFAULT_RESERVE_BYTES;
    cfg->prefault = ZSLAB_DEFAULT_PREFAULT;
    cfg->on_bad_free = ZSLAB_DEFAULT_ON_BAD_FREE;
    cfg->numa_node = ZSLAB_NODE_ANY;
}

const char *zslab_strerror(int err)
{
    switch (err) {
    case ZSLAB_OK:
        return "success";
    case ZSLAB_ERR_INVALID:
        return "invalid argument";
    case ZSLAB_ERR_NOMEM:
        return "out of memory: the platform gave none";
    default:
        return "unknown zslab error";
    }
}

static bool is_pow2(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static uint32_t log2_of(size_t power_of_two)
{
    return (uint32_t)__builtin_ctzll((unsigned long long)power_of_two);
}

/* Each broken rule is logged with the field's name and value. */
static bool config_is_valid(const zslab_config_t *cfg)
{
    if (!is_pow2(cfg->chunk_bytes) || cfg->chunk_bytes < ZSLAB_MIN_CHUNK_BYTES ||
        cfg->chunk_bytes > ZSLAB_MAX_CHUNK_BYTES) {
        _zslab_report_config("chunk_bytes", cfg->chunk_bytes,
                             "must be a power of two from 1 MiB to 1 GiB");
        return false;
    }
    if (!is_pow2(cfg->slab_bytes) || cfg->slab_bytes < ZSLAB_MAX_CLASS_BYTES ||
        cfg->slab_bytes > ZSLAB_MAX_SLAB_BYTES) {
        _zslab_report_config("slab_bytes", cfg->slab_bytes,
                             "must be a power of two from 32 KiB (the largest class) to 1 MiB");
        return false;
    }
    if (cfg->slab_bytes > cfg->chunk_bytes / ZSLAB_MIN_SLABS_PER_CHUNK) {
        _zslab_report_config("slab_bytes", cfg->slab_bytes,
                             "must be at most chunk_bytes / 8 (8 slabs per chunk)");
        return false;
    }
    if (cfg->prefault != ZSLAB_PREFAULT_NONE && cfg->prefault != ZSLAB_PREFAULT_CHUNK &&
        cfg->prefault != ZSLAB_PREFAULT_AHEAD) {
        _zslab_report_config("prefault", (size_t)cfg->prefault,
                             "must be ZSLAB_PREFAULT_NONE, ZSLAB_PREFAULT_CHUNK or "
                             "ZSLAB_PREFAULT_AHEAD");
        return false;
    }
    if (cfg->cache_max_slabs < cfg->class_cache_slabs) {
        _zslab_report_config("cache_max_slabs", cfg->cache_max_slabs,
                             "must be at least class_cache_slabs");
        return false;
    }
    if (cfg->reserve_bytes < cfg->chunk_bytes || cfg->reserve_bytes % cfg->chunk_bytes != 0 ||
        cfg->reserve_bytes > ZSLAB_MAX_REQUEST_BYTES / 2) {
        _zslab_report_config("reserve_bytes", cfg->reserve_bytes,
                             "must be a multiple of chunk_bytes, at least one chunk");
        return false;
    }
    if (cfg->on_bad_free != ZSLAB_BAD_FREE_ABORT && cfg->on_bad_free != ZSLAB_BAD_FREE_REPORT) {
        _zslab_report_config("on_bad_free", (size_t)cfg->on_bad_free,
                             "must be ZSLAB_BAD_FREE_ABORT or ZSLAB_BAD_FREE_REPORT");
        return false;
    }
    if (cfg->numa_node < ZSLAB_NODE_ANY) {
        _zslab_report_config("numa_node", (size_t)(unsigned)cfg->numa_node,
                             "must be a node number or ZSLAB_NODE_ANY (-1)");
        return false;
    }
    return true;
}

static void init_instance(zslab_t *z, const zslab_config_t *cfg, size_t map_bytes,
                          size_t registry_offset)
{
    z->magic = ZSLAB_INSTANCE_MAGIC;
    z->cfg = *cfg;
    z->map_bytes = map_bytes;
    z->chunk_shift = log2_of(cfg->chunk_bytes);
    z->slab_shift = log2_of(cfg->slab_bytes);
    z->chunk_mask = (uintptr_t)cfg->chunk_bytes - 1;
    z->node_count = zslab_platform_node_count();
    z->heap_bytes = (sizeof(zslab_heap_t) + ZSLAB_PAGE_BYTES - 1) & ~(ZSLAB_PAGE_BYTES - 1);
    _zslab_chunk_layout(z);
    zslab_assert(z->first_slab < z->slab_count);
    _zslab_registry_init(z, (uint8_t *)z + registry_offset,
                         ZSLAB_ADDRESS_BITS - z->chunk_shift - ZSLAB_REGISTRY_LEAF_BITS);
    zslab_platform_lock_init(&z->heaps_lock);
    zslab_platform_lock_init(&z->shared_lock);
    zslab_platform_lock_init(&z->large_lock);
    zslab_platform_lock_init(&z->registry_lock);
    zslab_platform_lock_init(&z->stats_lock);
    for (uint32_t i = 0; i < ZSLAB_MAX_NODES; i++)
        _zslab_node_init(z, &z->nodes[i], i);
    for (size_t step = 0; step < sizeof(z->class_of); step++)
        z->class_of[step] = (uint8_t)_zslab_sizeclass_index(step * ZSLAB_MIN_CLASS_BYTES);
    zslab_stat_inc(&z->misc_stats, platform_map_calls);
    zslab_stat_gauge_add(&z->misc_stats, platform_bytes, map_bytes);
}

/* The shared heap serves threads past their exit hooks (and every thread
 * when no thread key is left): it has no thread cache and no bump range, so
 * the fast path always sends it to the locked slow path. */
static bool make_shared_heap(zslab_t *z)
{
    zslab_heap_t *h =
        zslab_platform_map(z->heap_bytes, ZSLAB_PAGE_BYTES, ZSLAB_PLATFORM_NODE_ANY, 0);
    if (!h)
        return false;
    zslab_stat_inc(&z->heap_stats, platform_map_calls);
    zslab_stat_gauge_add(&z->heap_stats, platform_bytes, z->heap_bytes);
    h->z = z;
    h->shared = true;
    atomic_store_explicit(&h->remote_head, ZSLAB_STACK_CLOSED, memory_order_relaxed);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++)
        h->tc[c].object_bytes = _zslab_sizeclass_bytes(c);
    z->shared = h;
    return true;
}

int zslab_create(const zslab_config_t *cfg, zslab_t **out)
{
    zslab_config_t defaults;
    if (!out) {
        _zslab_report_config("out", 0, "must point to where the instance goes");
        return ZSLAB_ERR_INVALID;
    }
    *out = NULL;
    if (!cfg) {
        zslab_config_default(&defaults);
        cfg = &defaults;
    }
    if (!config_is_valid(cfg))
        return ZSLAB_ERR_INVALID;

    uint32_t chunk_shift = log2_of(cfg->chunk_bytes);
    size_t registry_entries = (size_t)1
                              << (ZSLAB_ADDRESS_BITS - chunk_shift - ZSLAB_REGISTRY_LEAF_BITS);
    size_t registry_offset =
        (sizeof(zslab_t) + ZSLAB_CACHE_LINE_BYTES - 1) & ~(size_t)(ZSLAB_CACHE_LINE_BYTES - 1);
    size_t map_bytes = (registry_offset + registry_entries * sizeof(zslab_registry_slot_t) +
                        ZSLAB_PAGE_BYTES - 1) &
                       ~(ZSLAB_PAGE_BYTES - 1);
    zslab_t *z = zslab_platform_map(map_bytes, ZSLAB_PAGE_BYTES, cfg->numa_node, 0);
    if (!z) {
        _zslab_report_nomem("create", map_bytes, cfg->numa_node);
        return ZSLAB_ERR_NOMEM;
    }
    init_instance(z, cfg, map_bytes, registry_offset);
    if (!make_shared_heap(z)) {
        zslab_platform_unmap(z, map_bytes);
        _zslab_report_nomem("create", z->heap_bytes, cfg->numa_node);
        return ZSLAB_ERR_NOMEM;
    }
    z->has_key = _zslab_heap_key_create(z);
    if (!z->has_key)
        _zslab_report_warn("zslab: zslab_create: no thread key left: every thread of this "
                           "instance shares one locked heap");
    *out = z;
    return ZSLAB_OK;
}

void zslab_destroy(zslab_t *z)
{
    if (!z)
        return;
    zslab_assert(z->magic == ZSLAB_INSTANCE_MAGIC);
    if (z->has_key)
        zslab_platform_key_delete(z->key);
    _zslab_large_release_all(z);
    _zslab_chunk_release_all(z);
    zslab_heap_t *h = z->heap_maps;
    while (h) {
        zslab_heap_t *next = h->map_next;
        zslab_platform_unmap(h, z->heap_bytes);
        h = next;
    }
    zslab_platform_unmap(z->shared, z->heap_bytes);
    _zslab_registry_fini(z);
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++)
        zslab_platform_lock_fini(&z->nodes[i].lock);
    zslab_platform_lock_fini(&z->heaps_lock);
    zslab_platform_lock_fini(&z->shared_lock);
    zslab_platform_lock_fini(&z->large_lock);
    zslab_platform_lock_fini(&z->registry_lock);
    zslab_platform_lock_fini(&z->stats_lock);
    z->magic = 0;
    zslab_platform_unmap(z, z->map_bytes);
}

uint32_t _zslab_now_ms(void)
{
    return (uint32_t)(zslab_platform_now_ns() / ZSLAB_NS_PER_MS);
}

/* The caller's caches first (they hold slabs non-empty), then every node's. */
size_t zslab_trim(zslab_t *z)
{
    zslab_heap_t *h = zslab_platform_thread_get(z->key);
    if (h && !h->shared) {
        _zslab_heap_flush(z, h);
        _zslab_remote_drain(z, h);
        _zslab_heap_release_empty(z, h);
    }
    size_t released = 0;
    uint64_t now = zslab_platform_now_ns();
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++) {
        zslab_node_t *node = &z->nodes[i];
        zslab_platform_lock_acquire(&node->lock);
        released += _zslab_node_decay(z, node, now, true);
        zslab_platform_lock_release(&node->lock);
    }
    return released;
}
