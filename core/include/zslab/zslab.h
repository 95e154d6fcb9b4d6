/* SPDX-License-Identifier: MIT */
/*
 * zslab.h - the ZNS-Slab allocator's public API.
 *
 * Glossary (units in brackets):
 *   object      what zslab_alloc() returns: one slot of a slab [bytes: its
 *               class size], or a large allocation.
 *   size class  a fixed object size; a request is rounded up to the smallest
 *               class that holds it.  Classes run from ZSLAB_MIN_CLASS_BYTES to
 *               ZSLAB_MAX_CLASS_BYTES, 8 per power of two (waste <= 12.5%).
 *   slab        a run of slab_bytes [64 KiB] inside a chunk, cut into objects
 *               of one class.  Every slab has the same size.
 *   chunk       chunk_bytes [2 MiB] of memory, chunk-aligned, got from the
 *               platform in one call.  Its first slab(s) hold the metadata
 *               (chunk header, slab descriptors, allocated-object bitmaps), so
 *               object pages carry no headers.
 *   large       a request above ZSLAB_MAX_CLASS_BYTES: its own chunk-aligned
 *               mapping, returned to the platform on free.
 *   thread cache per thread and class, up to thread_cache_bytes of freed
 *               objects, reused first; no lock, no atomic operation.
 *   slab cache  per NUMA node, empty slabs of any class kept ready (from
 *               class_cache_slabs up to cache_max_slabs [slabs], adapting to
 *               misses), each reformatted for whichever class needs one;
 *               idle ones go back to the platform after decay_ms [ms].
 *
 * Thread safety: one instance may be used from any number of threads at once;
 * each thread gets its own thread caches, and frees of another thread's
 * objects go back to it lock-free.  Different instances share nothing.
 *
 * Return codes: functions returning int return ZSLAB_OK (0) or a negative
 * enum zslab_error value; zslab_strerror() names it.
 */
#ifndef ZSLAB_ZSLAB_H
#define ZSLAB_ZSLAB_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define ZSLAB_API __attribute__((visibility("default")))
#else
#define ZSLAB_API
#endif

/* Size classes: 8 classes per power of two from 64 B up, 8-byte steps below. */
#define ZSLAB_MIN_CLASS_BYTES 8u
#define ZSLAB_MAX_CLASS_BYTES 32768u
#define ZSLAB_CLASS_COUNT     80
#define ZSLAB_CLASS_NONE      (-1) /* zslab_class_of(): larger than any class */
#define ZSLAB_ALL_CLASSES     (-1) /* zslab_get_counters(): the instance total */

/* Configuration defaults (see struct zslab_config). */
#define ZSLAB_DEFAULT_CHUNK_BYTES        ((size_t)2 << 20)  /* 2 MiB */
#define ZSLAB_DEFAULT_SLAB_BYTES         ((size_t)64 << 10) /* 64 KiB */
#define ZSLAB_DEFAULT_CLASS_CACHE_SLABS  32u                /* Phase 1.5's 32 */
#define ZSLAB_DEFAULT_CACHE_MAX_SLABS    4096u              /* 256 MiB of 64 KiB slabs */
#define ZSLAB_DEFAULT_DECAY_MS           1000u
#define ZSLAB_DEFAULT_THREAD_CACHE_BYTES ((size_t)32 << 10) /* 32 KiB per class */
#define ZSLAB_DEFAULT_SPARE_SLABS        1u
#define ZSLAB_DEFAULT_RESERVE_BYTES      ((size_t)64 << 20) /* 64 MiB */
#define ZSLAB_DEFAULT_PREFAULT           ZSLAB_PREFAULT_AHEAD
#define ZSLAB_DEFAULT_ON_BAD_FREE        ZSLAB_BAD_FREE_ABORT
#define ZSLAB_NODE_ANY                   (-1)

/* Limits a config must respect (zslab_create() says which one it broke). */
#define ZSLAB_MIN_CHUNK_BYTES     ((size_t)1 << 20) /* 1 MiB */
#define ZSLAB_MAX_CHUNK_BYTES     ((size_t)1 << 30) /* 1 GiB */
#define ZSLAB_MAX_SLAB_BYTES      ((size_t)1 << 20) /* 1 MiB */
#define ZSLAB_MIN_SLABS_PER_CHUNK 8u                /* chunk_bytes / slab_bytes */

