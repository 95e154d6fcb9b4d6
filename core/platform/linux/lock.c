/* SPDX-License-Identifier: MIT */
/*
 * lock.c - the platform lock on Linux: a default pthread mutex (uncontended:
 * one atomic to take, one to give back; waiters sleep in the kernel instead
 * of spinning, which matters on a loaded 2-CPU machine).
 */
#include <pthread.h>

#include "zslab/platform.h"
#include "zslab_linux.h"

_Static_assert(sizeof(pthread_mutex_t) <= ZSLAB_PLATFORM_LOCK_BYTES,
               "pthread_mutex_t fits in zslab_platform_lock_t");
_Static_assert(_Alignof(pthread_mutex_t) <= _Alignof(zslab_platform_lock_t),
               "zslab_platform_lock_t is aligned enough for pthread_mutex_t");

static pthread_mutex_t *mutex_of(zslab_platform_lock_t *lock)
{
    return (pthread_mutex_t *)(void *)lock->opaque;
}

/* A mutex call fails only on a broken caller (an uninitialized lock).  No
 * strerror(): for an unusual errno it may allocate. */
static void check(int rc, const char *what, zslab_platform_lock_t *lock)
{
    if (rc != 0)
        zslab_linux_fail(what, lock, 0, rc);
}

void zslab_platform_lock_init(zslab_platform_lock_t *lock)
{
    check(pthread_mutex_init(mutex_of(lock), NULL), "pthread_mutex_init", lock);
}

void zslab_platform_lock_fini(zslab_platform_lock_t *lock)
{
    check(pthread_mutex_destroy(mutex_of(lock)), "pthread_mutex_destroy", lock);
}

void zslab_platform_lock_acquire(zslab_platform_lock_t *lock)
{
    check(pthread_mutex_lock(mutex_of(lock)), "pthread_mutex_lock", lock);
}

void zslab_platform_lock_release(zslab_platform_lock_t *lock)
{
    check(pthread_mutex_unlock(mutex_of(lock)), "pthread_mutex_unlock", lock);
}
