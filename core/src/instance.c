/* SPDX-License-Identifier: MIT */
/*
 * instance.c - the config, and an instance's life: create, destroy.
 *
 * An instance is one platform mapping: struct zslab (classes, locks,
 * counters) followed by the registry's top level.  Everything else it holds
 * hangs off its mapping list and registry, so destroy returns it all.
 */
#include "internal.h"

void zslab_config_default(zslab_config_t *cfg)
{
    cfg->chunk_bytes = ZSLAB_DEFAULT_CHUNK_BYTES;
    cfg->slab_bytes = ZSLAB_DEFAULT_SLAB_BYTES;
    cfg->class_cache_slabs = ZSLAB_DEFAULT_CLASS_CACHE_SLABS;
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
    if (cfg->prefault != ZSLAB_PREFAULT_NONE && cfg->prefault != ZSLAB_PREFAULT_CHUNK) {
        _zslab_report_config("prefault", (size_t)cfg->prefault,
                             "must be ZSLAB_PREFAULT_NONE or ZSLAB_PREFAULT_CHUNK");
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
    _zslab_chunk_layout(z);
    zslab_assert(z->first_slab < z->slab_count);
    _zslab_registry_init(z, (uint8_t *)z + registry_offset,
                         ZSLAB_ADDRESS_BITS - z->chunk_shift - ZSLAB_REGISTRY_LEAF_BITS);
    zslab_platform_lock_init(&z->chunk_lock);
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++)
        _zslab_class_init(z, &z->classes[i], i);
    zslab_stat_inc(&z->stats, platform_map_calls);
    zslab_stat_gauge_add(&z->stats, platform_bytes, map_bytes);
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
    *out = z;
    return ZSLAB_OK;
}

void zslab_destroy(zslab_t *z)
{
    if (!z)
        return;
    zslab_assert(z->magic == ZSLAB_INSTANCE_MAGIC);
    _zslab_chunk_release_all(z);
    _zslab_registry_fini(z);
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++)
        zslab_platform_lock_fini(&z->classes[i].lock);
    zslab_platform_lock_fini(&z->chunk_lock);
    z->magic = 0;
    zslab_platform_unmap(z, z->map_bytes);
}
