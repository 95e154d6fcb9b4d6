/* SPDX-License-Identifier: MIT */
/*
 * remote.c - frees by a thread that does not own the object's slab.
 *
 * The freeing thread never writes the object, and takes no lock when the
 * owner is a live heap: it checks the object's live bit (a relaxed read of a
 * word only the owner writes), sets the object's remote bit with one atomic
 * OR (a second remote free of the same object finds it set: double free),
 * and, unless the slab is queued already (remote_flag), pushes the slab once
 * onto its owner's notify stack.  The owner, in its next slow path, takes the
 * whole stack, and for each slab clears the flag and collects the remote
 * bits: each must be a live object (else a double free is reported, even
 * one that raced the owner's own free), which goes on the slab's free list.
 *
 * The flag belongs to whoever won 0 -> 1 until a collector clears it, so a
 * slab is on at most one stack.  A slab may change owner meanwhile (its
 * heap exited, or it emptied and was reformatted): a collector that finds a
 * slab it does not own forwards it to the current owner (notify()), and a
 * heap closes its stack only after it gave every slab away, so a push never
 * lands on a dead heap.  Slabs of the shared heap and empty ones are
 * delivered under their lock instead.  Every bit is checked against the
 * live bitmap, which is indexed by address, not by class: a stale pointer
 * into a slab reformatted for another class finds no live object there, or
 * a live one (the case no allocator can tell from a valid free: the object
 * was freed and handed out again).
 */
#include "internal.h"

static void report_collected(zslab_t *z, const zslab_bad_info_t *bad)
{
    if (bad->kind != 0)
        _zslab_report_bad(z, bad);
}

/* Every remote bit of @slab: live objects go into the thread cache @into
 * while it has room (they stay counted out of the slab), then on the slab's
 * free list (counted in the return value); the others are double frees (the
 * first one in @bad).  The caller owns the slab (its heap, or the shared heap
 * under its lock); @into is NULL or the caller's own cache of the class. */
uint32_t _zslab_remote_collect(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab,
                               zslab_tcache_t *into, zslab_bad_info_t *bad)
{
    uint8_t *start = _zslab_slab_start(z, slab);
    size_t words = ((size_t)1 << z->slab_shift) >> ZSLAB_REMOTE_WORD_SPAN_SHIFT;
    _Atomic uint64_t *w = _zslab_remote_word(z, start);
    _Atomic uint64_t *live = _zslab_live_word(z, start, 0); /* the slab's live slot */
    unsigned c = slab->class_index;
    uint64_t recip = z->class_recip[c];
    uint32_t capacity = z->class_capacity[c];
    uint32_t n = 0, cached = into ? atomic_load_explicit(&into->count, memory_order_relaxed) : 0;
    uint32_t room = into ? into->capacity : 0, taken = cached;
    /* Only the owner writes the live words and the slab's list: each is
     * written back once per run of objects, not once per object, so the
     * lines freeing threads read move less. */
    uint32_t at = UINT32_MAX; /* the live word held in lv */
    uint64_t lv = 0;
    void *list = slab->free;
    for (size_t k = 0; k < words; k++) {
        if (atomic_load_explicit(&w[k], memory_order_seq_cst) == 0)
            continue;
        uint64_t bits = atomic_exchange_explicit(&w[k], 0, memory_order_acq_rel);
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            size_t offset = ((k * ZSLAB_BITMAP_WORD_BITS) + b) << ZSLAB_GRANULE_SHIFT;
            uint8_t *p = start + offset;
            uint64_t product = (uint64_t)offset * recip;
            uint32_t index = (uint32_t)(product >> ZSLAB_DIV_SHIFT);
            if (index / ZSLAB_BITMAP_WORD_BITS != at) {
                if (at != UINT32_MAX)
                    atomic_store_explicit(&live[at], lv, memory_order_relaxed);
                at = index / ZSLAB_BITMAP_WORD_BITS;
                lv = atomic_load_explicit(&live[at], memory_order_relaxed);
            }
            /* An object start of the class the slab has now, and live. */
            if (_zslab_product_is_start(product, recip) && index < capacity &&
                (lv & _zslab_bit_of(index))) {
                lv &= ~_zslab_bit_of(index);
#if ZSLAB_DEBUG
                _zslab_mem_fill(p + sizeof(void *), ZSLAB_POISON_BYTE,
                                z->class_bytes[c] - sizeof(void *));
#endif
                if (cached < room) {
                    into->cache[cached++] = p;
                    continue;
                }
                *(void **)p = list;
                list = p;
                n++;
            } else {
                /* Counted as a free by the thread that made it: undo here. */
                if (h)
                    zslab_raw_count(&h->cls[slab->class_index].raw, remote_rejected);
                if (bad->kind != 0)
                    continue;
                bad->kind = ZSLAB_BAD_REMOTE_TWICE;
                bad->ptr = p;
                bad->base = p;
                bad->object_bytes = z->class_bytes[c];
            }
        }
    }
    if (at != UINT32_MAX)
        atomic_store_explicit(&live[at], lv, memory_order_relaxed);
    if (n) {
        zslab_assert(slab->used >= n);
        slab->free = list;
        slab->used -= n;
    }
    if (into && cached != taken) {
        atomic_store_explicit(&into->count, cached, memory_order_relaxed);
        _zslab_stat_add(&h->cls[c].raw.refilled, cached - taken);
    }
    return n;
}