/* enum zslab_error - what an int-returning function can fail with. */
enum zslab_error {
    ZSLAB_OK = 0,
    ZSLAB_ERR_INVALID = -1, /* an argument or config field is out of range */
    ZSLAB_ERR_NOMEM = -2,   /* the platform gave no memory */
};

/* enum zslab_prefault - when chunk pages are backed by physical memory. */
typedef enum zslab_prefault {
    ZSLAB_PREFAULT_NONE = 0,  /* on first touch: faults in the caller's first write */
    ZSLAB_PREFAULT_CHUNK = 1, /* a whole chunk when its first slab is carved */
    ZSLAB_PREFAULT_AHEAD = 2, /* a class's second slab on: ahead, in growing batches */
} zslab_prefault_t;

/* enum zslab_bad_free - what a bad free (double, foreign, interior, wrong
 * size, other instance) does after it is logged at ZSLAB_LOG_ERROR. */
typedef enum zslab_bad_free {
    ZSLAB_BAD_FREE_ABORT = 0,  /* zslab_platform_panic(): stop the program */
    ZSLAB_BAD_FREE_REPORT = 1, /* ignore that free, count it, go on */
} zslab_bad_free_t;

/**
 * struct zslab_config - every tunable of an instance.
 * @chunk_bytes:       chunk size, bytes; power of two in
 *                     [ZSLAB_MIN_CHUNK_BYTES, ZSLAB_MAX_CHUNK_BYTES].
 *                     Default ZSLAB_DEFAULT_CHUNK_BYTES (2 MiB).
 * @slab_bytes:        slab size, bytes; power of two, at least
 *                     ZSLAB_MAX_CLASS_BYTES, at most ZSLAB_MAX_SLAB_BYTES and
 *                     chunk_bytes / ZSLAB_MIN_SLABS_PER_CHUNK.
 *                     Default ZSLAB_DEFAULT_SLAB_BYTES (64 KiB).
 * @class_cache_slabs: starting and smallest capacity of each node's slab
 *                     cache, slabs: empty slabs kept resident (the name is
 *                     Phase 1.5's, whose cache was per class); 0 keeps none
 *                     past the next decay step.  Default
 *                     ZSLAB_DEFAULT_CLASS_CACHE_SLABS (32).
 * @cache_max_slabs:   largest capacity the slab cache grows to on a streak of
 *                     misses, slabs; at least class_cache_slabs.  Default
 *                     ZSLAB_DEFAULT_CACHE_MAX_SLABS (4096).
 * @decay_ms:          an empty slab idle this long goes back to the platform
 *                     (purged), and an idle cache halves its capacity, ms;
 *                     0: at the next decay step.  Default
 *                     ZSLAB_DEFAULT_DECAY_MS (1000).
 * @thread_cache_bytes: bound of each thread's cache of freed objects, per
 *                     class, bytes (at least one object); 0 disables thread
 *                     caches (a free goes straight to its slab).  Default
 *                     ZSLAB_DEFAULT_THREAD_CACHE_BYTES (32 KiB).
 * @spare_slabs:       empty slabs a thread keeps per class before it gives
 *                     them to the slab cache (hysteresis).  Default
 *                     ZSLAB_DEFAULT_SPARE_SLABS (1).
 * @reserve_bytes:     address space got from the platform at a time and cut
 *                     into chunks as needed, bytes; a multiple of chunk_bytes,
 *                     at least one chunk.  Default ZSLAB_DEFAULT_RESERVE_BYTES
 *                     (64 MiB: 32 chunks for one system call).
 * @prefault:          enum zslab_prefault.  Default ZSLAB_PREFAULT_AHEAD.
 * @on_bad_free:       enum zslab_bad_free.  Default ZSLAB_BAD_FREE_ABORT.
 * @numa_node:         NUMA node for all memory, or ZSLAB_NODE_ANY (default:
 *                     each thread gets memory on the node it runs on).
 *
 * Fill it with zslab_config_default() and change what you need, so fields
 * added later get their defaults.
 */
typedef struct zslab_config {
    size_t chunk_bytes;
    size_t slab_bytes;
    uint32_t class_cache_slabs;
    uint32_t cache_max_slabs;
    uint32_t decay_ms;
    size_t thread_cache_bytes;
    uint32_t spare_slabs;
    size_t reserve_bytes;
    zslab_prefault_t prefault;
    zslab_bad_free_t on_bad_free;
    int numa_node;
} zslab_config_t;

