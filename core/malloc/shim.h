/* SPDX-License-Identifier: MIT */
/*
 * shim.h - libzslab-malloc's table of contents: glibc's allocation interface
 * on top of the public zslab.h API, in three layers.
 *
 *   semantics.c  glibc's rules (errno, realloc(p, 0), alignment checks, calloc
 *                overflow, in-place realloc) over an explicit instance; no
 *                global state but the optional call counters.  The sanitizer
 *                tests call it directly, because ASan owns malloc there.
 *   options.c    the environment (ZSLAB_*) read into a config, each bad value
 *                named; no allocation, no libc parsing.
 *   report.c     the ZSLAB_STATS printer; writes with write(2), no allocation.
 *   interpose.c  the exported names (malloc, free, ...), the one process-wide
 *                instance created on first use, the fork handlers and the
 *                exit printer.
 *
 * Hosted code (like core/platform/linux): it may call libc, but never a libc
 * function that allocates, since every allocation would come back here.
 */
#ifndef ZSLAB_SHIM_H
#define ZSLAB_SHIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zslab/zslab.h"

/* glibc's MALLOC_ALIGNMENT on x86-64: every object of more than
 * ZSLAB_SHIM_SMALL_BYTES is aligned to it, as with glibc, jemalloc and
 * tcmalloc (an object of 8 bytes or fewer holds no 16-byte-aligned type). */
#define ZSLAB_SHIM_ALIGN_BYTES 16u
#define ZSLAB_SHIM_SMALL_BYTES 8u
/* Up to here the core has classes that are not multiples of 16 (24, 40, ...,
 * 120 B); requests up to it are rounded up to 16 bytes. */
#define ZSLAB_SHIM_ROUNDED_BYTES 128u

/*
 * Call counters of the shim, defined once: X(name, doc).  They count only
 * while _zslab_shim_counting is set (ZSLAB_STATS), so the hot paths pay one
 * predictable branch otherwise.
 */
#define ZSLAB_SHIM_COUNTER_LIST(X)                                                                 \
    X(malloc_calls, "malloc()")                                                                    \
    X(calloc_calls, "calloc()")                                                                    \
    X(realloc_calls, "realloc() and reallocarray() with a pointer and a size")                     \
    X(realloc_in_place, "... that kept the object (the new size is in its class)")                 \
    X(realloc_moved, "... that moved it to a new object")                                          \
    X(aligned_calls, "posix_memalign(), aligned_alloc(), memalign(), valloc(), pvalloc()")         \
    X(free_calls, "free() of a non-NULL pointer, realloc(p, 0) included")                          \
    X(sized_free_calls, "free_sized() and free_aligned_sized()")                                   \
    X(failed_calls, "calls that failed: NULL or an error code (ENOMEM, EINVAL)")

typedef struct zslab_shim_counters {
#define ZSLAB_SHIM_FIELD_(name, doc) _Atomic uint64_t name;
    ZSLAB_SHIM_COUNTER_LIST(ZSLAB_SHIM_FIELD_)
#undef ZSLAB_SHIM_FIELD_
} zslab_shim_counters_t;

extern zslab_shim_counters_t _zslab_shim_counters;
extern bool _zslab_shim_counting;

#define zslab_shim_count(name)                                                                     \
    (__builtin_expect(_zslab_shim_counting, 0)                                                     \
         ? (void)atomic_fetch_add_explicit(&_zslab_shim_counters.name, 1, memory_order_relaxed)    \
         : (void)0)

/* semantics.c: glibc's functions on instance @z.  errno as glibc sets it. */
void *_zslab_shim_malloc(zslab_t *z, size_t size);
void *_zslab_shim_calloc(zslab_t *z, size_t count, size_t size);
void *_zslab_shim_realloc(zslab_t *z, void *ptr, size_t size);
void *_zslab_shim_reallocarray(zslab_t *z, void *ptr, size_t count, size_t size);
int _zslab_shim_posix_memalign(zslab_t *z, void **out, size_t align, size_t size);
void *_zslab_shim_aligned_alloc(zslab_t *z, size_t align, size_t size);
void *_zslab_shim_memalign(zslab_t *z, size_t align, size_t size);
void *_zslab_shim_valloc(zslab_t *z, size_t size);
void *_zslab_shim_pvalloc(zslab_t *z, size_t size);
size_t _zslab_shim_usable_size(zslab_t *z, void *ptr);
void _zslab_shim_free(zslab_t *z, void *ptr);
void _zslab_shim_free_sized(zslab_t *z, void *ptr, size_t size);
void _zslab_shim_free_aligned_sized(zslab_t *z, void *ptr, size_t align, size_t size);
int _zslab_shim_trim(zslab_t *z);

/* options.c: what the environment asks for. */
#define ZSLAB_SHIM_MESSAGE_BYTES 256

typedef struct zslab_shim_options {
    zslab_config_t cfg;
    bool stats;             /* ZSLAB_STATS=1: print the counters at exit */
    const char *stats_file; /* ZSLAB_STATS_FILE: append them there, not to stderr */
} zslab_shim_options_t;

/* Where a variable's value comes from: getenv in the library, a table in the
 * tests.  Returns NULL for an unset variable. */
typedef char *(*zslab_shim_getenv_fn)(const char *name);
/* Called once per bad value with a one-line message (no newline). */
typedef void (*zslab_shim_warn_fn)(const char *msg);

/* Fills @o from the environment; a bad value is named through @warn and its
 * default kept.  Return: the number of bad values. */
int _zslab_shim_options_read(zslab_shim_options_t *o, zslab_shim_getenv_fn get,
                             zslab_shim_warn_fn warn);

/* report.c: the ZSLAB_STATS text. */
/* Appends to @buf (NUL-terminated when @size > 0) the counters of @z (total,
 * then each class that was used) and the shim's; @who names the process.
 * Return: the length of the full text, as snprintf(). */
size_t _zslab_shim_stats_format(const zslab_t *z, const char *who, char *buf, size_t size);
/* A bounded string builder without libc's printf (which may allocate). */
typedef struct zslab_shim_text {
    char *buf;
    size_t size;
    size_t len; /* of the full text, even past size */
} zslab_shim_text_t;
void _zslab_shim_text_init(zslab_shim_text_t *t, char *buf, size_t size);
void _zslab_shim_text_str(zslab_shim_text_t *t, const char *s);
void _zslab_shim_text_u64(zslab_shim_text_t *t, uint64_t v);
/* write(2) all of @len bytes of @text to @fd; false when it could not. */
bool _zslab_shim_write_all(int fd, const char *text, size_t len);

#endif /* ZSLAB_SHIM_H */
