/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the core's types and its table of contents: every function one
 * file of core/src offers the others, grouped by that file.
 *
 * Names: public zslab_*, cross-file _zslab_<module>_<verb>, file-static plain.
 *
 * Memory layout of a chunk (chunk_bytes, aligned to chunk_bytes):
 *
 *   | metadata slab(s)                                 | slab | slab | ... |
 *   | zslab_chunk_t | zslab_slab_t[slab_count] | bitmaps |
 *
 * Slab i starts at chunk + i * slab_bytes; slabs below first_slab hold the
 * metadata, so object pages never carry headers and a fresh page is first
 * touched by the caller who owns the object on it.  A large allocation is its
 * own chunk-aligned mapping whose first page holds its zslab_chunk_t.
 *
 * Locks: each class has one (its lists, cache, slabs, counters); the instance
 * has chunk_lock (chunk list, carving, registry writes, instance counters).
 * Order: class lock, then chunk_lock.  Counters are written only under the
 * lock that owns them, so an increment is a relaxed load and store.
 */
#ifndef ZSLAB_INTERNAL_H
#define ZSLAB_INTERNAL_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "report/fmt.h"
#include "zslab/platform.h"
#include "zslab/zslab.h"

/* ---- build levels ---------------------------------------------------------
 * ZSLAB_DEBUG=1 (make DEBUG=1): every assert and invariant checker runs, and
 * freed objects are poisoned and checked when reused.
 * ZSLAB_ASSERT_LEVEL: 0 none (release), 1 cheap O(1) asserts, 2 also the
 * invariant checkers that walk (slab_is_valid, list_is_valid); defaults to 2
 * in DEBUG builds and 0 otherwise. */
#ifndef ZSLAB_DEBUG
#define ZSLAB_DEBUG 0
#endif
#ifndef ZSLAB_ASSERT_LEVEL
#if ZSLAB_DEBUG
#define ZSLAB_ASSERT_LEVEL 2
#else
#define ZSLAB_ASSERT_LEVEL 0
#endif
#endif

#define zslab_likely(x)   __builtin_expect(!!(x), 1)
#define zslab_unlikely(x) __builtin_expect(!!(x), 0)

#if ZSLAB_ASSERT_LEVEL >= 1
#define zslab_assert(expr) ((expr) ? (void)0 : _zslab_report_assert(#expr, __FILE__, __LINE__))
#else
#define zslab_assert(expr) ((void)0)
#endif
#if ZSLAB_ASSERT_LEVEL >= 2
#define zslab_assert_expensive(expr) zslab_assert(expr)
#else
#define zslab_assert_expensive(expr) ((void)0)
#endif

/* ---- constants ------------------------------------------------------------ */
#define ZSLAB_INSTANCE_MAGIC   UINT64_C(0x7a736c6162696e73) /* "zslabins" */
#define ZSLAB_CHUNK_MAGIC      UINT64_C(0x7a736c616263686b) /* "zslabchk" */
#define ZSLAB_PAGE_BYTES       ((size_t)ZSLAB_PLATFORM_PAGE_BYTES)
#define ZSLAB_CACHE_LINE_BYTES 64
#define ZSLAB_BITMAP_WORD_BITS 64u
/* Largest request: beyond PTRDIFF_MAX a pointer difference overflows. */
#define ZSLAB_MAX_REQUEST_BYTES ((size_t)PTRDIFF_MAX)
/* User-space addresses have at most this many bits (4-level page tables);
 * a pointer above is foreign without looking it up. */
#define ZSLAB_ADDRESS_BITS 48u
/* A registry leaf covers 2^ZSLAB_REGISTRY_LEAF_BITS chunk-sized units. */
#define ZSLAB_REGISTRY_LEAF_BITS 12u
/* offset / object_bytes == (offset * recip) >> ZSLAB_DIV_SHIFT, exact for every
 * offset < ZSLAB_MAX_SLAB_BYTES and class size (tests/unit/core proves it). */
#define ZSLAB_DIV_SHIFT 40u
/* Bytes of a report line given to zslab_platform_log()/panic(). */
#define ZSLAB_REPORT_BYTES 256
/* Debug builds fill freed objects (past the free-list link) with this. */
#define ZSLAB_POISON_BYTE 0xdf

/* ---- counters: the atomic twin of zslab_counters_t ------------------------ */
typedef struct zslab_stat_gauge {
    _Atomic uint64_t current;
    _Atomic uint64_t peak;
} zslab_stat_gauge_t;

