/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the one table through which the harness calls an allocator.
 *
 * Each measuring program links the harness with exactly one backend_*.c, and
 * that file's allocator alone: anchor-jemalloc links libjemalloc, and so on.
 * jemalloc, tcmalloc and mimalloc replace malloc for the whole process when
 * linked, so two of them in one process would serve each other's calls; one
 * program each keeps every allocator alone with its own API.  The harness
 * keeps its own large arrays out of every allocator (mmap), and the served
 * check proves with the allocator's own bookkeeping that it served the calls.
 *
 * Every workload calls alloc and free through these pointers, copied into
 * locals before the loop: each allocator pays the same indirect call, and
 * behind it the wrapper's direct call into its library.
 */
#ifndef ZSLAB_BENCH_ANCHORS_BACKEND_H
#define ZSLAB_BENCH_ANCHORS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BACKEND_TEXT_BYTES 256

struct backend {
    const char *name; /* as in ANCHORS_ALLOCATORS */
    const char *api;  /* the entry points called, for the report */
    /* Prepares the allocator (NULL: nothing to do); false with a message on stderr. */
    bool (*init)(void);
    void *(*alloc)(size_t size);
    void (*free)(void *ptr, size_t size);       /* plain free: size unused */
    void (*free_sized)(void *ptr, size_t size); /* the sized free, or plain */
    /* Returns free memory to the system; bytes released if it says, else 0. */
    size_t (*trim)(void);
    void (*version)(char *buf, size_t size);
    /*
     * Evidence that this allocator served the calls (the served check of
     * measure.c), from its own bookkeeping: @owns tells whether it owns a
     * pointer, or @bytes_in_use counts the bytes it has handed out (one of
     * the two is set).  @evidence names the call, for the report.
     */
    const char *evidence;
    bool (*owns)(const void *ptr);
    uint64_t (*bytes_in_use)(void);
    /*
     * Counters (ZNS-Slab; 0 and NULL for the anchors): counter_count names in
     * counter_names, read as one vector by counters_read().
     */
    size_t counter_count;
    const char *const *counter_names;
    void (*counters_read)(uint64_t *values);
};

/* The allocator this program measures (defined by its backend_*.c). */
extern const struct backend backend;

#endif /* ZSLAB_BENCH_ANCHORS_BACKEND_H */
