/* SPDX-License-Identifier: MIT */
/*
 * backend_mimalloc.c - mimalloc's own API: mi_malloc, mi_free, mi_free_size,
 * mi_collect(true).  mi_is_in_heap_region() shows that mimalloc owns what it
 * returned.
 */
#include <mimalloc.h>
#include <stdio.h>

#include "backend.h"

#define MI_VERSION_MAJOR_DIV 100
#define MI_VERSION_MINOR_DIV 10

static void *mim_alloc(size_t size)
{
    return mi_malloc(size);
}

static void mim_free_plain(void *ptr, size_t size)
{
    (void)size;
    mi_free(ptr);
}

static void mim_free_sized(void *ptr, size_t size)
{
    mi_free_size(ptr, size);
}

static size_t mim_trim(void)
{
    mi_collect(true);
    return 0;
}

static void mim_version_text(char *buf, size_t size)
{
    int v = mi_version();
    snprintf(buf, size, "mimalloc %d.%d.%d", v / MI_VERSION_MAJOR_DIV,
             v % MI_VERSION_MAJOR_DIV / MI_VERSION_MINOR_DIV, v % MI_VERSION_MINOR_DIV);
}

static bool mim_owns(const void *ptr)
{
    return mi_is_in_heap_region(ptr);
}

const struct backend backend = {
    .name = "mimalloc",
    .api = "mi_malloc, mi_free (mi_free_size with --sized), mi_collect(true)",
    .alloc = mim_alloc,
    .free = mim_free_plain,
    .free_sized = mim_free_sized,
    .trim = mim_trim,
    .version = mim_version_text,
    .evidence = "mi_is_in_heap_region",
    .owns = mim_owns,
};
