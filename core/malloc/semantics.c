/* SPDX-License-Identifier: MIT */
/*
 * semantics.c - glibc's allocation rules over an explicit zslab instance.
 *
 * glibc 2.36 is the reference, edge by edge:
 *   - a size above PTRDIFF_MAX, an overflowing calloc/reallocarray/pvalloc
 *     product, or no memory: NULL with errno ENOMEM;
 *   - malloc(0) and friends: a unique object, freed like any other;
 *   - realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL
 *     (glibc's REALLOC_ZERO_BYTES_FREES); a failed realloc leaves p alone;
 *   - free() and its sized forms keep errno (glibc 2.33 and later);
 *   - an alignment that is not a power of two is refused with EINVAL
 *     (posix_memalign also wants a multiple of sizeof(void *)), as
 *     posix_memalign and glibc 2.38's aligned_alloc do;
 *   - every object above 8 bytes is 16-byte aligned (ZSLAB_SHIM_ALIGN_BYTES).
 * realloc keeps the object when the new size stays in its class (same class
 * size, or for a large object the same page count); otherwise it moves, so a
 * shrink gives memory back and free_sized() sees the size it expects.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

zslab_shim_counters_t _zslab_shim_counters;
bool _zslab_shim_counting;

/* The page: what valloc() aligns to, and what the core rounds a large
 * object to (zslab_usable_size()). */
