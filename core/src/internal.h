/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the core's types and its table of contents: every function one
 * file of core/src offers the others, grouped by that file.
 *
 * Names: public zslab_*, cross-file _zslab_<module>_<verb>, file-static plain.
 *
 * Glossary (units in brackets), beyond zslab.h's:
 *   heap         one thread's state in one instance: per class a thread
 *                cache of freed objects, a bump range in its active slab, and
 *                the slabs it owns.  Only its thread touches it, without
 *                locks or atomic read-modify-writes (heap.c, refill.c).
 *   owner        the heap a slab belongs to; only the owner writes the slab's
 *                live bits and lists.  A slab in a node cache, or not carved,
 *                has owner ZSLAB_OWNER_NONE; one of an exited thread has
 *                ZSLAB_OWNER_SHARED (the shared heap, under shared_lock).
 *   remote free  a free by a thread that is not the owner: an atomic bit in
 *                the slab's remote bitmap, then the slab is queued on its
 *                owner's notify stack once (remote.c); the owner collects it.
 *   node cache   per NUMA node, empty slabs of any class (dirty: pages still
 *                resident; clean: purged), the chunks being carved and those
 *                given back, with time-based decay (node.c).
 *   reservation  reserve_bytes of address space got in one platform call,
 *                cut into chunks on demand (chunk.c).
 *
 * Memory layout of a chunk (chunk_bytes, aligned to chunk_bytes):
 *
 *   | metadata slab(s)                                         | slab | slab | ...
 *   | zslab_chunk_t | zslab_slab_t per data slab | live bits | remote bits |
 *
 * One live bit and one remote bit per 8-byte granule of the data slabs: an
 * object's bits are those of its first granule, found from its address alone
 * (_zslab_live_word), whatever the slab's class.  A chunk is never unmapped
 * before zslab_destroy(): given back, its pages are purged and its address
 * range kept (as jemalloc's retain), so a stale or foreign pointer into it
 * always finds readable metadata.  A large allocation is its own mapping; its
 * zslab_chunk_t lives in a descriptor pool that is never unmapped either.
 *
 * Locks, in the order they nest: shared_lock, node locks (by index),
 * large_lock, registry_lock, heaps_lock, stats_lock.  The fast paths take
 * none.
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
 * in DEBUG builds and 0 otherwise.
 * ZSLAB_STAT_LEVEL (as mimalloc's MI_STAT): 0 keeps only the counts the fast
 * paths' own bookkeeping gives (alloc_calls, free_calls, bytes_in_use and
 * the instance-wide figures); 1 (default) adds every slow-path counter; 2
 * also samples the gauge peaks at every new slab.  No level adds a single
 * instruction to the fast paths. */
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
#ifndef ZSLAB_STAT_LEVEL
#define ZSLAB_STAT_LEVEL 1
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
#define ZSLAB_PAGE_BYTES       ((size_t)ZSLAB_PLATFORM_PAGE_BYTES)
#define ZSLAB_CACHE_LINE_BYTES 64
#define ZSLAB_BITMAP_WORD_BITS 64u
/* Each bitmap has one bit per possible object of a slab, and the smallest
 * class is 8 bytes: a slab's slot is slab_bytes / 64 bytes, found by
 * shifting the slab-number bits of an address right by this. */
#define ZSLAB_BITMAP_SLOT_SHIFT 6u
/* A remote bit per 8-byte granule; a word covers 64 granules, 512 bytes. */
#define ZSLAB_GRANULE_SHIFT          3u
#define ZSLAB_REMOTE_WORD_SPAN_SHIFT 9u
/* Largest request: beyond PTRDIFF_MAX a pointer difference overflows. */
#define ZSLAB_MAX_REQUEST_BYTES ((size_t)PTRDIFF_MAX)

/* Freed large objects whose mapping is at most this big are kept, up to this
 * many (the oldest is unmapped when a new one comes), and reused by a large
 * allocation that needs at least half of one: no map/unmap per object.
 * zslab_trim() and zslab_destroy() unmap them. */
#define ZSLAB_LARGE_CACHE_COUNT     8u
#define ZSLAB_LARGE_CACHE_MAP_BYTES ((size_t)1 << 20)
/* User-space addresses have at most this many bits (4-level page tables);
 * a pointer above is foreign without looking it up. */
#define ZSLAB_ADDRESS_BITS 48u
/* The registry maps units of 2^ZSLAB_REGISTRY_UNIT_SHIFT bytes (the smallest
 * chunk size, so the shifts are constants); a chunk covers one or more.  A
 * leaf covers 2^ZSLAB_REGISTRY_LEAF_BITS units. */
#define ZSLAB_REGISTRY_UNIT_SHIFT 20u
#define ZSLAB_REGISTRY_LEAF_BITS  12u
#define ZSLAB_REGISTRY_SLABS_TAG  ((uintptr_t)1)
#define ZSLAB_REGISTRY_TOP_BITS                                                                    \
    (ZSLAB_ADDRESS_BITS - ZSLAB_REGISTRY_UNIT_SHIFT - ZSLAB_REGISTRY_LEAF_BITS)
/* offset / object_bytes == (offset * recip) >> ZSLAB_DIV_SHIFT, exact for every
 * offset < ZSLAB_MAX_SLAB_BYTES and class size (tests/unit/core proves it). */
#define ZSLAB_DIV_SHIFT 40u
/* Bytes of a report line given to zslab_platform_log()/panic(). */
#define ZSLAB_REPORT_BYTES 256
/* Debug builds fill freed objects (past the free-list link) with this. */
#define ZSLAB_POISON_BYTE 0xdf
/* Per-node caches: nodes at or above this share a cache (node % this). */
#define ZSLAB_MAX_NODES 16u
/* A node cache doubles its capacity after this many misses in a row. */
#define ZSLAB_CACHE_GROW_STREAK 8u
/* A thread cache holds at most this many objects of a class (and at most
 * thread_cache_bytes of them). */
#define ZSLAB_TCACHE_MAX_OBJECTS 256u
/* A thread hands emptied slabs to its node cache this many at a time (one
 * lock and one clock read for all), and reuses them first meanwhile. */
#define ZSLAB_RELEASE_BATCH 8u
/* Decay runs at most this many times per decay period, and one step
 * releases at most about ZSLAB_DECAY_STEP_BYTES (a chunk, or that many bytes
 * of slabs), so no call pays for purging everything that went idle at once:
 * a backlog goes in the next slow paths, a step each (zslab_trim() takes it
 * all). */
#define ZSLAB_DECAY_STEPS      10u
#define ZSLAB_DECAY_STEP_BYTES ((size_t)2 << 20)
#define ZSLAB_NS_PER_MS        UINT64_C(1000000)

/* Slab owners that are not heaps (see the glossary). */
#define ZSLAB_OWNER_NONE   ((zslab_heap_t *)(uintptr_t)1)
#define ZSLAB_OWNER_SHARED ((zslab_heap_t *)(uintptr_t)2)
/* A heap's notify stack head when the heap takes no notifications. */
#define ZSLAB_STACK_CLOSED ((zslab_slab_t *)(uintptr_t)1)

/* ---- counters --------------------------------------------------------------
 * Instance-wide figures (zslab_stats_t): the atomic twin of zslab_counters_t,
 * one block per lock domain (each node, large objects, the registry, the
 * heaps list, the rest), written only by the holder of that lock, so an
 * increment is a relaxed load and store. */
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

/* Per class, what one heap did: raw counts that only grow and are never
 * reset (zslab_reset_counters() keeps a baseline instead), so the gauges can
 * be derived from them at read time.  The fast paths' own counts (thread
 * cache pops and pushes, bump allocations) live in zslab_tcache_t. */
#define ZSLAB_RAW_LIST(X)                                                                          \
    X(direct_allocs)   /* allocations not through the thread cache (shared heap) */                \
    X(refilled)        /* objects moved from slabs into the thread cache */                        \
    X(flushed)         /* objects moved from the thread cache back to their slabs */               \
    X(remote_frees)    /* frees of another heap's object, made by this heap's thread */            \
    X(remote_rejected) /* remote frees this heap's collector found to be double frees */           \
    X(slow_path_hits)  /* allocations that took a new slab */                                      \
    X(new_slab_count)  /* slabs formatted for the class */                                         \
    X(p2f)             /* PARTIAL -> FULL */                                                       \
    X(f2p)             /* FULL -> PARTIAL */                                                       \
    X(partial_miss)    /* a slab on the partial list had no object */                              \
    X(cache_hits)      /* new slabs taken from a node cache */                                     \
    X(cache_misses)    /* new slabs carved from a chunk */                                         \
    X(cache_pushes)    /* slabs put into a node cache */                                           \
    X(cross_class)     /* cache hits last formatted for another class */                           \
    X(recycled)        /* slabs that emptied in use and went to a node cache */

typedef struct zslab_raw {
#define ZSLAB_RAW_FIELD_(name) _Atomic uint64_t name;
    ZSLAB_RAW_LIST(ZSLAB_RAW_FIELD_)
#undef ZSLAB_RAW_FIELD_
} zslab_raw_t;

/* Single writer (the lock holder, or the heap's thread): a plain load and
 * store, no locked read-modify-write. */
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
/* zslab_raw_count: an allocation or free count, kept at every level (the
 * exact alloc_calls and free_calls need it); zslab_raw_inc: a slow-path
 * counter, kept from ZSLAB_STAT_LEVEL 1. */
#define zslab_raw_count(raw, name) _zslab_stat_add(&(raw)->name, 1)
#if ZSLAB_STAT_LEVEL >= 1
#define zslab_raw_inc(raw, name) _zslab_stat_add(&(raw)->name, 1)
#else
#define zslab_raw_inc(raw, name) ((void)(raw))
#endif

/* ---- types ----------------------------------------------------------------- */
typedef struct zslab_slab zslab_slab_t;
typedef struct zslab_chunk zslab_chunk_t;
typedef struct zslab_heap zslab_heap_t;
typedef struct zslab_node zslab_node_t;

/* Where a slab is; the invariant checkers compare it. */
typedef enum zslab_slab_state {
    ZSLAB_SLAB_FREE = 0, /* not carved since its chunk was set up or given back */
    ZSLAB_SLAB_ACTIVE,   /* its heap's bump range for the class */
    ZSLAB_SLAB_PARTIAL,  /* has objects on its free list or never bumped */
    ZSLAB_SLAB_FULL,     /* every object is out: live or in a thread cache */
    ZSLAB_SLAB_DIRTY,    /* empty, in a node cache, pages resident */
    ZSLAB_SLAB_CLEAN,    /* empty, in a node cache, pages purged */
} zslab_slab_state_t;

/*
 * A slab descriptor: 64 bytes, cache-line aligned, in the chunk metadata,
 * never in the slab.  The owner's fields come first; the remote path writes
 * only remote_next and remote_flag, once per notification.
 */
struct zslab_slab {
    _Atomic(zslab_heap_t *) owner;
    void *free;         /* freed objects, linked through their first word */
    zslab_slab_t *next; /* list links (a heap's lists, or a node cache) */
    zslab_slab_t *prev;
    uint32_t used;     /* objects out of the slab: live, or in a thread cache */
    uint32_t bumped;   /* objects handed out fresh (bump pointer) */
    uint32_t capacity; /* objects in the slab */
    uint32_t empty_since_ms;
    /* Read by remote and stale frees too: atomic (plain loads on x86). */
    _Atomic uint16_t class_index;
    _Atomic uint8_t state; /* zslab_slab_state_t */
    uint8_t purged;
    _Atomic uint32_t remote_flag; /* 1: queued on a notify stack, or being delivered */
    _Atomic(zslab_slab_t *) remote_next;
};
_Static_assert(sizeof(struct zslab_slab) == ZSLAB_CACHE_LINE_BYTES, "a descriptor is one line");

typedef struct zslab_slab_list {
    zslab_slab_t *head;
    zslab_slab_t *tail; /* the oldest: decay starts there */
    uint32_t count;
} zslab_slab_list_t;

typedef enum zslab_chunk_kind {
    ZSLAB_CHUNK_UNUSED = 0, /* a large descriptor on the free list */
    ZSLAB_CHUNK_SLABS = 1,  /* a chunk cut into slabs */
    ZSLAB_CHUNK_LARGE = 2,  /* one large object */
    ZSLAB_CHUNK_CACHED = 3, /* a freed large object's mapping, kept for reuse */
} zslab_chunk_kind_t;

/* Header of a chunk (at its start) or descriptor of a large object (in the
 * descriptor pool): what the registry points to.  64 bytes. */
struct zslab_chunk {
    _Atomic uint16_t kind; /* zslab_chunk_kind_t; read lock-free by free() */
    uint16_t node;
    uint16_t carved;     /* SLABS: slabs [first_slab, carved) were handed out */
    uint16_t free_slabs; /* SLABS: data slabs uncarved or in the node cache */
    uint16_t populated;  /* SLABS: slabs below this are prefaulted (AHEAD) */
    uint16_t returned;   /* SLABS: given back (purged), waiting for reuse */
    uint32_t put_ms;     /* SLABS: when a slab of it last went to the node cache */
    zslab_chunk_t *next; /* a node's chunks, the large list, or a free list */
    zslab_chunk_t *prev;
    uint8_t *map;        /* LARGE: mapping start */
    size_t map_bytes;    /* LARGE: bytes mapped; SLABS, first of a reservation: its bytes */
    uint8_t *object;     /* LARGE: the object; SLABS, first of a reservation: the next */
    size_t object_bytes; /* LARGE: page-rounded size */
};
_Static_assert(sizeof(struct zslab_chunk) == ZSLAB_CACHE_LINE_BYTES, "a chunk header is one line");
_Static_assert(sizeof(struct zslab_chunk) == sizeof(struct zslab_slab),
               "the chunk header takes descriptor slot 0");

/*
 * The fast paths' per-class state of a heap: one cache line.  The thread
 * cache is an array of pointers in the heap (LIFO), not a list through the
 * objects: neither a free into it nor an allocation from it touches the
 * object.  What it counts (stats.c derives the calls from them):
 *   allocations = pushes + refilled - flushed - count, plus bumped;
 *   frees       = pushes + direct (refilled, flushed: zslab_raw_t).
 */
typedef struct zslab_tcache {
    void **cache;            /* capacity slots in the heap; objects in [0, count) */
    _Atomic uint32_t count;  /* objects in the cache now */
    uint32_t capacity;       /* a free into a full cache goes to its slab */
    _Atomic uint64_t pushes; /* frees into the cache (monotonic) */
    _Atomic uint64_t direct; /* frees past a full cache, into their slab (monotonic) */
    _Atomic uint64_t bumped; /* objects bumped from active slabs (monotonic) */
    uint64_t bump_limit;     /* bumped may grow up to this in the active slab */
    uintptr_t bump_origin;   /* address of object number 0 of the bump range */
    uint32_t object_bytes;
    uint32_t bump_index_bias; /* (uint32_t)bumped - this: the bumped object's index in its slab */
} zslab_tcache_t;
_Static_assert(sizeof(zslab_tcache_t) == ZSLAB_CACHE_LINE_BYTES, "a thread cache is one line");

/* The slow paths' per-class state of a heap. */
typedef struct zslab_heap_class {
    zslab_slab_t *active;
    zslab_slab_list_t partial;
    zslab_slab_list_t full;
    uint32_t spares; /* empty slabs kept on partial (hysteresis) */
    uint32_t taken;  /* slabs taken from the node so far (saturates) */
    zslab_raw_t raw;
} zslab_heap_class_t;

struct zslab_heap {
    /* First, so the fast paths address a class's line as heap + class * 64. */
    zslab_tcache_t tc[ZSLAB_CLASS_COUNT];
    zslab_t *z;
    zslab_heap_t *next; /* the instance's live heaps, or its free heaps */
    zslab_heap_t *prev;
    _Atomic(zslab_slab_t *) remote_head; /* notify stack */
    uint32_t node;
    bool shared;
    uint32_t releasing_count;
    zslab_slab_t *releasing[ZSLAB_RELEASE_BATCH]; /* emptied, on their way to the node */
    zslab_heap_t *map_next; /* every heap mapping of the instance, for destroy */
    zslab_heap_class_t cls[ZSLAB_CLASS_COUNT];
    /* The thread caches' slots, ZSLAB_TCACHE_MAX_OBJECTS per class (only
     * the pages of the classes a thread uses are ever touched). */
    _Alignas(ZSLAB_CACHE_LINE_BYTES) void *slots[ZSLAB_CLASS_COUNT][ZSLAB_TCACHE_MAX_OBJECTS];
};

/* Per NUMA node: the cache of empty slabs and the chunks it carves from. */
struct zslab_node {
    _Alignas(ZSLAB_CACHE_LINE_BYTES) zslab_platform_lock_t lock;
    zslab_slab_list_t dirty; /* head: most recently emptied */
    zslab_slab_list_t clean;
    zslab_chunk_t *chunks;   /* chunks in use (not given back) */
    zslab_chunk_t *carving;  /* the chunk slabs are carved from now */
    zslab_chunk_t *returned; /* chunks given back, reused first */
    uint8_t *reserve_next;   /* the current reservation's unused chunks */
    uint8_t *reserve_end;
    uint32_t capacity; /* dirty slabs kept; adaptive */
    uint32_t miss_streak;
    uint32_t ahead_slabs; /* AHEAD prefault window, slabs */
    uint32_t index;
    _Atomic uint64_t last_decay_ns; /* read without the lock by _zslab_node_maybe_decay() */
    _Atomic bool decay_backlog;     /* the last step stopped at its budget: go on at once */
    uint64_t last_miss_ns;
    zslab_stats_t stats;
};

/* One leaf of the registry: per address unit, the chunk owning it (a slab
 * chunk's address | ZSLAB_REGISTRY_SLABS_TAG, or a large descriptor's). */
typedef struct zslab_registry_leaf {
    _Atomic uintptr_t entries[1u << ZSLAB_REGISTRY_LEAF_BITS];
} zslab_registry_leaf_t;

typedef _Atomic(zslab_registry_leaf_t *) zslab_registry_slot_t;

/* Per class, the peak of each derived gauge (updated by readers). */
typedef struct zslab_class_peaks {
    _Atomic uint64_t bytes_in_use;
    _Atomic uint64_t slabs_in_use;
} zslab_class_peaks_t;

/* A raw snapshot of one class, summed over heaps: what a read computes. */
typedef struct zslab_class_sum {
    uint64_t allocs, frees;
    uint64_t raw[sizeof(zslab_raw_t) / sizeof(uint64_t)];
} zslab_class_sum_t;

struct zslab {
    uint64_t magic;
    zslab_config_t cfg;
    size_t map_bytes; /* this struct's mapping, with the registry's top level */
    /* geometry, from the config (chunk.c) */
    uintptr_t chunk_mask;      /* chunk_bytes - 1 */
    uintptr_t chunk_base_mask; /* ~chunk_mask: an address's chunk start */
    uint32_t desc_shift; /* slab_shift - 6: (address - chunk) >> this & ~63 = descriptor offset */
    uint32_t pad_shift_;
    uintptr_t slab_mask;       /* slab_bytes - 1 */
    uintptr_t slab_index_mask; /* chunk_mask & ~slab_mask: an address's slab number */
    uintptr_t live_bias;       /* see _zslab_bits_word() */
    uintptr_t remote_bias;
    uint32_t chunk_shift;
    uint32_t slab_shift;
    uint32_t slab_count; /* slabs per chunk, metadata included */
    uint32_t first_slab; /* metadata slabs at the chunk start */
    uint32_t data_slabs;
    uint32_t node_count;
    size_t metadata_bytes;
    zslab_platform_key_t key;
    bool has_key;
    /* Per class, the reciprocal that gives an object's index (_zslab_sizeclass_recip),
     * the object size, and how many objects a slab holds. */
    uint64_t class_recip[ZSLAB_CLASS_COUNT];
    uint32_t class_bytes[ZSLAB_CLASS_COUNT];
    uint32_t class_capacity[ZSLAB_CLASS_COUNT];
    /* The class of each request size, by 8-byte step: one load on the fast path. */
    uint8_t class_of[(ZSLAB_MAX_CLASS_BYTES / ZSLAB_MIN_CLASS_BYTES) + 1];
    size_t heap_bytes;
    /* heaps */
    zslab_platform_lock_t heaps_lock;
    zslab_heap_t *heaps;      /* live ones */
    zslab_heap_t *free_heaps; /* of exited threads, reused */
    zslab_heap_t *heap_maps;  /* every heap mapping, for destroy (linked by map_next) */
    zslab_platform_lock_t shared_lock;
    zslab_heap_t *shared;
    zslab_raw_t retired[ZSLAB_CLASS_COUNT]; /* counts of exited heaps */
    uint64_t retired_allocs[ZSLAB_CLASS_COUNT];
    uint64_t retired_frees[ZSLAB_CLASS_COUNT];
    zslab_class_sum_t baseline[ZSLAB_CLASS_COUNT]; /* zslab_reset_counters() */
    zslab_class_peaks_t peaks[ZSLAB_CLASS_COUNT];
    zslab_stats_t heap_stats; /* heaps_lock */
    /* large objects */
    zslab_platform_lock_t large_lock;
    zslab_chunk_t *large;       /* live large objects */
    zslab_chunk_t *large_free;  /* free descriptors */
    zslab_chunk_t *large_pages; /* descriptor pool pages, linked by next */
    /* Freed large mappings of up to ZSLAB_LARGE_CACHE_MAP_BYTES, oldest first,
     * for the next large allocation of about their size. */
    zslab_chunk_t *large_cache[ZSLAB_LARGE_CACHE_COUNT];
    uint32_t large_cached;
    uint64_t large_bytes_base; /* large bytes_in_use at the last reset */
    zslab_stats_t large_stats;
    /* registry */
    zslab_platform_lock_t registry_lock;
    zslab_registry_slot_t *registry; /* top level, 1 << ZSLAB_REGISTRY_TOP_BITS slots */
    zslab_stats_t registry_stats;
    zslab_chunk_t *reservations; /* first chunk of each, linked by object */
    /* the rest */
    zslab_platform_lock_t stats_lock;
    zslab_stats_t misc_stats;
    zslab_node_t nodes[ZSLAB_MAX_NODES];
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
    ZSLAB_BAD_REMOTE_TWICE,     /* found when a remote free was collected */
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
uint64_t _zslab_sizeclass_recip(unsigned class_index);

/* list.c */
void _zslab_list_push(zslab_slab_list_t *list, zslab_slab_t *slab, zslab_slab_state_t state);
void _zslab_list_remove(zslab_slab_list_t *list, zslab_slab_t *slab);
zslab_slab_t *_zslab_list_pop(zslab_slab_list_t *list);
bool _zslab_list_is_valid(const zslab_slab_list_t *list, zslab_slab_state_t state);

/* slab.c: formatting, the object <-> address arithmetic, invariant checks */
void _zslab_slab_format(const zslab_t *z, zslab_slab_t *slab, unsigned class_index,
                        zslab_heap_t *owner);
void _zslab_slab_reset(zslab_slab_t *slab);
uint8_t *_zslab_slab_start(const zslab_t *z, const zslab_slab_t *slab);
bool _zslab_slab_is_valid(const zslab_t *z, const zslab_slab_t *slab);
void _zslab_slab_give(const zslab_t *z, zslab_slab_t *slab, void *obj);

/* chunk.c: geometry, reservations, carving, giving chunks back */
void _zslab_chunk_layout(zslab_t *z);
zslab_slab_t *_zslab_chunk_carve(zslab_t *z, zslab_node_t *node, bool *fresh_chunk);
void _zslab_chunk_give_back(zslab_t *z, zslab_node_t *node, zslab_chunk_t *chunk);
void _zslab_chunk_release_all(zslab_t *z);

/* node.c: per-node caches of empty slabs, adaptive capacity, decay */
void _zslab_node_init(zslab_t *z, zslab_node_t *node, uint32_t index);
zslab_node_t *_zslab_node_of(zslab_t *z, uint32_t node);
zslab_slab_t *_zslab_node_take(zslab_t *z, zslab_heap_t *h, unsigned class_index);
void _zslab_node_put(zslab_t *z, zslab_slab_t *slab); /* takes the node lock */
void _zslab_node_put_batch(zslab_t *z, zslab_slab_t *const *slabs, uint32_t n);
void _zslab_node_put_locked(zslab_t *z, zslab_node_t *node, zslab_slab_t *slab);
size_t _zslab_node_decay(zslab_t *z, zslab_node_t *node, uint64_t now_ns, bool all);
void _zslab_node_maybe_decay(zslab_t *z, uint32_t node); /* takes the lock when due */

/* heap.c: heaps' life (attach, thread exit), thread-cache flushes, trim */
zslab_heap_t *_zslab_heap_attach(zslab_t *z);
bool _zslab_heap_key_create(zslab_t *z); /* the key whose on_exit hook is the heap's exit */
void _zslab_heap_flush(zslab_t *z, zslab_heap_t *h);
void _zslab_heap_release_empty(zslab_t *z, zslab_heap_t *h);
bool _zslab_heap_is_valid(const zslab_t *z, const zslab_heap_t *h);

/* refill.c: the slow paths of one heap (the thread's own, or the shared one
 * under shared_lock) */
void *_zslab_refill_alloc(zslab_t *z, zslab_heap_t *h, unsigned class_index);
void _zslab_refill_slab_gained(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, uint32_t n);
void _zslab_refill_deactivate(zslab_heap_t *h, unsigned class_index);
void *_zslab_refill_shared_alloc(zslab_t *z, unsigned class_index); /* shared_lock held */
void _zslab_refill_release_spares(zslab_t *z, zslab_heap_t *h, unsigned class_index);
void _zslab_refill_release_flush(zslab_t *z, zslab_heap_t *h);

/* remote.c: frees from threads that do not own the slab */
void _zslab_remote_free(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr);
void _zslab_remote_free_fast(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr);
void _zslab_remote_drain(zslab_t *z, zslab_heap_t *h, bool to_cache);
void _zslab_remote_close(zslab_t *z, zslab_heap_t *h);
uint32_t _zslab_remote_collect(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab,
                               zslab_tcache_t *into, zslab_bad_info_t *bad);

/* alloc.c: zslab_alloc(), zslab_alloc_aligned(), zslab_free(), zslab_free_sized(),
 * zslab_usable_size(), and the slow entries below */
void *_zslab_alloc_slow(zslab_t *z, zslab_heap_t *h, unsigned class_index);
void *_zslab_alloc_cached(zslab_t *z, zslab_heap_t *h, unsigned class_index); /* count != 0 */
bool _zslab_find_object(const zslab_t *z, const zslab_chunk_t *chunk, const void *ptr,
                        zslab_slab_t **slab, zslab_bad_info_t *bad);
/* Every free the fast paths do not finish; reports a bad one. */
void _zslab_free_slow(zslab_t *z, zslab_heap_t *h, zslab_chunk_t *chunk, void *ptr, bool sized,
                      size_t size);

/* registry.c: chunk-sized address units -> the chunk that owns them */
void _zslab_registry_init(zslab_t *z, void *top);
bool _zslab_registry_set(zslab_t *z, const void *base, size_t bytes, zslab_chunk_t *chunk);
void _zslab_registry_fini(zslab_t *z);
static inline zslab_chunk_t *_zslab_registry_lookup(const zslab_t *z, const void *addr);

/* large.c */
void *_zslab_large_alloc(zslab_t *z, size_t size, size_t align, bool zeroed);
void *_zslab_large_realloc(zslab_t *z, void *ptr, size_t size, bool *valid);
size_t _zslab_large_trim(zslab_t *z);
void _zslab_large_free(zslab_t *z, zslab_chunk_t *chunk, void *ptr, bool sized, size_t size);
void _zslab_large_release_all(zslab_t *z);

/* stats.c: zslab_get_counters(), zslab_reset_counters(), zslab_merge_counters() */
void _zslab_stats_retire(zslab_t *z, zslab_heap_t *h); /* heaps_lock held */
void _zslab_stats_bad_free(zslab_t *z);
void _zslab_stats_sample_peaks(zslab_t *z, unsigned class_index);

/* fork.c: zslab_fork_prepare(), zslab_fork_parent(), zslab_fork_child() */

/* instance.c: zslab_config_default(), zslab_create(), zslab_destroy(),
 * zslab_strerror(), zslab_trim() */
uint32_t _zslab_now_ms(void);

/* report/format.c: a bounded string builder (report/fmt.h), and
 * zslab_format_counters() */

/* report/report.c */
void _zslab_report_bad(zslab_t *z, const zslab_bad_info_t *info);
void _zslab_report_config(const char *field, size_t value, const char *rule);
void _zslab_report_nomem(const char *what, size_t bytes, int node);
void _zslab_report_warn(const char *msg);
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

/* The raw registry entry of @addr's unit: a slab chunk's address with
 * ZSLAB_REGISTRY_SLABS_TAG set, a large object's descriptor, or 0.  The top
 * index is masked, not checked: an address above ZSLAB_ADDRESS_BITS finds
 * some unit's entry, which never matches it (_zslab_registry_lookup()
 * refuses it outright). */
static inline uintptr_t _zslab_registry_entry(const zslab_t *z, const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    zslab_registry_leaf_t *leaf = atomic_load_explicit(
        &z->registry[(a >> (ZSLAB_REGISTRY_UNIT_SHIFT + ZSLAB_REGISTRY_LEAF_BITS)) &
                     (((uintptr_t)1 << ZSLAB_REGISTRY_TOP_BITS) - 1)],
        memory_order_acquire);
    if (!leaf)
        return 0;
    return atomic_load_explicit(&leaf->entries[(a >> ZSLAB_REGISTRY_UNIT_SHIFT) &
                                               (((uintptr_t)1 << ZSLAB_REGISTRY_LEAF_BITS) - 1)],
                                memory_order_acquire);
}

/* The chunk header or large descriptor that owns @addr, or NULL. */
static inline zslab_chunk_t *_zslab_registry_lookup(const zslab_t *z, const void *addr)
{
    if ((uintptr_t)addr >> ZSLAB_ADDRESS_BITS)
        return NULL;
    return (zslab_chunk_t *)(_zslab_registry_entry(z, addr) & ~ZSLAB_REGISTRY_SLABS_TAG);
}

/* The calling thread's heap in @z, or NULL (none yet, or no thread key):
 * inline when the platform gives its thread slots (platform.h). */
static inline zslab_heap_t *_zslab_heap_get(const zslab_t *z)
{
#if defined(ZSLAB_PLATFORM_INLINE_THREAD) && ZSLAB_PLATFORM_INLINE_THREAD
    return zslab_platform_thread_get_inline(z->key);
#else
    return zslab_platform_thread_get(z->key);
#endif
}

/* A heap, not ZSLAB_OWNER_NONE or _SHARED, nor the odd first word of a chunk
 * header that a pointer into the metadata reads as an owner: heaps are
 * page-aligned mappings. */
static inline bool _zslab_is_heap(const zslab_heap_t *owner)
{
    return owner != NULL && ((uintptr_t)owner & (ZSLAB_PAGE_BYTES - 1)) == 0;
}

/* The chunk an address of a slab chunk is in. */
static inline zslab_chunk_t *_zslab_chunk_of(const zslab_t *z, const void *p)
{
    return (zslab_chunk_t *)((uintptr_t)p & ~z->chunk_mask);
}

/* The descriptor of slab @index of @chunk: descriptors are indexed by slab
 * number, so slot 0 is the chunk header and slots 1 .. first_slab - 1 are
 * unused (their owner is ZSLAB_OWNER_NONE); data slabs start at first_slab.
 * A pointer into the metadata therefore finds a "descriptor" no heap owns. */
static inline zslab_slab_t *_zslab_slab_at(const zslab_t *z, const zslab_chunk_t *chunk,
                                           uint32_t index)
{
    (void)z;
    return (zslab_slab_t *)(void *)(uintptr_t)chunk + index;
}

static inline uint32_t _zslab_slab_index(const zslab_t *z, const zslab_slab_t *slab)
{
    return (uint32_t)(slab - (const zslab_slab_t *)(const void *)_zslab_chunk_of(z, slab));
}

/* The slab descriptor of a data address (the caller knows it is one). */
static inline zslab_slab_t *_zslab_slab_of(const zslab_t *z, const void *p)
{
    return _zslab_slab_at(z, _zslab_chunk_of(z, p),
                          (uint32_t)(((uintptr_t)p & z->chunk_mask) >> z->slab_shift));
}

/*
 * The two bitmaps, each a slot of slab_bytes / 64 bytes per data slab:
 *   live    bit (index % 64) of word (index / 64) of the slot, where the
 *           index is the object's number in its slab (_zslab_object_index):
 *           indexed by object, so the bits of a slab of large objects sit in
 *           one cache line (512 objects of 128 B: 64 bytes).  Written only by
 *           the slab's owner, which knows the class.
 *   remote  one bit per 8-byte granule of the slab, the object's first:
 *           indexed by address, so a remote free, which may race with the
 *           slab changing class, names an address, and the collector
 *           decides against the class the slab has when it collects.
 */
static inline _Atomic uint64_t *_zslab_live_word_in(const zslab_t *z, uintptr_t chunk, uintptr_t a,
                                                    uint32_t index)
{
    return (_Atomic uint64_t *)(chunk + z->live_bias +
                                ((a & z->slab_index_mask) >> ZSLAB_BITMAP_SLOT_SHIFT) +
                                ((uintptr_t)(index / ZSLAB_BITMAP_WORD_BITS) << 3));
}

static inline _Atomic uint64_t *_zslab_live_word(const zslab_t *z, const void *p, uint32_t index)
{
    uintptr_t a = (uintptr_t)p;
    return _zslab_live_word_in(z, a & z->chunk_base_mask, a, index);
}

static inline uint64_t _zslab_bit_of(uint32_t index)
{
    return UINT64_C(1) << (index % ZSLAB_BITMAP_WORD_BITS);
}

static inline _Atomic uint64_t *_zslab_remote_word(const zslab_t *z, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    return (_Atomic uint64_t *)((a & ~z->chunk_mask) + z->remote_bias +
                                (((a & z->chunk_mask) >> ZSLAB_REMOTE_WORD_SPAN_SHIFT) << 3));
}

static inline uint64_t _zslab_remote_bit(const void *p)
{
    return UINT64_C(1) << (((uintptr_t)p >> ZSLAB_GRANULE_SHIFT) % ZSLAB_BITMAP_WORD_BITS);
}

/* (offset of @p in its slab) * the class's reciprocal: its high bits
 * (>> ZSLAB_DIV_SHIFT) are the object index, and it is an object start
 * exactly when its low bits are below the reciprocal (test_sizeclass.c
 * proves both for every class and offset). */
static inline uint64_t _zslab_index_product(const zslab_t *z, const void *p, uint64_t recip)
{
    return (uint64_t)((uintptr_t)p & z->slab_mask) * recip;
}

static inline bool _zslab_product_is_start(uint64_t product, uint64_t recip)
{
    return (product & ((UINT64_C(1) << ZSLAB_DIV_SHIFT) - 1)) < recip;
}

/* The index of the object that starts at @p in a slab of class @c. */
static inline uint32_t _zslab_object_index(const zslab_t *z, const void *p, unsigned c)
{
    return (uint32_t)(_zslab_index_product(z, p, z->class_recip[c]) >> ZSLAB_DIV_SHIFT);
}

/* Owner-only updates of a live bit: a relaxed load and store, which remote
 * readers may see at any time (they only read). */
static inline void _zslab_live_set(const zslab_t *z, const void *p, uint32_t index)
{
    _Atomic uint64_t *w = _zslab_live_word(z, p, index);
    atomic_store_explicit(w, atomic_load_explicit(w, memory_order_relaxed) | _zslab_bit_of(index),
                          memory_order_relaxed);
}

static inline void _zslab_live_clear(const zslab_t *z, const void *p, uint32_t index)
{
    _Atomic uint64_t *w = _zslab_live_word(z, p, index);
    atomic_store_explicit(w, atomic_load_explicit(w, memory_order_relaxed) & ~_zslab_bit_of(index),
                          memory_order_relaxed);
}

static inline bool _zslab_live_test(const zslab_t *z, const void *p, uint32_t index)
{
    return (atomic_load_explicit(_zslab_live_word(z, p, index), memory_order_relaxed) &
            _zslab_bit_of(index)) != 0;
}

static inline void _zslab_tcache_inc(_Atomic uint64_t *c)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

#endif /* ZSLAB_INTERNAL_H */
