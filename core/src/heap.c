/* SPDX-License-Identifier: MIT */
/*
 * heap.c - heaps' life: a thread's first allocation or free attaches one
 * (reused from an exited thread, or mapped), its exit hands everything back,
 * and zslab_trim() empties the caller's caches.
 *
 * At thread exit (the platform's on_exit hook of the instance's key) the
 * heap flushes its thread caches to their slabs, collects its pending remote
 * frees, gives its empty slabs to the node caches and the others to the
 * shared heap (whose slabs serve every exited thread, under shared_lock),
 * closes its notify stack, folds its counters into the instance's, and goes
 * on the free list.  The thread's later calls (other exit hooks, TLS
 * destructors) use the shared heap.  Nothing is leaked: every object of an
 * exited thread stays valid, and freeing it from anywhere works.
 */
#include "internal.h"

static void heap_init(zslab_t *z, zslab_heap_t *h)
{
    h->z = z;
    h->shared = false;
    atomic_store_explicit(&h->remote_head, NULL, memory_order_relaxed);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        uint32_t size = _zslab_sizeclass_bytes(c);
        size_t bound = z->cfg.thread_cache_bytes / size;
        if (z->cfg.thread_cache_bytes && bound == 0)
            bound = 1;
        h->tc[c].object_bytes = size;
        h->tc[c].cache = h->slots[c];
        h->tc[c].capacity =
            (uint32_t)(bound < ZSLAB_TCACHE_MAX_OBJECTS ? bound : ZSLAB_TCACHE_MAX_OBJECTS);
    }
}

static zslab_heap_t *map_heap(zslab_t *z)
{
    zslab_stat_inc(&z->heap_stats, platform_map_calls);
    zslab_heap_t *h =
        zslab_platform_map(z->heap_bytes, ZSLAB_PAGE_BYTES, ZSLAB_PLATFORM_NODE_ANY, 0);
    if (!h)
        return NULL;
    zslab_stat_gauge_add(&z->heap_stats, platform_bytes, z->heap_bytes);
    h->map_next = z->heap_maps;
    z->heap_maps = h;
    return h;
}

static void list_add(zslab_heap_t **list, zslab_heap_t *h)
{
    h->prev = NULL;
    h->next = *list;
    if (*list)
        (*list)->prev = h;
    *list = h;
}

static void list_del(zslab_heap_t **list, zslab_heap_t *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        *list = h->next;
    if (h->next)
        h->next->prev = h->prev;
    h->next = h->prev = NULL;
}

/* The calling thread's heap, made now; the shared heap when the instance has
 * no thread key, the thread is past its exit hooks, or no memory is left. */
zslab_heap_t *_zslab_heap_attach(zslab_t *z)
{
    if (!z->has_key)
        return z->shared;
    zslab_platform_lock_acquire(&z->heaps_lock);
    zslab_heap_t *h = z->free_heaps;
    if (h)
        list_del(&z->free_heaps, h);
    else
        h = map_heap(z);
    if (h) {
        heap_init(z, h);
        list_add(&z->heaps, h);
        zslab_stat_gauge_add(&z->heap_stats, thread_heaps, 1);
    }
    zslab_platform_lock_release(&z->heaps_lock);
    if (!h)
        return z->shared;
    if (!zslab_platform_thread_set(z->key, h)) {
        zslab_platform_lock_acquire(&z->heaps_lock);
        list_del(&z->heaps, h);
        atomic_store_explicit(&h->remote_head, ZSLAB_STACK_CLOSED, memory_order_relaxed);
        list_add(&z->free_heaps, h);
        zslab_stat_gauge_sub(&z->heap_stats, thread_heaps, 1);
        zslab_platform_lock_release(&z->heaps_lock);
        return z->shared;
    }
    return h;
}

/* Every object of the thread caches goes back to its slab. */
void _zslab_heap_flush(zslab_t *z, zslab_heap_t *h)
{
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        zslab_tcache_t *tc = &h->tc[c];
        uint32_t n = atomic_load_explicit(&tc->count, memory_order_relaxed);
        for (uint32_t i = n; i-- > 0;) {
            void *p = tc->cache[i];
            zslab_slab_t *slab = _zslab_slab_of(z, p);
            _zslab_slab_give(z, slab, p);
            _zslab_refill_slab_gained(z, h, slab, 1);
        }
        atomic_store_explicit(&tc->count, 0, memory_order_relaxed);
        _zslab_stat_add(&h->cls[c].raw.flushed, n);
    }
}