/* The collector owns the flag: clear it first, so a remote free after this
 * point queues the slab again.  The clear and the collector's first read of
 * each remote word are seq_cst, as the remote side's OR and flag read: one
 * of the two sides sees the other's write. */
static void take_flag(zslab_slab_t *slab)
{
    (void)atomic_exchange_explicit(&slab->remote_flag, 0, memory_order_seq_cst);
}

/* The shared heap owns @slab: collect under shared_lock.  False when the
 * owner changed before the lock was taken. */
static bool deliver_shared(zslab_t *z, zslab_slab_t *slab)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, NULL, false, 0);
    zslab_platform_lock_acquire(&z->shared_lock);
    bool mine = atomic_load_explicit(&slab->owner, memory_order_acquire) == ZSLAB_OWNER_SHARED;
    if (mine) {
        take_flag(slab);
        uint32_t n = _zslab_remote_collect(z, z->shared, slab, NULL, &bad);
        _zslab_refill_slab_gained(z, z->shared, slab, n);
    }
    zslab_platform_lock_release(&z->shared_lock);
    report_collected(z, &bad);
    return mine;
}

/* @slab is in a node cache or free: its remote bits are stale frees. */
static bool deliver_none(zslab_t *z, zslab_slab_t *slab)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, NULL, false, 0);
    zslab_node_t *node = _zslab_node_of(z, _zslab_chunk_of(z, slab)->node);
    /* The shared heap's lock too: its counters take the rejected frees. */
    zslab_platform_lock_acquire(&z->shared_lock);
    zslab_platform_lock_acquire(&node->lock);
    bool none = atomic_load_explicit(&slab->owner, memory_order_acquire) == ZSLAB_OWNER_NONE;
    if (none) {
        take_flag(slab);
        uint32_t n = _zslab_remote_collect(z, z->shared, slab, NULL, &bad);
        zslab_assert(n == 0); /* an empty slab has no live object */
        (void)n;
    }
    zslab_platform_lock_release(&node->lock);
    zslab_platform_lock_release(&z->shared_lock);
    report_collected(z, &bad);
    return none;
}

