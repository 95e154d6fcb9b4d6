/* SPDX-License-Identifier: MIT */
/*
 * backend_tcmalloc.c - gperftools' tcmalloc (libtcmalloc_minimal: without the
 * heap profiler and checker) through its own entry points: tc_malloc,
 * tc_free, tc_free_sized, MallocExtension_ReleaseFreeMemory().
 * MallocExtension_GetOwnership() shows that tcmalloc owns what it returned.
 */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#include <stdio.h>

#include "backend.h"

static void *tcm_alloc(size_t size)
{
    return tc_malloc(size);
}

static void tcm_free_plain(void *ptr, size_t size)
{
    (void)size;
    tc_free(ptr);
}

static void tcm_free_size(void *ptr, size_t size)
{
    tc_free_sized(ptr, size);
}

static size_t tcm_trim(void)
{
    MallocExtension_ReleaseFreeMemory();
    return 0;
}

static void tcm_version_text(char *buf, size_t size)
{
    int major = 0, minor = 0;
    const char *patch = "";
    tc_version(&major, &minor, &patch);
    snprintf(buf, size, "gperftools tcmalloc %d.%d%s (minimal)", major, minor, patch ? patch : "");
}

static bool tcm_owns(const void *ptr)
{
    return MallocExtension_GetOwnership(ptr) == MallocExtension_kOwned;
}

const struct backend backend = {
    .name = "tcmalloc",
    .api = "tc_malloc, tc_free (tc_free_sized with --sized), MallocExtension_ReleaseFreeMemory",
    .alloc = tcm_alloc,
    .free = tcm_free_plain,
    .free_sized = tcm_free_size,
    .trim = tcm_trim,
    .version = tcm_version_text,
    .evidence = "MallocExtension_GetOwnership",
    .owns = tcm_owns,
};