typedef struct zslab_stats {
#define ZSLAB_STAT_COUNTER_(name, doc) _Atomic uint64_t name;
#define ZSLAB_STAT_GAUGE_(name, doc)   zslab_stat_gauge_t name;
    ZSLAB_COUNTER_LIST(ZSLAB_STAT_COUNTER_, ZSLAB_STAT_GAUGE_)
#undef ZSLAB_STAT_COUNTER_
#undef ZSLAB_STAT_GAUGE_
} zslab_stats_t;

/* Single writer (the lock holder): a plain load and store, no locked RMW. */
static inline void _zslab_stat_add(_Atomic uint64_t *counter, uint64_t n)
{
    uint64_t v = atomic_load_explicit(counter, memory_order_relaxed);
    atomic_store_explicit(counter, v + n, memory_order_relaxed);
}

static inline void _zslab_gauge_add(zslab_stat_gauge_t *g, uint64_t n)
{
    uint64_t v = atomic_load_explicit(&g->current, memory_order_relaxed) + n;
    atomic_store_explicit(&g->current, v, memory_order_relaxed);
    if (v > atomic_load_explicit(&g->peak, memory_order_relaxed))
        atomic_store_explicit(&g->peak, v, memory_order_relaxed);
}

static inline void _zslab_gauge_sub(zslab_stat_gauge_t *g, uint64_t n)
{
    uint64_t v = atomic_load_explicit(&g->current, memory_order_relaxed);
    atomic_store_explicit(&g->current, v - n, memory_order_relaxed);
}

#define zslab_stat_inc(stats, name)          _zslab_stat_add(&(stats)->name, 1)
#define zslab_stat_gauge_add(stats, name, n) _zslab_gauge_add(&(stats)->name, (n))
#define zslab_stat_gauge_sub(stats, name, n) _zslab_gauge_sub(&(stats)->name, (n))

/* ---- types ----------------------------------------------------------------- */
typedef struct zslab_slab zslab_slab_t;
typedef struct zslab_chunk zslab_chunk_t;
typedef struct zslab_class zslab_class_t;

/* Which list a slab is on; the invariant checkers compare it. */
typedef enum zslab_slab_state {
    ZSLAB_SLAB_UNLISTED = 0, /* never formatted, or between lists */
    ZSLAB_SLAB_PARTIAL,      /* 0 < free objects: on its class's partial list */
    ZSLAB_SLAB_FULL,         /* no free object: on the full list */
    ZSLAB_SLAB_CACHED,       /* empty, in its class's slab cache */
} zslab_slab_state_t;

/* A slab descriptor: lives in the chunk metadata, never in the slab. */
struct zslab_slab {
    zslab_slab_t *next; /* list links */
    zslab_slab_t *prev;
    uint8_t *start;      /* first object */
    void *free_list;     /* freed objects, linked through their first word */
    uint64_t *allocated; /* bitmap in chunk metadata: bit i = object i is live */
    uint32_t object_bytes;
    uint32_t capacity; /* objects in the slab */
    uint32_t bumped;   /* objects handed out fresh so far (bump pointer) */
    uint32_t used;     /* live objects */
    uint16_t class_index;
    uint8_t state;  /* zslab_slab_state_t */
    uint8_t purged; /* its pages were given back (zslab_trim) and not touched since */
};

typedef struct zslab_slab_list {
    zslab_slab_t *head;
    uint32_t count;
} zslab_slab_list_t;

typedef enum zslab_chunk_kind {
    ZSLAB_CHUNK_SLABS = 1, /* a chunk cut into slabs */
    ZSLAB_CHUNK_LARGE = 2, /* one large object */
} zslab_chunk_kind_t;

/* Header of every mapping an instance holds; at the mapping's start. */
struct zslab_chunk {
    uint64_t magic;
    zslab_t *owner;
    zslab_chunk_t *next; /* the instance's mappings */
    zslab_chunk_t *prev;
    size_t map_bytes; /* bytes got from the platform */
    uint32_t kind;    /* zslab_chunk_kind_t */
    /* ZSLAB_CHUNK_LARGE */
    uint8_t *object;
    size_t object_bytes; /* page-rounded request */
    /* ZSLAB_CHUNK_SLABS; slabs below first_slab are metadata */
    _Atomic uint32_t carved; /* slabs [0, carved) are metadata or handed out */
    zslab_slab_t slabs[];
};

struct zslab_class {
    _Alignas(ZSLAB_CACHE_LINE_BYTES) zslab_platform_lock_t lock;
    zslab_slab_list_t partial; /* head = current slab */
    zslab_slab_list_t full;
    zslab_slab_list_t cache; /* empty slabs, LIFO */
    uint64_t recip;          /* division by object_bytes, see ZSLAB_DIV_SHIFT */
    uint32_t object_bytes;
    uint32_t capacity; /* objects per slab */
    uint16_t index;
    zslab_stats_t stats;
};

