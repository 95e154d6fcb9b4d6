/* SPDX-License-Identifier: MIT */
/*
 * platform.h - the platform contract: everything the allocator core needs from
 * its environment, as link-time functions (firmware style).
 *
 * The core (core/src) is freestanding: it calls nothing but the functions
 * below, and `make check-freestanding` proves it with `nm -u`.  A platform is
 * one set of definitions of these functions; core/platform/linux/ is the hosted
 * one (mmap, pthread, getcpu, clock_gettime, stderr).  A firmware port writes
 * its own and links it with the core.
 *
 * Rules that hold for every function here:
 *   - thread-safe: any thread may call any function at any time;
 *   - never calls back into the core (no re-entry), except the on_exit hook
 *     of a thread key (zslab_platform_key_create()), at thread exit;
 *   - never allocates from the core: a platform may serve as the process's
 *     malloc, so none of these calls may call malloc() or anything that does;
 *   - the core never holds one of its locks while it calls log, or panic for
 *     bad input (only a failed internal assertion panics with a lock held).
 *
 * This header is freestanding: it includes only <stddef.h> and <stdint.h>.
 */
#ifndef ZSLAB_PLATFORM_H
#define ZSLAB_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Granularity of zslab_platform_map(): every length and alignment is a
 * multiple of this, in bytes. */
#define ZSLAB_PLATFORM_PAGE_BYTES 4096u

/* "No NUMA preference": the node argument of zslab_platform_map(). */
#define ZSLAB_PLATFORM_NODE_ANY (-1)

/* Flags for zslab_platform_map(). */
#define ZSLAB_PLATFORM_MAP_PREFAULT 0x1u /* back every page now, not on first touch */
#define ZSLAB_PLATFORM_MAP_RESERVE  0x2u /* address space the core backs piece by piece */

/**
 * zslab_platform_map() - get zero-filled, page-aligned memory.
 * @bytes: length, bytes; a non-zero multiple of ZSLAB_PLATFORM_PAGE_BYTES.
 * @align: alignment of the returned address, bytes; a power of two, at least
 *         ZSLAB_PLATFORM_PAGE_BYTES (the core asks 2 MiB for chunks).
 * @node:  NUMA node to place the pages on (a preference, as MPOL_PREFERRED),
 *         or ZSLAB_PLATFORM_NODE_ANY.
 * @flags: ZSLAB_PLATFORM_MAP_* bits; unknown bits are an error.
 *         ZSLAB_PLATFORM_MAP_RESERVE says most of the range may never be
 *         touched: the platform should not charge it against a commit limit
 *         up front (Linux: MAP_NORESERVE).
 *
 * The memory is readable, writable and reads as zero.  Only this exact range
 * is ever passed back to zslab_platform_unmap().  The platform makes as few
 * system calls as it can: one when the first answer is aligned.
 *
 * Return: the start address, a multiple of @align; NULL when the memory is not
 * available, when @node does not exist, or when an argument breaks the rules
 * above.  A NULL return has no other effect.
 */
void *zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags);

/**
 * zslab_platform_unmap() - return memory got from zslab_platform_map().
 * @addr:  the address zslab_platform_map() returned.
 * @bytes: the @bytes passed to that call.
 *
 * Whole mappings only.  Returning memory cannot fail; a platform that detects
 * a broken call (a range it never handed out) panics.
 */
void zslab_platform_unmap(void *addr, size_t bytes);

/**
 * zslab_platform_purge() - give back the physical pages behind a range, and
 * keep the range.
 * @addr:  page-aligned, inside memory got from zslab_platform_map().
 * @bytes: a non-zero multiple of ZSLAB_PLATFORM_PAGE_BYTES; the range stays
 *         inside that one mapping.
 *
 * Afterwards the range is still mapped, readable and writable, and backed
 * again on first touch; its contents are undefined (Linux: zero, by
 * madvise(MADV_DONTNEED)).  Cannot fail: a platform that cannot release
 * pages does nothing.  Unlike unmap it works on any part of a mapping, so the
 * core can release a slab's pages without returning its chunk.
 */
void zslab_platform_purge(void *addr, size_t bytes);

/**
 * zslab_platform_prefault() - back the pages of a range now, so that the
 * first writes to it do not fault.
 * @addr:  page-aligned, inside memory got from zslab_platform_map().
 * @bytes: a non-zero multiple of ZSLAB_PLATFORM_PAGE_BYTES, inside that
 *         mapping.
 *
 * Contents are kept (pages already backed stay as they are; new ones read as
 * zero).  Best effort, cannot fail: a platform that cannot do it does
 * nothing (Linux: one madvise(MADV_POPULATE_WRITE), or a write per page on
 * kernels before 5.14).
 */
void zslab_platform_prefault(void *addr, size_t bytes);

/* Storage for one lock, filled by the platform; the core never looks inside.
 * The Linux platform static-asserts that its lock fits. */
#define ZSLAB_PLATFORM_LOCK_BYTES 64u
typedef struct zslab_platform_lock {
    _Alignas(16) unsigned char opaque[ZSLAB_PLATFORM_LOCK_BYTES];
} zslab_platform_lock_t;

/**
 * zslab_platform_lock_init() - make @lock an unlocked mutual-exclusion lock.
 * @lock: zero-filled or previously finalized storage.
 *
 * Cannot fail.  The lock is not recursive.
 */
void zslab_platform_lock_init(zslab_platform_lock_t *lock);

/**
 * zslab_platform_lock_fini() - release what lock_init() set up.
 * @lock: an unlocked lock.
 */