/*
 * The counters, defined once.  COUNTER(name, doc) is a plain event count that
 * only grows; GAUGE(name, doc) is a "count" figure with a current value and
 * its peak.  The list generates struct zslab_counters, its reset, merge and
 * printer.  Instance-wide figures (platform calls, chunks, large allocations,
 * the slab caches' decay) are 0 in a per-class read and appear in the
 * ZSLAB_ALL_CLASSES total.  Every count is exact; none is kept on the fast
 * paths: threads count in their own heaps, merged on read, and bytes_in_use
 * and slabs_in_use are derived at read time.
 */
#define ZSLAB_COUNTER_LIST(COUNTER, GAUGE)                                                         \
    COUNTER(alloc_calls, "objects handed out by zslab_alloc()")                                    \
    COUNTER(free_calls, "objects taken back by zslab_free() or zslab_free_sized()")                \
    COUNTER(slow_path_hits, "allocations that found no partial slab and took a new one")           \
    COUNTER(new_slab_count, "slabs formatted for a class, from its cache or from a chunk")         \
    COUNTER(list_move_partial_to_full, "slabs that filled up: PARTIAL -> FULL")                    \
    COUNTER(list_move_full_to_partial, "full slabs that got an object back: FULL -> PARTIAL")      \
    COUNTER(current_partial_miss, "allocations whose current partial slab was full (0)")           \
    COUNTER(cache_hits, "new slabs taken from a slab cache (any class's empty slab)")              \
    COUNTER(cache_misses, "new slabs carved from a chunk because the cache was empty")             \
    COUNTER(cache_pushes, "empty slabs put into a slab cache")                                     \
    COUNTER(cross_class_reuses, "cache hits that reformatted another class's empty slab")          \
    COUNTER(recycled_slabs, "slabs that emptied and left their class for the slab cache")          \
    COUNTER(remote_frees, "frees of an object owned by another thread, made lock-free")            \
    COUNTER(platform_map_calls, "zslab_platform_map() calls (instance-wide)")                      \
    COUNTER(platform_unmap_calls, "zslab_platform_unmap() calls (instance-wide)")                  \
    COUNTER(large_allocs, "allocations above ZSLAB_MAX_CLASS_BYTES (instance-wide)")               \
    COUNTER(bad_frees, "frees rejected as bad input: reported, never applied")                     \
    COUNTER(cache_grows, "slab cache capacity doublings on a streak of misses (instance-wide)")    \
    COUNTER(cache_shrinks, "slab cache capacity halvings after decay_ms idle (instance-wide)")     \
    COUNTER(bytes_released, "bytes handed back to the platform by decay and trim (instance-wide)") \
    COUNTER(chunks_returned, "chunks given back once all their slabs were free (instance-wide)")   \
    GAUGE(bytes_in_use, "bytes of live objects, at class size (large: page-rounded)")              \
    GAUGE(slabs_in_use, "slabs formatted for a class and not in a slab cache")                     \
    GAUGE(chunks, "chunks in use: carved from and not given back (instance-wide)")                 \
    GAUGE(platform_bytes, "bytes held from the platform (instance-wide)")                          \
    GAUGE(thread_heaps, "threads with their own caches in this instance (instance-wide)")

/* struct zslab_gauge - a "count" figure: its value now and its highest value. */
typedef struct zslab_gauge {
    uint64_t current;
    uint64_t peak;
} zslab_gauge_t;

/* struct zslab_counters - a snapshot of the counters; fields as in the list. */
typedef struct zslab_counters {
#define ZSLAB_COUNTER_FIELD_(name, doc) uint64_t name;
#define ZSLAB_GAUGE_FIELD_(name, doc)   zslab_gauge_t name;
    ZSLAB_COUNTER_LIST(ZSLAB_COUNTER_FIELD_, ZSLAB_GAUGE_FIELD_)
#undef ZSLAB_COUNTER_FIELD_
#undef ZSLAB_GAUGE_FIELD_
} zslab_counters_t;

/* An allocator instance; opaque. */
typedef struct zslab zslab_t;