/* One leaf of the registry: the chunk owning each of its address units. */
typedef struct zslab_registry_leaf {
    _Atomic(zslab_chunk_t *) entries[1u << ZSLAB_REGISTRY_LEAF_BITS];
} zslab_registry_leaf_t;

typedef _Atomic(zslab_registry_leaf_t *) zslab_registry_slot_t;

struct zslab {
    uint64_t magic;
    zslab_config_t cfg;
    size_t map_bytes; /* this struct's mapping, with the registry's top level */
    uint32_t chunk_shift;
    uint32_t slab_shift;
    uint32_t slab_count;   /* slabs per chunk, metadata included */
    uint32_t first_slab;   /* metadata slabs at the chunk start */
    size_t bitmap_offset;  /* chunk start to slab 0's bitmap, bytes */
    uint32_t bitmap_words; /* per slab */
    zslab_platform_lock_t chunk_lock;
    zslab_chunk_t *mappings;         /* every chunk and large object */
    zslab_chunk_t *carving;          /* chunk with slabs left to carve */
    zslab_stats_t stats;             /* instance-wide figures */
    zslab_registry_slot_t *registry; /* top level, 1 << registry_bits slots */
    uint32_t registry_bits;
    zslab_class_t classes[ZSLAB_CLASS_COUNT];
};

/* Bad input the core reports (report/report.c). */
typedef enum zslab_bad {
    ZSLAB_BAD_FOREIGN = 1,      /* not in any mapping of this instance */
    ZSLAB_BAD_NOT_OBJECT,       /* inside a chunk, at no object (metadata, unused) */
    ZSLAB_BAD_INTERIOR,         /* inside a slab, not at an object start */
    ZSLAB_BAD_NOT_LIVE,         /* an object start whose object is not allocated */
    ZSLAB_BAD_WRONG_SIZE,       /* free_sized() size of another class */
    ZSLAB_BAD_LARGE_INTERIOR,   /* inside a large object, not at its start */
    ZSLAB_BAD_WRITE_AFTER_FREE, /* debug: a freed object was written */
} zslab_bad_t;

/* What a report says about the pointer; fields unused by a kind stay 0. */
typedef struct zslab_bad_info {
    zslab_bad_t kind;
    const void *ptr;
    bool sized;       /* zslab_free_sized() */
    size_t size;      /* its size argument */
    const void *base; /* the object or chunk the pointer falls in */
    size_t object_bytes;
    size_t offset; /* ptr - base, or the first bad byte */
} zslab_bad_info_t;

/* Every field set one by one: an aggregate initializer may compile to a
 * memset call (clang -O0), which the core must not emit. */
static inline void _zslab_bad_init(zslab_bad_info_t *b, const void *ptr, bool sized, size_t size)
{
    b->kind = (zslab_bad_t)0;
    b->ptr = ptr;
    b->sized = sized;
    b->size = size;
    b->base = NULL;
    b->object_bytes = 0;
    b->offset = 0;
}

/* ---- table of contents ---------------------------------------------------- */

/* sizeclass.c */
uint32_t _zslab_sizeclass_bytes(unsigned class_index);
static inline unsigned _zslab_sizeclass_index(size_t size); /* size <= max class */

/* list.c */
void _zslab_list_push(zslab_slab_list_t *list, zslab_slab_t *slab, zslab_slab_state_t state);
void _zslab_list_remove(zslab_slab_list_t *list, zslab_slab_t *slab);
zslab_slab_t *_zslab_list_pop(zslab_slab_list_t *list);
bool _zslab_list_is_valid(const zslab_slab_list_t *list, zslab_slab_state_t state);

/* slab.c */
void _zslab_slab_format(const zslab_t *z, zslab_slab_t *slab, const zslab_class_t *c);
bool _zslab_slab_is_valid(const zslab_slab_t *slab);

/* class.c: the slow path and the slab cache */
void _zslab_class_init(zslab_t *z, zslab_class_t *c, unsigned index);
zslab_slab_t *_zslab_class_refill(zslab_t *z, zslab_class_t *c);
void _zslab_class_slab_emptied(zslab_t *z, zslab_class_t *c, zslab_slab_t *slab);
size_t _zslab_class_trim(zslab_t *z, zslab_class_t *c); /* also zslab_trim() */

/* chunk.c */
void _zslab_chunk_layout(zslab_t *z);
zslab_slab_t *_zslab_chunk_carve(zslab_t *z);
zslab_chunk_t *_zslab_chunk_map(zslab_t *z, size_t bytes, zslab_chunk_kind_t kind, size_t align);
void _zslab_chunk_unmap(zslab_t *z, zslab_chunk_t *chunk);
void _zslab_chunk_release_all(zslab_t *z);