static size_t system_page_bytes(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static bool is_pow2(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static void *fail(int err)
{
    zslab_shim_count(failed_calls);
    errno = err;
    return NULL;
}

/* What the core is asked for: from 9 to 128 bytes a multiple of 16, so the
 * class (and with it every object in it) is 16-byte aligned.  Above 128 B
 * every class is a multiple of 16 already (8 classes per power of two), and
 * the size is passed as it is, so a wrong-size report quotes the caller's. */
static inline size_t request_of(size_t size)
{
    if (size <= ZSLAB_SHIM_SMALL_BYTES || size > ZSLAB_SHIM_ROUNDED_BYTES)
        return size;
    return (size + ZSLAB_SHIM_ALIGN_BYTES - 1) & ~(size_t)(ZSLAB_SHIM_ALIGN_BYTES - 1);
}

static inline void *alloc(zslab_t *z, size_t size)
{
    if (__builtin_expect(size > PTRDIFF_MAX, 0))
        return fail(ENOMEM);
    void *p = zslab_alloc(z, request_of(size));
    if (__builtin_expect(p == NULL, 0))
        return fail(ENOMEM);
    return p;
}

void *_zslab_shim_malloc(zslab_t *z, size_t size)
{
    zslab_shim_count(malloc_calls);
    return alloc(z, size);
}

void *_zslab_shim_calloc(zslab_t *z, size_t count, size_t size)
{
    zslab_shim_count(calloc_calls);
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        return fail(ENOMEM);
    void *p = alloc(z, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

/* Does a request of @req bytes (request_of'd) fit the object of @usable bytes
 * without leaving its class? */
static bool stays_in_class(size_t usable, size_t req)
{
    int cls = zslab_class_of(req);
    if (usable <= ZSLAB_MAX_CLASS_BYTES)
        return cls != ZSLAB_CLASS_NONE && zslab_class_size(cls) == usable;
    return cls == ZSLAB_CLASS_NONE && req <= usable && usable - req < system_page_bytes();
}

static void free_keeping_errno(zslab_t *z, void *ptr)
{
    int saved = errno;
    zslab_free(z, ptr);
    errno = saved;
}

void *_zslab_shim_realloc(zslab_t *z, void *ptr, size_t size)
{
    if (!ptr)
        return _zslab_shim_malloc(z, size);
    if (size == 0) {
        _zslab_shim_free(z, ptr);
        return NULL;
    }
    zslab_shim_count(realloc_calls);
    if (size > PTRDIFF_MAX)
        return fail(ENOMEM);
    size_t usable = zslab_usable_size(z, ptr);
    if (usable == 0) {
        /* Not an object of @z: the core names the pointer and the problem,
         * and aborts unless ZSLAB_BAD_FREE=report; then @ptr is left alone. */
        free_keeping_errno(z, ptr);
        return fail(EINVAL);
    }
    size_t req = request_of(size);
    if (stays_in_class(usable, req)) {
        zslab_shim_count(realloc_in_place);
        return ptr;
    }
    void *moved = zslab_alloc(z, req);
    if (!moved)
        return fail(ENOMEM);
    memcpy(moved, ptr, usable < size ? usable : size);
    free_keeping_errno(z, ptr);
    zslab_shim_count(realloc_moved);
    return moved;
}

void *_zslab_shim_reallocarray(zslab_t *z, void *ptr, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        zslab_shim_count(realloc_calls);
        return fail(ENOMEM);
    }
    return _zslab_shim_realloc(z, ptr, bytes);
}

/* An alignment up to 16 is met by a malloc object of this size (one of 8
 * bytes or fewer is only 8-aligned, so it asks for 16). */
static size_t small_aligned_size(size_t align, size_t size)
{
    return align > ZSLAB_SHIM_SMALL_BYTES && size < ZSLAB_SHIM_ALIGN_BYTES ? ZSLAB_SHIM_ALIGN_BYTES
                                                                           : size;
}

/* @align is a power of two. */
static void *alloc_aligned(zslab_t *z, size_t align, size_t size)
{
    zslab_shim_count(aligned_calls);
    if (align <= ZSLAB_SHIM_ALIGN_BYTES)
        return alloc(z, small_aligned_size(align, size));
    if (size > PTRDIFF_MAX)
        return fail(ENOMEM);
    void *p = zslab_alloc_aligned(z, size, align);
    return p ? p : fail(ENOMEM);
}

/* Returns an error code and leaves errno alone on EINVAL, as glibc. */
int _zslab_shim_posix_memalign(zslab_t *z, void **out, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0 || !is_pow2(align)) {
        zslab_shim_count(aligned_calls);
        zslab_shim_count(failed_calls);
        return EINVAL;
    }
    void *p = alloc_aligned(z, align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *_zslab_shim_aligned_alloc(zslab_t *z, size_t align, size_t size)
{
    if (!is_pow2(align)) {
        zslab_shim_count(aligned_calls);
        return fail(EINVAL);
    }
    return alloc_aligned(z, align, size);
}

void *_zslab_shim_memalign(zslab_t *z, size_t align, size_t size)
{
    return _zslab_shim_aligned_alloc(z, align, size);
}

void *_zslab_shim_valloc(zslab_t *z, size_t size)
{
    return alloc_aligned(z, system_page_bytes(), size);
}

/* The size rounded up to whole pages; pvalloc(0) is one page, as glibc's. */
void *_zslab_shim_pvalloc(zslab_t *z, size_t size)
{
    size_t page = system_page_bytes();
    if (size > SIZE_MAX - (page - 1)) {
        zslab_shim_count(aligned_calls);
        return fail(ENOMEM);
    }
    size_t rounded = (size + page - 1) & ~(page - 1);
    return alloc_aligned(z, page, rounded ? rounded : page);
}

size_t _zslab_shim_usable_size(zslab_t *z, void *ptr)
{
    return zslab_usable_size(z, ptr);
}

void _zslab_shim_free(zslab_t *z, void *ptr)
{
    if (!ptr)
        return;
    zslab_shim_count(free_calls);
    free_keeping_errno(z, ptr);
}

/* C23: @size is what malloc/calloc/realloc was asked for; the core checks that
 * it fits the object's class (a wrong size is a bad free). */
void _zslab_shim_free_sized(zslab_t *z, void *ptr, size_t size)
{
    if (!ptr)
        return;
    zslab_shim_count(sized_free_calls);
    int saved = errno;
    zslab_free_sized(z, ptr, request_of(size));
    errno = saved;
}

/* C23: @align and @size are what aligned_alloc was given.  Above 16 the class
 * an aligned request lands in is the core's choice, so the size is checked
 * only against the object's usable size: a size that cannot fit goes to
 * zslab_free_sized(), which names it as a wrong size. */
void _zslab_shim_free_aligned_sized(zslab_t *z, void *ptr, size_t align, size_t size)
{
    if (!ptr)
        return;
    if (align <= ZSLAB_SHIM_ALIGN_BYTES) {
        _zslab_shim_free_sized(z, ptr, small_aligned_size(align, size));
        return;
    }
    zslab_shim_count(sized_free_calls);
    int saved = errno;
    size_t usable = zslab_usable_size(z, ptr);
    if (usable != 0 && size > usable)
        zslab_free_sized(z, ptr, size);
    else
        zslab_free(z, ptr);
    errno = saved;
}

/* malloc_trim(): 1 when memory went back to the system, else 0. */
int _zslab_shim_trim(zslab_t *z)
{
    return zslab_trim(z) != 0;
}
