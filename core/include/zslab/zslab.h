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
 *   slab cache  per class, up to class_cache_slabs [slabs] empty slabs kept
 *               ready, so a new slab rarely needs a chunk or the platform.
 *
 * Thread safety: one instance may be used from any number of threads at once.
 * Different instances share nothing.
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
#define ZSLAB_DEFAULT_CHUNK_BYTES       ((size_t)2 << 20)  /* 2 MiB */
#define ZSLAB_DEFAULT_SLAB_BYTES        ((size_t)64 << 10) /* 64 KiB */
#define ZSLAB_DEFAULT_CLASS_CACHE_SLABS 32u                /* Phase 1.5's 32 */
#define ZSLAB_DEFAULT_PREFAULT          ZSLAB_PREFAULT_NONE
#define ZSLAB_DEFAULT_ON_BAD_FREE       ZSLAB_BAD_FREE_ABORT
#define ZSLAB_NODE_ANY                  (-1)

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
    ZSLAB_PREFAULT_NONE = 0,  /* on first touch (cheap map, faults later) */
    ZSLAB_PREFAULT_CHUNK = 1, /* all at once when a chunk is mapped */
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
 * @class_cache_slabs: capacity of each class's slab cache, slabs; 0 disables
 *                     it.  Default ZSLAB_DEFAULT_CLASS_CACHE_SLABS (32).
 * @prefault:          enum zslab_prefault.  Default ZSLAB_PREFAULT_NONE.
 * @on_bad_free:       enum zslab_bad_free.  Default ZSLAB_BAD_FREE_ABORT.
 * @numa_node:         NUMA node for all memory, or ZSLAB_NODE_ANY (default).
 *
 * Fill it with zslab_config_default() and change what you need, so fields
 * added later get their defaults.
 */
typedef struct zslab_config {
    size_t chunk_bytes;
    size_t slab_bytes;
    uint32_t class_cache_slabs;
    zslab_prefault_t prefault;
    zslab_bad_free_t on_bad_free;
    int numa_node;
} zslab_config_t;

/*
 * The counters, defined once.  COUNTER(name, doc) is a plain event count that
 * only grows; GAUGE(name, doc) is a "count" figure with a current value and
 * its peak.  The list generates struct zslab_counters, its reset, merge and
 * printer.  Instance-wide figures (platform calls, chunks, large allocations)
 * are 0 in a per-class read and appear in the ZSLAB_ALL_CLASSES total.
 */
#define ZSLAB_COUNTER_LIST(COUNTER, GAUGE)                                                         \
    COUNTER(alloc_calls, "objects handed out by zslab_alloc()")                                    \
    COUNTER(free_calls, "objects taken back by zslab_free() or zslab_free_sized()")                \
    COUNTER(slow_path_hits, "allocations that found no partial slab and took a new one")           \
    COUNTER(new_slab_count, "slabs formatted for a class, from its cache or from a chunk")         \
    COUNTER(list_move_partial_to_full, "slabs that filled up: PARTIAL -> FULL")                    \
    COUNTER(list_move_full_to_partial, "full slabs that got an object back: FULL -> PARTIAL")      \
    COUNTER(current_partial_miss, "allocations whose current partial slab was full (0)")           \
    COUNTER(cache_hits, "new slabs taken from the class's slab cache")                             \
    COUNTER(cache_misses, "new slabs carved from a chunk because the cache was empty")             \
    COUNTER(cache_pushes, "empty slabs put into the class's slab cache")                           \
    COUNTER(platform_map_calls, "zslab_platform_map() calls (instance-wide)")                      \
    COUNTER(platform_unmap_calls, "zslab_platform_unmap() calls (instance-wide)")                  \
    COUNTER(large_allocs, "allocations above ZSLAB_MAX_CLASS_BYTES (instance-wide)")               \
    COUNTER(bad_frees, "frees rejected as bad input: reported, never applied")                     \
    GAUGE(bytes_in_use, "bytes of live objects, at class size (large: page-rounded)")              \
    GAUGE(slabs_in_use, "slabs on a partial or full list (cached ones excluded)")                  \
    GAUGE(chunks, "chunks mapped (instance-wide)")                                                 \
    GAUGE(platform_bytes, "bytes held from the platform (instance-wide)")

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
 * zslab_trim() - give the platform back the pages of every empty slab now.
 * @z: the instance.
 *
 * Empty slabs keep their place (in a slab cache, or as a class's partial
 * head) and their address range; only their physical pages are released
 * (zslab_platform_purge()), to be backed again when the slab is used.  A slab
 * already trimmed and unused since costs nothing the next time.
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
 * Lock-free: each field is read atomically, the set is not one instant.  In
 * the total, a gauge's peak is the sum of the per-class peaks, an upper bound.
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