/**
 * zslab_config_default() - fill @cfg with the documented defaults.
 * @cfg: the config to fill.
 */
ZSLAB_API void zslab_config_default(zslab_config_t *cfg);

/**
 * zslab_create() - create an allocator instance.
 * @cfg: its configuration, or NULL for the defaults; copied, not kept.
 * @out: set to the new instance on success, to NULL on failure.
 *
 * A rejected config is logged (ZSLAB_LOG_ERROR) naming the field and its rule.
 *
 * Return: ZSLAB_OK; ZSLAB_ERR_INVALID for a NULL @out or a config field out of
 * range; ZSLAB_ERR_NOMEM when the platform gives no memory.
 */
ZSLAB_API int zslab_create(const zslab_config_t *cfg, zslab_t **out);

/**
 * zslab_destroy() - return all of an instance's memory to the platform.
 * @z: the instance, or NULL (then nothing happens).
 *
 * Objects still live are released with it.  No other thread may use @z
 * during or after the call.
 */
ZSLAB_API void zslab_destroy(zslab_t *z);

/**
 * zslab_alloc() - allocate an object.
 * @z:    the instance.
 * @size: bytes wanted.  0 gives a unique object of ZSLAB_MIN_CLASS_BYTES that
 *        must be freed like any other (as glibc's malloc(0)).
 *
 * The object is aligned to 8 bytes, to 16 when its class size is a multiple of
 * 16, and to the page for large objects.  Its contents are unspecified.
 *
 * Return: the object; NULL when @size cannot be represented (above PTRDIFF_MAX)
 * or the platform gives no memory.
 */
ZSLAB_API void *zslab_alloc(zslab_t *z, size_t size);

/**
 * zslab_free() - free an object.
 * @z:   the instance that allocated @ptr.
 * @ptr: the object, or NULL (a no-op).
 *
 * A pointer that is not a live object of @z (never allocated, already freed,
 * interior, from another instance) is a bad free: logged with the pointer and
 * the problem, then handled as cfg.on_bad_free says.  It never corrupts @z.
 * Double frees of slab objects are caught in every build; a large object's
 * second free is reported as not allocated by @z.
 */
ZSLAB_API void zslab_free(zslab_t *z, void *ptr);

/**
 * zslab_free_sized() - free an object whose requested size the caller knows.
 * @z:    the instance.
 * @ptr:  the object, or NULL (a no-op).
 * @size: the size passed to zslab_alloc().  Any size of the same class is
 *        accepted (same page count for a large object); another size is a
 *        bad free ("wrong size"), as in zslab_free().
 */
ZSLAB_API void zslab_free_sized(zslab_t *z, void *ptr, size_t size);

/**
 * zslab_alloc_aligned() - allocate an object aligned to @align.
 * @z:     the instance.
 * @size:  bytes wanted; 0 as in zslab_alloc().
 * @align: alignment, bytes; a power of two.  Any power of two works, also
 *         above the page size and above the chunk size.
 *
 * Up to ZSLAB_MAX_CLASS_BYTES the object is a slab object of the smallest
 * class that holds @size and whose size is a multiple of @align (slabs are
 * slab-aligned, so every object of such a class is aligned); otherwise it is
 * a large object placed at an @align boundary of its own mapping.  Free it
 * with zslab_free(); zslab_usable_size() tells how many bytes it has.
 *
 * Return: the object; NULL when @align is not a power of two, when @size
 * cannot be represented, or when the platform gives no memory.
 */
ZSLAB_API void *zslab_alloc_aligned(zslab_t *z, size_t size, size_t align);

/**
 * zslab_usable_size() - how many bytes the object at @ptr can hold.
 * @z:   the instance that allocated @ptr.
 * @ptr: a live object of @z, or NULL.
 *
 * Looks the pointer up as zslab_free() does, but reports nothing.
 *
 * Return: the object's class size, or for a large object its page-rounded
 * size (always >= the size asked for); 0 for NULL or for a pointer that is
 * not an object start of @z.  Whether the object is live is not checked: a
 * freed pointer is the caller's bug, as with malloc_usable_size().
 */
ZSLAB_API size_t zslab_usable_size(const zslab_t *z, const void *ptr);