/* Pushes @slab on @owner's notify stack; false when it is closed. */
static bool push(zslab_heap_t *owner, zslab_slab_t *slab)
{
    zslab_slab_t *head = atomic_load_explicit(&owner->remote_head, memory_order_relaxed);
    do {
        if (head == ZSLAB_STACK_CLOSED)
            return false;
        atomic_store_explicit(&slab->remote_next, head, memory_order_relaxed);
    } while (!atomic_compare_exchange_weak_explicit(&owner->remote_head, &head, slab,
                                                    memory_order_release, memory_order_relaxed));
    return true;
}

/* The caller holds @slab's flag: hand it to whoever owns the slab now. */
static void notify(zslab_t *z, zslab_slab_t *slab)
{
    for (;;) {
        zslab_heap_t *owner = atomic_load_explicit(&slab->owner, memory_order_acquire);
        if (_zslab_is_heap(owner)) {
            if (push(owner, slab))
                return;
            /* Closed: the heap gave its slabs away; look again. */
        } else if (owner == ZSLAB_OWNER_SHARED) {
            if (deliver_shared(z, slab))
                return;
        } else if (deliver_none(z, slab)) {
            return;
        }
    }
}

/* @ptr starts a live object of the class @slab has now (*@index: its index). */
static inline bool object_live(const zslab_t *z, const zslab_slab_t *slab, const void *ptr,
                               uint32_t *index)
{
    unsigned c = atomic_load_explicit(&slab->class_index, memory_order_relaxed);
    uint64_t recip = z->class_recip[c];
    uint64_t product = _zslab_index_product(z, ptr, recip);
    *index = (uint32_t)(product >> ZSLAB_DIV_SHIFT);
    return _zslab_product_is_start(product, recip) && *index < z->class_capacity[c] &&
           _zslab_live_test(z, ptr, *index);
}

static void count_remote(zslab_t *z, zslab_heap_t *h, const zslab_slab_t *slab)
{
    if (!h->shared) {
        zslab_raw_count(&h->cls[slab->class_index].raw, remote_frees);
        return;
    }
    zslab_platform_lock_acquire(&z->shared_lock);
    zslab_raw_count(&h->cls[slab->class_index].raw, remote_frees);
    zslab_platform_lock_release(&z->shared_lock);
}

/* A free of @ptr, an object start of @slab, by heap @h's thread, which does
 * not own the slab.  Reports a bad free itself. */
void _zslab_remote_free(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr)
{
    zslab_bad_info_t bad;
    _zslab_bad_init(&bad, ptr, false, 0);
    bad.kind = ZSLAB_BAD_NOT_LIVE;
    bad.object_bytes = z->class_bytes[slab->class_index];
    for (;;) {
        zslab_heap_t *owner = atomic_load_explicit(&slab->owner, memory_order_acquire);
        if (owner == ZSLAB_OWNER_NONE)
            break; /* no object of an empty or free slab is live */
        if (owner == ZSLAB_OWNER_SHARED) {
            zslab_platform_lock_acquire(&z->shared_lock);
            bool still = atomic_load_explicit(&slab->owner, memory_order_relaxed) == owner;
            uint32_t index = 0;
            bool live = still && object_live(z, slab, ptr, &index);
            if (live) {
                _zslab_live_clear(z, ptr, index);
                _zslab_slab_give(z, slab, ptr);
                _zslab_refill_slab_gained(z, z->shared, slab, 1);
                if (h->shared)
                    zslab_raw_count(&h->cls[slab->class_index].raw, remote_frees);
            }
            zslab_platform_lock_release(&z->shared_lock);
            if (!still)
                continue;
            if (!live)
                break;
            if (!h->shared)
                zslab_raw_count(&h->cls[slab->class_index].raw, remote_frees);
            return;
        }
        /* The class is read after the owner: it is at least the one that
         * owner gave the slab.  Only a hint here (the owner may reformat an
         * empty slab at any time); the collector decides. */
        uint32_t index;
        if (!object_live(z, slab, ptr, &index))
            break;
        _Atomic uint64_t *w = _zslab_remote_word(z, ptr);
        uint64_t bit = _zslab_remote_bit(ptr);
        if (atomic_fetch_or_explicit(w, bit, memory_order_seq_cst) & bit)
            break; /* a second remote free before the owner collected the first */
        count_remote(z, h, slab);
        if (!atomic_load_explicit(&slab->remote_flag, memory_order_seq_cst) &&
            !atomic_exchange_explicit(&slab->remote_flag, 1, memory_order_seq_cst))
            notify(z, slab);
        return;
    }
    _zslab_report_bad(z, &bad);
}

