/* SPDX-License-Identifier: MIT */
/*
 * backend_jemalloc.c - jemalloc's own API: mallocx, dallocx, sdallocx; trim
 * is the calling thread's tcache flush and a purge of every arena
 * (mallctl).  Its "stats.allocated" shows that the calls reached jemalloc.
 */
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

static void *jem_alloc(size_t size)
{
    return mallocx(size, 0);
}

static void jem_free(void *ptr, size_t size)
{
    (void)size;
    dallocx(ptr, 0);
}

static void jem_free_sized(void *ptr, size_t size)
{
    sdallocx(ptr, size, 0);
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

static size_t jem_trim(void)
{
    if (mallctl("thread.tcache.flush", NULL, NULL, NULL, 0) != 0 ||
        mallctl("arena." STRINGIFY(MALLCTL_ARENAS_ALL) ".purge", NULL, NULL, NULL, 0) != 0)
        fprintf(stderr, "anchor-jemalloc: mallctl purge failed\n");
    return 0;
}

static void jem_version(char *buf, size_t size)
{
    const char *v = "?";
    size_t len = sizeof(v);
    mallctl("version", (void *)&v, &len, NULL, 0);
    snprintf(buf, size, "jemalloc %s", v);
}

/* Bytes allocated, after this thread's tcache is flushed so that what it
 * caches counts as free; the stats are a snapshot that writing "epoch"
 * refreshes. */
static uint64_t jem_in_use(void)
{
    uint64_t epoch = 1;
    size_t value = 0, len = sizeof(value);
    mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
    mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch));
    if (mallctl("stats.allocated", &value, &len, NULL, 0) != 0)
        return 0;
    return value;
}

const struct backend backend = {
    .name = "jemalloc",
    .api = "mallocx, dallocx (sdallocx with --sized), mallctl thread.tcache.flush + "
           "arena.<all>.purge",
    .alloc = jem_alloc,
    .free = jem_free,
    .free_sized = jem_free_sized,
    .trim = jem_trim,
    .version = jem_version,
    .evidence = "mallctl stats.allocated",
    .bytes_in_use = jem_in_use,
};