/* registry.c: chunk-sized address units -> the chunk that owns them */
void _zslab_registry_init(zslab_t *z, void *top, uint32_t bits);
bool _zslab_registry_set(zslab_t *z, const void *base, size_t bytes, zslab_chunk_t *chunk);
void _zslab_registry_fini(zslab_t *z);
static inline zslab_chunk_t *_zslab_registry_lookup(const zslab_t *z, const void *addr);

/* large.c */
void *_zslab_large_alloc(zslab_t *z, size_t size, size_t align);
void _zslab_large_free(zslab_t *z, zslab_chunk_t *chunk, void *ptr, bool sized, size_t size);

/* alloc.c: zslab_alloc(), zslab_alloc_aligned(), zslab_free(), zslab_free_sized(),
 * zslab_usable_size() */

/* fork.c: zslab_fork_prepare(), zslab_fork_parent(), zslab_fork_child() */

/* instance.c: zslab_config_default(), zslab_create(), zslab_destroy(),
 * zslab_strerror() */

/* stats.c: zslab_get_counters(), zslab_reset_counters(), zslab_merge_counters() */

/* report/format.c: a bounded string builder (report/fmt.h), and
 * zslab_format_counters() */

/* report/report.c */
void _zslab_report_bad(zslab_t *z, const zslab_bad_info_t *info);
void _zslab_report_config(const char *field, size_t value, const char *rule);
void _zslab_report_nomem(const char *what, size_t bytes, int node);
_Noreturn void _zslab_report_assert(const char *expr, const char *file, int line);

/* mem.c: byte loops the compiler must not turn into libc calls; see mem.h */

/* ---- inline helpers of the hot paths -------------------------------------- */

/* sizeclass.c, inline: 8-byte steps up to 64 B, then 8 classes per power of
 * two; see sizeclass.c for the arithmetic. */
#define ZSLAB_SMALL_STEP_BYTES 8u
#define ZSLAB_SMALL_CLASSES    8u
#define ZSLAB_CLASSES_PER_POW2 8u
#define ZSLAB_CLASSES_LOG2     3u /* log2(ZSLAB_CLASSES_PER_POW2) */
#define ZSLAB_FIRST_POW2_SHIFT 6u /* 64 B: where power-of-two groups start */

static inline unsigned _zslab_sizeclass_index(size_t size)
{
    if (size <= ZSLAB_SMALL_STEP_BYTES * ZSLAB_SMALL_CLASSES)
        return size == 0 ? 0 : (unsigned)((size - 1) / ZSLAB_SMALL_STEP_BYTES);
    /* size in (2^k, 2^(k+1)]: classes 2^k + j * 2^(k-3), j = 1..8. */
    unsigned k = (unsigned)(sizeof(unsigned long long) * CHAR_BIT - 1) -
                 (unsigned)__builtin_clzll((unsigned long long)(size - 1));
    unsigned j = (unsigned)((size - 1) >> (k - ZSLAB_CLASSES_LOG2)) - (ZSLAB_CLASSES_PER_POW2 - 1);
    return ZSLAB_SMALL_CLASSES + (k - ZSLAB_FIRST_POW2_SHIFT) * ZSLAB_CLASSES_PER_POW2 + (j - 1);
}

static inline zslab_chunk_t *_zslab_registry_lookup(const zslab_t *z, const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    if (a >> ZSLAB_ADDRESS_BITS)
        return NULL;
    uintptr_t unit = a >> z->chunk_shift;
    zslab_registry_leaf_t *leaf =
        atomic_load_explicit(&z->registry[unit >> ZSLAB_REGISTRY_LEAF_BITS], memory_order_acquire);
    if (!leaf)
        return NULL;
    return atomic_load_explicit(&leaf->entries[unit & ((1u << ZSLAB_REGISTRY_LEAF_BITS) - 1)],
                                memory_order_acquire);
}

/* slab.c, inline: object index <-> address, and the bitmap. */
static inline uint32_t _zslab_slab_index(const zslab_class_t *c, size_t offset)
{
    return (uint32_t)(((uint64_t)offset * c->recip) >> ZSLAB_DIV_SHIFT);
}

static inline bool _zslab_bit_test(const uint64_t *bits, uint32_t i)
{
    return (bits[i / ZSLAB_BITMAP_WORD_BITS] >> (i % ZSLAB_BITMAP_WORD_BITS)) & 1u;
}

static inline void _zslab_bit_flip(uint64_t *bits, uint32_t i)
{
    bits[i / ZSLAB_BITMAP_WORD_BITS] ^= UINT64_C(1) << (i % ZSLAB_BITMAP_WORD_BITS);
}

#endif /* ZSLAB_INTERNAL_H */