void zslab_platform_lock_fini(zslab_platform_lock_t *lock);

/**
 * zslab_platform_lock_acquire() - take @lock, waiting while another thread has
 * it.  Acquire ordering: what the previous holder wrote before its release is
 * visible afterwards.  Cannot fail.
 * @lock: an initialized lock not held by the caller.
 */
void zslab_platform_lock_acquire(zslab_platform_lock_t *lock);

/**
 * zslab_platform_lock_release() - give @lock back (release ordering).
 * @lock: a lock held by the caller.  In the child of a fork(), the child's
 *        thread may release a lock that the forking thread held (the core's
 *        zslab_fork_child() does).
 */
void zslab_platform_lock_release(zslab_platform_lock_t *lock);

/**
 * zslab_platform_getcpu() - where the calling thread runs now.
 * @cpu:  set to the CPU number (0-based); may be NULL.
 * @node: set to the NUMA node of that CPU (0 on a machine without NUMA);
 *        may be NULL.
 *
 * The answer may be stale as soon as it returns (the thread may migrate); it is
 * a placement hint, never a correctness fact.
 */
void zslab_platform_getcpu(uint32_t *cpu, uint32_t *node);

/**
 * zslab_platform_node_count() - how many NUMA nodes memory can be placed on.
 *
 * Return: at least 1; node numbers given by zslab_platform_getcpu() and taken
 * by zslab_platform_map() are below it (Linux: the highest node this process
 * may allocate on, plus one).  Constant for the life of the process.
 */
uint32_t zslab_platform_node_count(void);

/**
 * zslab_platform_now_ns() - a monotonic clock.
 *
 * Return: nanoseconds since an arbitrary fixed point; never goes backwards.
 */
uint64_t zslab_platform_now_ns(void);

/*
 * Per-instance thread state.  Each core instance creates one key; every
 * thread has one pointer per key, NULL until the thread sets it.  Two
 * instances used by one thread each get their own pointer back, and each
 * key's exit hook runs.
 */
typedef uint64_t zslab_platform_key_t;
typedef void (*zslab_platform_thread_exit_fn)(void *value);

/* Keys that can exist at once; zslab_platform_key_create() fails beyond. */
#define ZSLAB_PLATFORM_THREAD_KEYS 16u

/**
 * zslab_platform_key_create() - a new thread key.
 * @on_exit: called as on_exit(value) in a thread that exits (returns from its
 *           start routine, or calls pthread_exit) while its pointer for the
 *           key is not NULL: once per thread and key, in any order between
 *           keys.  The pointer is not cleared before or after the call; what
 *           on_exit leaves there is what later zslab_platform_thread_get()
 *           calls from that thread's remaining exit code return.  The thread
 *           that ends the process with exit() runs no hook.  May be NULL.
 * @key:     set to the new key.
 *
 * Return: 0; -1 when ZSLAB_PLATFORM_THREAD_KEYS keys exist already (@key is
 * then left alone).
 */
int zslab_platform_key_create(zslab_platform_thread_exit_fn on_exit, zslab_platform_key_t *key);

/**
 * zslab_platform_key_delete() - retire a key.
 * @key: a key from zslab_platform_key_create(), not yet deleted.
 *
 * Waits until running on_exit hooks of @key return; afterwards no hook of
 * @key runs and @key must not be used again.  A key created later that reuses
 * its storage reads NULL in every thread until set.
 */
void zslab_platform_key_delete(zslab_platform_key_t key);

/**
 * zslab_platform_thread_get() - the calling thread's pointer for @key.
 * @key: a live key.
 *
 * Fast: the core calls it on every allocation and free.
 *
 * Return: what this thread last set for @key, or NULL.
 */
void *zslab_platform_thread_get(zslab_platform_key_t key);

/**
 * zslab_platform_thread_set() - set the calling thread's pointer for @key.
 * @key:   a live key.
 * @value: the pointer; NULL clears it.
 *
 * Return: true; false when the thread is past running its exit hooks (a
 * non-NULL value set then would never be handed to on_exit), or when the
 * platform cannot arm the exit hook now (Linux: a call made from inside the
 * allocation that arming it makes), in which case nothing is set and a later
 * call may succeed.  Setting from inside an on_exit hook is allowed and never
 * runs the hook again.
 */
_Bool zslab_platform_thread_set(zslab_platform_key_t key, void *value);

/* Levels of zslab_platform_log(), most severe first. */
enum zslab_log_level {
    ZSLAB_LOG_ERROR = 0, /* bad input or lost memory: someone must look */
    ZSLAB_LOG_WARN = 1,  /* degraded, but correct */
    ZSLAB_LOG_INFO = 2,
    ZSLAB_LOG_DEBUG = 3,
};

/**
 * zslab_platform_log() - report one message.
 * @level: an enum zslab_log_level value.
 * @msg:   a NUL-terminated line without the trailing newline, already
 *         prefixed "zslab: " by the core.
 *
 * The platform decides where it goes (Linux: one write() to stderr).  Must
 * not allocate from the core.
 */
void zslab_platform_log(int level, const char *msg);

/**
 * zslab_platform_panic() - stop: the core found a broken invariant or a bad
 * free it was configured to treat as fatal.
 * @msg: a NUL-terminated line, as for zslab_platform_log().
 *
 * Never returns (Linux: logs @msg, then abort()).
 */
_Noreturn void zslab_platform_panic(const char *msg);

#endif /* ZSLAB_PLATFORM_H */
