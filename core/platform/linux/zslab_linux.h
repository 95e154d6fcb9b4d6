/* SPDX-License-Identifier: MIT */
/*
 * zslab_linux.h - what the Linux platform offers beyond platform.h, to
 * programs linked with libzslab.a (benchmark_accurate, the tests).  Hidden
 * in libzslab.so: these are not part of the public API.
 */
#ifndef ZSLAB_LINUX_H
#define ZSLAB_LINUX_H

#include <stdint.h>

/* struct zslab_linux_syscalls - memory system calls the platform made, as
 * strace -c counts them (trace=memory), since the process started. */
struct zslab_linux_syscalls {
    uint64_t mmap, munmap, madvise, mbind;
};

void zslab_linux_memory_syscalls(struct zslab_linux_syscalls *out);

/* Internal to the platform: one memory system call was made. */
enum zslab_linux_syscall { ZSLAB_SYS_MMAP, ZSLAB_SYS_MUNMAP, ZSLAB_SYS_MADVISE, ZSLAB_SYS_MBIND };
void zslab_linux_count_syscall(enum zslab_linux_syscall which);

/* Internal: panic with "zslab: WHAT(ADDR, BYTES): failed (errno ERR)",
 * formatted without stdio (stdio may allocate). */
_Noreturn void zslab_linux_fail(const char *what, const void *addr, uint64_t bytes, int err);

#endif /* ZSLAB_LINUX_H */
