/* SPDX-License-Identifier: MIT */
/*
 * fuzz_alloc.c - libFuzzer target: allocator operation sequences.
 *
 * The input picks a config (chunk and slab size, cache capacity, thread
 * cache, prefault), then a sequence of 4-byte operations on 64 slots: alloc
 * of any size (large included), free and sized free, bad frees (double,
 * interior, foreign) that must be reported exactly once and change nothing,
 * trim, and thread operations: a helper thread frees a run of slots (remote
 * frees), allocates new objects into others, and exits before the next
 * operation (so its objects outlive it), or does a double free of a slot
 * main just freed.  Threads are joined at once: a run is deterministic.
 * Live objects carry an address-derived pattern checked on free; counters
 * are checked against the slots at the end.  The core is built with ZSLAB_DEBUG=1, so its
 * invariant checkers run after every operation, under ASan and UBSan.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zslab/zslab.h"

#define SLOTS              64
#define OP_BYTES           4
#define CONFIG_BYTES       2
#define LARGE_STEP         64 /* large sizes: a 16-bit value times this, up to 4 MiB */
#define INTERIOR_MIN_CLASS 16
#define PATTERN_SPAN       256 /* bytes of each object that carry the pattern */

void __real_zslab_platform_log(int level, const char *msg);
void __wrap_zslab_platform_log(int level, const char *msg);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Atomic unsigned reports; /* messages the core logged */

void __wrap_zslab_platform_log(int level, const char *msg)
{
    (void)level;
    (void)msg;
    if (level == 0) /* ZSLAB_LOG_ERROR: bad input */
        reports++;
}

struct slot {
    uint8_t *ptr;
    size_t size;
};

static uint8_t pattern(const uint8_t *obj, size_t i)
{
    return (uint8_t)(((uintptr_t)obj >> 4) + i * 13u);
}

static size_t span(size_t size)
{
    return size < PATTERN_SPAN ? size : PATTERN_SPAN;
}

static void check_or_die(bool ok)
{
    if (!ok)
        abort();
}

static void config_from(const uint8_t *d, zslab_config_t *cfg)
{
    static const uint32_t caches[] = {0, 1, 2, ZSLAB_DEFAULT_CLASS_CACHE_SLABS};
    zslab_config_default(cfg);
    cfg->on_bad_free = ZSLAB_BAD_FREE_REPORT;
    cfg->chunk_bytes = (size_t)1 << (20 + d[0] % 2);       /* 1 or 2 MiB */
    cfg->slab_bytes = (size_t)1 << (15 + (d[0] >> 1) % 3); /* 32 to 128 KiB */
    cfg->class_cache_slabs = caches[(d[0] >> 3) % 4];
    cfg->cache_max_slabs = cfg->class_cache_slabs * 4;
    cfg->prefault = (zslab_prefault_t)(d[1] % 3);
    cfg->thread_cache_bytes = (d[1] & 4) ? 0 : (size_t)256 << ((d[1] >> 3) % 8);
    cfg->spare_slabs = (d[1] >> 6) % 2;
    cfg->decay_ms = (d[0] & 0x20) ? 0 : ZSLAB_DEFAULT_DECAY_MS;
    cfg->reserve_bytes = cfg->chunk_bytes * (1 + (d[0] >> 6) % 4);
}

static void do_alloc(zslab_t *z, struct slot *s, const uint8_t *op)
{
    size_t v = (size_t)op[2] | (size_t)op[3] << 8;
    size_t size = (op[0] & 0x80) ? v * LARGE_STEP : v % (ZSLAB_MAX_CLASS_BYTES + 1);
    if (s->ptr)
        return;
    s->ptr = zslab_alloc(z, size);
    check_or_die(s->ptr != NULL);
    s->size = size;
    for (size_t i = 0; i < span(size); i++)
        s->ptr[i] = pattern(s->ptr, i);
}

static void do_free(zslab_t *z, struct slot *s, bool sized, uint8_t **last_freed)
{
    if (!s->ptr)
        return;
    for (size_t i = 0; i < span(s->size); i++)
        check_or_die(s->ptr[i] == pattern(s->ptr, i));
    unsigned before = reports;
    if (sized)
        zslab_free_sized(z, s->ptr, s->size);
    else
        zslab_free(z, s->ptr);
    check_or_die(reports == before);
    *last_freed = s->ptr;
    s->ptr = NULL;
}

static bool is_live(const struct slot *slots, const void *p)
{
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].ptr == p)
            return true;
    }
    return false;
}

