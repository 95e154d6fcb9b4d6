/* SPDX-License-Identifier: MIT */
/*
 * mem.c - the core's own byte loops.  The core never calls memset or memcmp
 * (a freestanding build has none); these stay loops because the core is
 * built with -ffreestanding -fno-builtin (and, for old gcc,
 * -fno-tree-loop-distribute-patterns).  `make check-freestanding` proves no
 * memset/memcpy call is emitted.
 */
#include <stdint.h>

#include "mem.h"

/* Words that may alias anything: the loops below move 8 bytes at a time
 * where both ends are 8-aligned (every object is). */
typedef uint64_t __attribute__((may_alias)) mem_word_t;

void _zslab_mem_fill(void *dst, uint8_t byte, size_t bytes)
{
    uint8_t *d = dst;
    size_t i = 0;
    if (((uintptr_t)d & 7) == 0) {
        mem_word_t w = UINT64_C(0x0101010101010101) * byte;
        for (; i + 8 <= bytes; i += 8)
            *(mem_word_t *)(void *)(d + i) = w;
    }
    for (; i < bytes; i++)
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
    size_t i = 0;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; i + 8 <= bytes; i += 8)
            *(mem_word_t *)(void *)(d + i) = *(const mem_word_t *)(const void *)(s + i);
    }
    for (; i < bytes; i++)
        d[i] = s[i];
}
