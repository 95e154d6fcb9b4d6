/* SPDX-License-Identifier: MIT */
/*
 * fork.c - an instance across fork(): the forking thread holds every lock
 * while the child's copy of memory is taken, so the child never inherits a
 * lock held by a thread it does not have.  Lock order as everywhere (see
 * internal.h).  The fast paths take no lock: a thread of the parent may be
 * halfway through its own heap, which only that thread uses, and which the
 * child never touches (in the child, memory in the other threads' thread
 * caches stays allocated; their objects can still be freed there).
 */
#include "internal.h"

void zslab_fork_prepare(zslab_t *z)
{
    zslab_platform_lock_acquire(&z->shared_lock);
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++)
        zslab_platform_lock_acquire(&z->nodes[i].lock);
    zslab_platform_lock_acquire(&z->large_lock);
    zslab_platform_lock_acquire(&z->registry_lock);
    zslab_platform_lock_acquire(&z->heaps_lock);
    zslab_platform_lock_acquire(&z->stats_lock);
}

static void release_all(zslab_t *z)
{
    zslab_platform_lock_release(&z->stats_lock);
    zslab_platform_lock_release(&z->heaps_lock);
    zslab_platform_lock_release(&z->registry_lock);
    zslab_platform_lock_release(&z->large_lock);
    for (unsigned i = ZSLAB_MAX_NODES; i-- > 0;)
        zslab_platform_lock_release(&z->nodes[i].lock);
    zslab_platform_lock_release(&z->shared_lock);
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