/**
 * zslab_trim() - give the platform back everything cached, now.
 * @z: the instance.
 *
 * The calling thread's thread caches and spare slabs go back to the slab
 * caches; then every empty slab's pages are released
 * (zslab_platform_purge()), and every chunk whose slabs are all free is given
 * back whole.  Address ranges are kept (a later chunk reuses them), so only
 * physical memory is released.  Other threads' thread caches are theirs:
 * they go back when those threads exit.  A slab already trimmed and unused
 * since costs nothing the next time.
 *
 * Return: bytes released by this call.
 */
ZSLAB_API size_t zslab_trim(zslab_t *z);

/**
 * zslab_fork_prepare() - make @z safe to use in the child of a fork().
 * @z: the instance.
 *
 * Call it just before fork() (a pthread_atfork() prepare handler), then
 * zslab_fork_parent() in the parent and zslab_fork_child() in the child.  In
 * between, the calling thread holds every lock of @z, so no other thread is
 * halfway through changing it when the child's copy is taken.  The calling
 * thread must not allocate from @z until the matching parent/child call.
 */
ZSLAB_API void zslab_fork_prepare(zslab_t *z);

/**
 * zslab_fork_parent() - undo zslab_fork_prepare() in the parent.
 * @z: the instance.
 */
ZSLAB_API void zslab_fork_parent(zslab_t *z);

/**
 * zslab_fork_child() - undo zslab_fork_prepare() in the child.
 * @z: the instance.
 *
 * The child has one thread.  Objects that other threads of the parent held
 * stay allocated in the child and can be freed there.
 */
ZSLAB_API void zslab_fork_child(zslab_t *z);

/**
 * zslab_class_of() - the size class that serves a request.
 * @size: bytes; 0 is served by class 0.
 *
 * Return: the class index in [0, ZSLAB_CLASS_COUNT), or ZSLAB_CLASS_NONE when
 * @size is above ZSLAB_MAX_CLASS_BYTES (a large allocation).
 */
ZSLAB_API int zslab_class_of(size_t size);

/**
 * zslab_class_size() - the object size of a class.
 * @class_index: a class index.
 *
 * Return: bytes; 0 when @class_index is out of range.
 */
ZSLAB_API size_t zslab_class_size(int class_index);

/**
 * zslab_get_counters() - read an instance's counters (Phase 1.5's
 * get_perf_counters()).
 * @z:           the instance.
 * @class_index: a class index, or ZSLAB_ALL_CLASSES for the instance total.
 * @out:         the snapshot to fill.
 *
 * Sums every thread's counts (under the lock of the list of threads; the
 * threads themselves are not stopped): each field is exact, the set is not
 * one instant.  The peaks of bytes_in_use and slabs_in_use are the highest
 * values a read (or, at ZSLAB_STAT_LEVEL 2, a new slab) has seen.  In the
 * total, a gauge's peak is the sum of the per-class peaks, an upper bound.
 *
 * Return: ZSLAB_OK, or ZSLAB_ERR_INVALID for a bad index or NULL argument.
 */
ZSLAB_API int zslab_get_counters(const zslab_t *z, int class_index, zslab_counters_t *out);

/**
 * zslab_reset_counters() - zero every COUNTER of @z; each GAUGE's peak drops
 * to its current value.
 * @z: the instance.
 */
ZSLAB_API void zslab_reset_counters(zslab_t *z);

/**
 * zslab_merge_counters() - add @from into @into (counters and gauges add,
 * peaks too).
 * @into: the sum.
 * @from: what to add.
 */
ZSLAB_API void zslab_merge_counters(zslab_counters_t *into, const zslab_counters_t *from);

/**
 * zslab_format_counters() - print @c as "name: value" lines, one per field;
 * a gauge prints "name: current (peak P)".
 * @c:    the snapshot.
 * @buf:  where to write; always NUL-terminated when @size > 0.
 * @size: bytes available at @buf.
 *
 * Return: the length of the full text (without the NUL), as snprintf(); a
 * result >= @size means the text was cut.
 */
ZSLAB_API size_t zslab_format_counters(const zslab_counters_t *c, char *buf, size_t size);

/**
 * zslab_strerror() - name a return code.
 * @err: a value returned by this API.
 *
 * Return: a static string, e.g. "invalid argument"; never NULL.
 */
ZSLAB_API const char *zslab_strerror(int err);

#endif /* ZSLAB_ZSLAB_H */
