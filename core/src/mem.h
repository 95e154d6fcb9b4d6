/* SPDX-License-Identifier: MIT */
/*
 * mem.h - byte loops the compiler must not turn into libc calls (mem.c).
 * Its own header, so that every part of core/src (the allocator and the zone
 * store) uses one set of them without the allocator's internals.
 */
#ifndef ZSLAB_MEM_H
#define ZSLAB_MEM_H

#include <stddef.h>
#include <stdint.h>

void _zslab_mem_fill(void *dst, uint8_t byte, size_t bytes);
size_t _zslab_mem_find_not(const void *src, uint8_t byte, size_t bytes);
void _zslab_mem_copy(void *dst, const void *src, size_t bytes); /* no overlap */

#endif /* ZSLAB_MEM_H */