/* Every empty slab of @h, active ones and spares too, goes to its node. */
void _zslab_heap_release_empty(zslab_t *z, zslab_heap_t *h)
{
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        zslab_heap_class_t *hc = &h->cls[c];
        zslab_tcache_t *tc = &h->tc[c];
        uint64_t left = tc->bump_limit - atomic_load_explicit(&tc->bumped, memory_order_relaxed);
        if (hc->active && hc->active->used == left)
            _zslab_refill_deactivate(h, c);
        _zslab_refill_release_spares(z, h, c);
    }
}

/* The slabs of a heap that exits: empty ones to their node, the others to
 * the shared heap, whose lock makes them safe for any thread to free into. */
static void give_away(zslab_t *z, zslab_heap_t *h)
{
    zslab_heap_t *shared = z->shared;
    zslab_platform_lock_acquire(&z->shared_lock);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        zslab_heap_class_t *hc = &h->cls[c], *sc = &shared->cls[c];
        _zslab_refill_release_spares(z, h, c);
        zslab_slab_list_t *lists[2] = {&hc->partial, &hc->full};
        for (int l = 0; l < 2; l++) {
            zslab_slab_t *s;
            while ((s = lists[l]->head) != NULL) {
                zslab_slab_state_t state = (zslab_slab_state_t)s->state;
                _zslab_list_remove(lists[l], s);
                atomic_store_explicit(&s->owner, ZSLAB_OWNER_SHARED, memory_order_release);
                _zslab_list_push(state == ZSLAB_SLAB_FULL ? &sc->full : &sc->partial, s, state);
            }
        }
    }
    zslab_platform_lock_release(&z->shared_lock);
}

/* The platform's on_exit hook: @value is the exiting thread's heap. */
static void heap_exit(void *value)
{
    zslab_heap_t *h = value;
    if (h->shared)
        return;
    zslab_t *z = h->z;
    _zslab_heap_flush(z, h);
    _zslab_remote_drain(z, h, false);
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++)
        _zslab_refill_deactivate(h, c);
    give_away(z, h);
    _zslab_remote_close(z, h);
    (void)zslab_platform_thread_set(z->key, z->shared);
    zslab_platform_lock_acquire(&z->heaps_lock);
    list_del(&z->heaps, h);
    _zslab_stats_retire(z, h);
    zslab_heap_t *map_next = h->map_next;
    /* Not the slots: the next thread's caches start empty, and untouched
     * slot pages stay unbacked.  Not the notify stack either: it stays
     * closed.  Zeroed, even for a moment, it would take the push of a
     * remote free that still saw this heap as its slab's owner, and the
     * push would be lost (the slab's flag set for good, so none of its
     * remote frees would ever be collected again). */
    const size_t stack_at = offsetof(zslab_heap_t, remote_head),
                 after = stack_at + sizeof(h->remote_head);
    _zslab_mem_fill(h, 0, stack_at);
    _zslab_mem_fill((uint8_t *)h + after, 0, offsetof(zslab_heap_t, slots) - after);
    h->map_next = map_next;
    list_add(&z->free_heaps, h);
    zslab_stat_gauge_sub(&z->heap_stats, thread_heaps, 1);
    zslab_platform_lock_release(&z->heaps_lock);
}

static bool list_ok(const zslab_t *z, const zslab_slab_list_t *list, zslab_slab_state_t state,
                    const zslab_heap_t *owner)
{
    if (!_zslab_list_is_valid(list, state))
        return false;
    for (const zslab_slab_t *s = list->head; s; s = s->next) {
        if (atomic_load_explicit(&s->owner, memory_order_relaxed) != owner ||
            !_zslab_slab_is_valid(z, s))
            return false;
    }
    return true;
}

/* Every list of @h holds slabs it owns, each passing _zslab_slab_is_valid. */
bool _zslab_heap_is_valid(const zslab_t *z, const zslab_heap_t *h)
{
    const zslab_heap_t *owner = h->shared ? ZSLAB_OWNER_SHARED : h;
    for (unsigned c = 0; c < ZSLAB_CLASS_COUNT; c++) {
        const zslab_heap_class_t *hc = &h->cls[c];
        if (!list_ok(z, &hc->partial, ZSLAB_SLAB_PARTIAL, owner) ||
            !list_ok(z, &hc->full, ZSLAB_SLAB_FULL, owner))
            return false;
        if (hc->active && (hc->active->state != ZSLAB_SLAB_ACTIVE ||
                           atomic_load_explicit(&hc->active->owner, memory_order_relaxed) != owner))
            return false;
    }
    return true;
}

/* The instance's thread key, whose exit hook hands a thread's heap back.
 * (Here, so the hook's address is taken where it is defined.) */
bool _zslab_heap_key_create(zslab_t *z)
{
    return zslab_platform_key_create(heap_exit, &z->key) == 0;
}
