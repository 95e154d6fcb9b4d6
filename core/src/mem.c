/* SPDX-License-Identifier: MIT */
/*
 * mem.c - the core's own byte loops.  The core never calls memset or memcmp
 * (a freestanding build has none); these stay loops because the core is
 * built with -ffreestanding -fno-builtin (and, for old gcc,
 * -fno-tree-loop-distribute-patterns).  `make check-freestanding` proves no
 * memset/memcpy call is emitted.
 */
#include "mem.h"

void _zslab_mem_fill(void *dst, uint8_t byte, size_t bytes)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < bytes; i++)
        d[i] = byte;
}

/* Index of the first byte of @src that is not @byte; @bytes when none. */
size_t _zslab_mem_find_not(const void *src, uint8_t byte, size_t bytes)
{
    const uint8_t *s = src;
    size_t i = 0;
    while (i < bytes && s[i] == byte)
        i++;
    return i;
}

/* @dst and @src do not overlap. */
void _zslab_mem_copy(void *dst, const void *src, size_t bytes)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    for (size_t i = 0; i < bytes; i++)
        d[i] = s[i];
}
