/* SPDX-License-Identifier: MIT */
/*
 * backend_glibc.c - glibc's malloc: malloc, free (glibc has no sized free),
 * malloc_trim(0).  mallinfo2() shows that the calls reached glibc's heap.
 */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend.h"

static void *gl_alloc(size_t size)
{
    return malloc(size);
}

static void gl_free(void *ptr, size_t size)
{
    (void)size;
    free(ptr);
}

static size_t gl_trim(void)
{
    malloc_trim(0);
    return 0;
}

static void gl_version(char *buf, size_t size)
{
    snprintf(buf, size, "glibc %s", gnu_get_libc_version());
}

/* Bytes glibc counts as handed out: in its arenas and in direct mmaps. */
static uint64_t gl_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

const struct backend backend = {
    .name = "glibc",
    .api = "malloc, free, malloc_trim(0)",
    .alloc = gl_alloc,
    .free = gl_free,
    .free_sized = gl_free,
    .trim = gl_trim,
    .version = gl_version,
    .evidence = "mallinfo2 uordblks + hblkhd",
    .bytes_in_use = gl_in_use,
};