/* The common remote free, straight from zslab_free(): @slab belonged to a
 * heap other than @h (the caller's own, not the shared one) when it was
 * looked at, and the free is not sized.  When the owner is no other heap or
 * the pointer starts no live object, nothing is done here: the free's slow
 * path (a tail call) classifies and reports it.  The same steps as
 * _zslab_remote_free() for a heap owner; an owner change after the bit is
 * set is notify()'s business. */
void _zslab_remote_free_fast(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab, void *ptr)
{
    zslab_heap_t *owner = atomic_load_explicit(&slab->owner, memory_order_acquire);
    uint32_t index;
    if (!_zslab_is_heap(owner) || owner == h || !object_live(z, slab, ptr, &index)) {
        _zslab_free_slow(z, h, _zslab_chunk_of(z, ptr), ptr, false, 0);
        return;
    }
    _Atomic uint64_t *w = _zslab_remote_word(z, ptr);
    uint64_t bit = _zslab_remote_bit(ptr);
    if (zslab_unlikely(atomic_fetch_or_explicit(w, bit, memory_order_seq_cst) & bit)) {
        /* A second remote free before the owner collected the first. */
        zslab_bad_info_t bad;
        _zslab_bad_init(&bad, ptr, false, 0);
        bad.kind = ZSLAB_BAD_NOT_LIVE;
        bad.object_bytes = z->class_bytes[slab->class_index];
        _zslab_report_bad(z, &bad);
        return;
    }
    zslab_raw_count(&h->cls[slab->class_index].raw, remote_frees);
    if (!atomic_load_explicit(&slab->remote_flag, memory_order_seq_cst) &&
        !atomic_exchange_explicit(&slab->remote_flag, 1, memory_order_seq_cst))
        notify(z, slab);
}

/* The owner's side: take the notify stack, collect what it owns (into its
 * thread caches first when @to_cache), forward the rest. */
void _zslab_remote_drain(zslab_t *z, zslab_heap_t *h, bool to_cache)
{
    if (atomic_load_explicit(&h->remote_head, memory_order_relaxed) == NULL)
        return;
    zslab_slab_t *slab = atomic_exchange_explicit(&h->remote_head, NULL, memory_order_acquire);
    while (slab) {
        zslab_slab_t *next = atomic_load_explicit(&slab->remote_next, memory_order_relaxed);
        if (atomic_load_explicit(&slab->owner, memory_order_acquire) == h) {
            zslab_bad_info_t bad;
            _zslab_bad_init(&bad, NULL, false, 0);
            take_flag(slab);
            uint32_t n = _zslab_remote_collect(z, h, slab,
                                               to_cache ? &h->tc[slab->class_index] : NULL, &bad);
            _zslab_refill_slab_gained(z, h, slab, n);
            report_collected(z, &bad);
        } else {
            notify(z, slab);
        }
        slab = next;
    }
}

/* Thread exit, after every slab of @h has a new owner: no more pushes, and
 * what was pushed goes on to the new owners. */
void _zslab_remote_close(zslab_t *z, zslab_heap_t *h)
{
    zslab_slab_t *slab =
        atomic_exchange_explicit(&h->remote_head, ZSLAB_STACK_CLOSED, memory_order_acq_rel);
    while (slab && slab != ZSLAB_STACK_CLOSED) {
        zslab_slab_t *next = atomic_load_explicit(&slab->remote_next, memory_order_relaxed);
        notify(z, slab);
        slab = next;
    }
}
