/* SPDX-License-Identifier: MIT */
/*
 * memory.c - zslab_platform_map()/unmap()/purge()/prefault() on Linux:
 * anonymous mmap, aligned by trimming only when the kernel's first answer is
 * not aligned, placed with mbind(MPOL_PREFERRED), backed with
 * MADV_POPULATE_WRITE; purge is MADV_DONTNEED.  Every memory system call is
 * counted (zslab_linux.h), so a benchmark can print what strace would count.
 * Nothing here allocates: the platform may be the process's malloc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zslab/platform.h"
#include "zslab_linux.h"

#define PAGE_BYTES ((size_t)ZSLAB_PLATFORM_PAGE_BYTES)
/* Highest node number mbind() is asked about (a nodemask of this many bits). */
#define MAX_NODES      1024
#define MASK_WORD_BITS (sizeof(unsigned long) * CHAR_BIT)
#define KNOWN_FLAGS    (ZSLAB_PLATFORM_MAP_PREFAULT | ZSLAB_PLATFORM_MAP_RESERVE)

static _Atomic uint64_t syscall_counts[ZSLAB_SYS_MBIND + 1];

void zslab_linux_count_syscall(enum zslab_linux_syscall which)
{
    atomic_fetch_add_explicit(&syscall_counts[which], 1, memory_order_relaxed);
}

void zslab_linux_memory_syscalls(struct zslab_linux_syscalls *out)
{
    out->mmap = atomic_load_explicit(&syscall_counts[ZSLAB_SYS_MMAP], memory_order_relaxed);
    out->munmap = atomic_load_explicit(&syscall_counts[ZSLAB_SYS_MUNMAP], memory_order_relaxed);
    out->madvise = atomic_load_explicit(&syscall_counts[ZSLAB_SYS_MADVISE], memory_order_relaxed);
    out->mbind = atomic_load_explicit(&syscall_counts[ZSLAB_SYS_MBIND], memory_order_relaxed);
}

static bool args_ok(size_t bytes, size_t align, unsigned flags)
{
    return bytes != 0 && bytes % PAGE_BYTES == 0 && align >= PAGE_BYTES &&
           (align & (align - 1)) == 0 && bytes <= SIZE_MAX - align && (flags & ~KNOWN_FLAGS) == 0;
}

static void *counted_mmap(size_t bytes, int flags)
{
    zslab_linux_count_syscall(ZSLAB_SYS_MMAP);
    return mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
}

static void counted_munmap(void *addr, size_t bytes)
{
    zslab_linux_count_syscall(ZSLAB_SYS_MUNMAP);
    if (munmap(addr, bytes) != 0)
        zslab_linux_fail("zslab_platform_unmap", addr, bytes, errno);
}

/* @bytes at an @align boundary: the kernel aligns large anonymous mappings to
 * 2 MiB on its own, so the first answer often is aligned (one call);
 * otherwise map @align more and give back both ends. */
static void *map_aligned(size_t bytes, size_t align, int flags)
{
    void *p = counted_mmap(bytes, flags);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p % align == 0)
        return p;
    counted_munmap(p, bytes);

    size_t span = bytes + align - PAGE_BYTES;
    p = counted_mmap(span, flags);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)p, tail = span - head - bytes;
    if (head)
        counted_munmap(p, head);
    if (tail)
        counted_munmap((void *)(start + bytes), tail);
    return (void *)start;
}

static bool place_on_node(void *addr, size_t bytes, int node)
{
    unsigned long mask[MAX_NODES / MASK_WORD_BITS] = {0};
    if (node < 0 || node >= MAX_NODES)
        return false;
    mask[(unsigned)node / MASK_WORD_BITS] = 1UL << ((unsigned)node % MASK_WORD_BITS);
    zslab_linux_count_syscall(ZSLAB_SYS_MBIND);
    return syscall(SYS_mbind, addr, bytes, MPOL_PREFERRED, mask, (unsigned long)MAX_NODES, 0) == 0;
}

/* Kernels before 5.14 lack MADV_POPULATE_WRITE: touch each page instead. */
void zslab_platform_prefault(void *addr, size_t bytes)
{
    zslab_linux_count_syscall(ZSLAB_SYS_MADVISE);
    if (madvise(addr, bytes, MADV_POPULATE_WRITE) == 0)
        return;
    for (size_t off = 0; off < bytes; off += PAGE_BYTES)
        ((volatile unsigned char *)addr)[off] |= 0;
}

void *zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags)
{
    if (!args_ok(bytes, align, flags))
        return NULL;
    int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
    if (flags & ZSLAB_PLATFORM_MAP_RESERVE)
        mflags |= MAP_NORESERVE;
    void *p = map_aligned(bytes, align, mflags);
    if (!p)
        return NULL;
    if (node != ZSLAB_PLATFORM_NODE_ANY && !place_on_node(p, bytes, node)) {
        counted_munmap(p, bytes);
        return NULL;
    }
    if (flags & ZSLAB_PLATFORM_MAP_PREFAULT)
        zslab_platform_prefault(p, bytes);
    return p;
}

void zslab_platform_unmap(void *addr, size_t bytes)
{
    counted_munmap(addr, bytes);
}

/* MADV_DONTNEED on private anonymous memory fails only on a range the caller
 * never mapped, which the contract rules out. */
void zslab_platform_purge(void *addr, size_t bytes)
{
    zslab_linux_count_syscall(ZSLAB_SYS_MADVISE);
    if (madvise(addr, bytes, MADV_DONTNEED) != 0)
        zslab_linux_fail("zslab_platform_purge", addr, bytes, errno);
}

/* The nodes this process may allocate on (MPOL_F_MEMS_ALLOWED): the highest
 * plus one.  A failed call (no NUMA in the kernel) means one node. */
static uint32_t count_nodes(void)
{
    unsigned long mask[MAX_NODES / MASK_WORD_BITS] = {0};
    if (syscall(SYS_get_mempolicy, NULL, mask, (unsigned long)MAX_NODES, NULL,
                (unsigned long)MPOL_F_MEMS_ALLOWED) != 0)
        return 1;
    uint32_t count = 1;
    for (uint32_t n = 0; n < MAX_NODES; n++) {
        if (mask[n / MASK_WORD_BITS] & (1UL << (n % MASK_WORD_BITS)))
            count = n + 1;
    }
    return count;
}

uint32_t zslab_platform_node_count(void)
{
    static _Atomic uint32_t nodes;
    uint32_t n = atomic_load_explicit(&nodes, memory_order_relaxed);
    if (!n) {
        n = count_nodes();
        atomic_store_explicit(&nodes, n, memory_order_relaxed);
    }
    return n;
}