/* A bad free must be reported once and leave the counters alone. */
static void do_bad_free(zslab_t *z, const struct slot *slots, const uint8_t *op,
                        uint8_t *last_freed)
{
    static int foreign;
    const struct slot *s = &slots[op[1] % SLOTS];
    void *bad;
    switch (op[2] % 3) {
    case 0:
        bad = last_freed;
        break;
    case 1:
        bad = s->ptr && s->size >= INTERIOR_MIN_CLASS ? s->ptr + 1 + op[3] % 7 : NULL;
        break;
    default:
        bad = &foreign;
        break;
    }
    if (!bad || is_live(slots, bad))
        return;
    zslab_counters_t before, after;
    zslab_get_counters(z, ZSLAB_ALL_CLASSES, &before);
    unsigned reported = reports;
    zslab_free(z, bad);
    zslab_get_counters(z, ZSLAB_ALL_CLASSES, &after);
    check_or_die(reports == reported + 1);
    check_or_die(after.bad_frees == before.bad_frees + 1);
    check_or_die(after.free_calls == before.free_calls);
    check_or_die(after.bytes_in_use.current == before.bytes_in_use.current);
}

/* What a helper thread does: free slots [from, from + n) (remote frees),
 * then allocate into the slots it emptied; or free one slot main freed. */
struct helper {
    zslab_t *z;
    struct slot *slots;
    int from, n;
    uint8_t size_byte;
    uint8_t *twice; /* a pointer to free again (a double free), or NULL */
    bool ok;
};

static void *helper_run(void *arg)
{
    struct helper *h = arg;
    h->ok = true;
    if (h->twice) {
        zslab_free(h->z, h->twice);
        return NULL;
    }
    for (int k = 0; k < h->n; k++) {
        struct slot *s = &h->slots[(h->from + k) % SLOTS];
        if (!s->ptr)
            continue;
        for (size_t i = 0; i < span(s->size); i++)
            h->ok &= s->ptr[i] == pattern(s->ptr, i);
        zslab_free(h->z, s->ptr);
        s->size = (size_t)h->size_byte * (size_t)(k + 1) * 3;
        s->ptr = zslab_alloc(h->z, s->size);
        h->ok &= s->ptr != NULL;
        if (s->ptr)
            for (size_t i = 0; i < span(s->size); i++)
                s->ptr[i] = pattern(s->ptr, i);
    }
    return NULL;
}

static void do_thread(zslab_t *z, struct slot *slots, const uint8_t *op, uint8_t *last_freed)
{
    struct helper h = {z, slots, op[1] % SLOTS, 1 + op[2] % 8, op[3], NULL, false};
    unsigned before = reports;
    if ((op[2] & 0x80) && last_freed && !is_live(slots, last_freed))
        h.twice = last_freed;
    pthread_t t;
    check_or_die(pthread_create(&t, NULL, helper_run, &h) == 0);
    pthread_join(t, NULL);
    check_or_die(h.ok);
    check_or_die(reports == before + (h.twice ? 1u : 0u));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < CONFIG_BYTES)
        return 0;
    zslab_config_t cfg;
    config_from(data, &cfg);
    zslab_t *z;
    check_or_die(zslab_create(&cfg, &z) == ZSLAB_OK);
    struct slot slots[SLOTS];
    memset(slots, 0, sizeof(slots));
    uint8_t *last_freed = NULL;

    for (size_t at = CONFIG_BYTES; at + OP_BYTES <= size; at += OP_BYTES) {
        const uint8_t *op = data + at;
        struct slot *s = &slots[op[1] % SLOTS];
        switch (op[0] % 10) {
        case 0:
        case 1:
        case 2:
            do_alloc(z, s, op);
            break;
        case 3:
        case 4:
            do_free(z, s, op[0] % 10 == 4, &last_freed);
            break;
        case 5:
        case 6:
            do_bad_free(z, slots, op, last_freed);
            break;
        case 7:
            (void)zslab_trim(z);
            break;
        default:
            do_thread(z, slots, op, last_freed);
            break;
        }
    }
    for (int i = 0; i < SLOTS; i++)
        do_free(z, &slots[i], i % 2, &last_freed);
    zslab_counters_t k;
    zslab_get_counters(z, ZSLAB_ALL_CLASSES, &k);
    check_or_die(k.bytes_in_use.current == 0 && k.alloc_calls == k.free_calls);
    check_or_die(k.slow_path_hits == k.new_slab_count && k.current_partial_miss == 0);
    zslab_destroy(z);
    return 0;
}
