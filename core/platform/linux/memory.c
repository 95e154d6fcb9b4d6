/* SPDX-License-Identifier: MIT */
/*
 * memory.c - zslab_platform_map()/unmap() on Linux: anonymous mmap, aligned by
 * mapping the slack and trimming it, placed with mbind(MPOL_PREFERRED), and
 * prefaulted with MADV_POPULATE_WRITE when asked; purge is MADV_DONTNEED.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zslab/platform.h"

#define PAGE_BYTES ((size_t)ZSLAB_PLATFORM_PAGE_BYTES)
/* Highest node number mbind() is asked about (a nodemask of this many bits). */
#define MAX_NODES      1024
#define MASK_WORD_BITS (sizeof(unsigned long) * CHAR_BIT)
#define REPORT_BYTES   160

static bool args_ok(size_t bytes, size_t align, unsigned flags)
{
    return bytes != 0 && bytes % PAGE_BYTES == 0 && align >= PAGE_BYTES &&
           (align & (align - 1)) == 0 && bytes <= SIZE_MAX - align &&
           (flags & ~ZSLAB_PLATFORM_MAP_PREFAULT) == 0;
}

/* @bytes at an @align boundary: often the kernel's first answer is aligned
 * already (it aligns large anonymous mappings for huge pages); otherwise map
 * @align more and give back both ends. */
static void *map_aligned(size_t bytes, size_t align)
{
    const int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
    void *p = mmap(NULL, bytes, prot, flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p % align == 0)
        return p;
    munmap(p, bytes);

    size_t span = bytes + align - PAGE_BYTES;
    p = mmap(NULL, span, prot, flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)p, tail = span - head - bytes;
    if (head)
        munmap(p, head);
    if (tail)
        munmap((void *)(start + bytes), tail);
    return (void *)start;
}

static bool place_on_node(void *addr, size_t bytes, int node)
{
    unsigned long mask[MAX_NODES / MASK_WORD_BITS] = {0};
    if (node < 0 || node >= MAX_NODES)
        return false;
    mask[(unsigned)node / MASK_WORD_BITS] = 1UL << ((unsigned)node % MASK_WORD_BITS);
    return syscall(SYS_mbind, addr, bytes, MPOL_PREFERRED, mask, (unsigned long)MAX_NODES, 0) == 0;
}

/* Kernels before 5.14 lack MADV_POPULATE_WRITE: touch each page instead. */
static void prefault(void *addr, size_t bytes)
{
    if (madvise(addr, bytes, MADV_POPULATE_WRITE) == 0)
        return;
    for (size_t off = 0; off < bytes; off += PAGE_BYTES)
        ((volatile unsigned char *)addr)[off] = 0;
}

void *zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags)
{
    if (!args_ok(bytes, align, flags))
        return NULL;
    void *p = map_aligned(bytes, align);
    if (!p)
        return NULL;
    if (node != ZSLAB_PLATFORM_NODE_ANY && !place_on_node(p, bytes, node)) {
        munmap(p, bytes);
        return NULL;
    }
    if (flags & ZSLAB_PLATFORM_MAP_PREFAULT)
        prefault(p, bytes);
    return p;
}

void zslab_platform_unmap(void *addr, size_t bytes)
{
    if (munmap(addr, bytes) == 0)
        return;
    char msg[REPORT_BYTES];
    snprintf(msg, sizeof(msg), "zslab: zslab_platform_unmap(%p, %zu): munmap failed (errno %d)",
             addr, bytes, errno);
    zslab_platform_panic(msg);
}

/* MADV_DONTNEED on private anonymous memory fails only on a range the caller
 * never mapped, which the contract rules out. */
void zslab_platform_purge(void *addr, size_t bytes)
{
    if (madvise(addr, bytes, MADV_DONTNEED) == 0)
        return;
    char msg[REPORT_BYTES];
    snprintf(msg, sizeof(msg), "zslab: zslab_platform_purge(%p, %zu): madvise failed (errno %d)",
             addr, bytes, errno);
    zslab_platform_panic(msg);
}
