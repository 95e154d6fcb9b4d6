/* SPDX-License-Identifier: MIT */
/*
 * fork.c - an instance across fork(): the forking thread holds every lock
 * while the child's copy of memory is taken, so the child never inherits a
 * lock held by a thread it does not have.  Lock order as everywhere: class
 * locks by index, then chunk_lock.
 */
#include "internal.h"

void zslab_fork_prepare(zslab_t *z)
{
    for (unsigned i = 0; i < ZSLAB_CLASS_COUNT; i++)
        zslab_platform_lock_acquire(&z->classes[i].lock);
    zslab_platform_lock_acquire(&z->chunk_lock);
}

static void release_all(zslab_t *z)
{
    zslab_platform_lock_release(&z->chunk_lock);
    for (unsigned i = ZSLAB_CLASS_COUNT; i-- > 0;)
        zslab_platform_lock_release(&z->classes[i].lock);
}

void zslab_fork_parent(zslab_t *z)
{
    release_all(z);
}

/* The platform contract lets the child's only thread release the locks the
 * forking thread took (platform.h, zslab_platform_lock_release()). */
void zslab_fork_child(zslab_t *z)
{
    release_all(z);
}
