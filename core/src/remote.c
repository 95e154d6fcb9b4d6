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

/* Every remote bit of @slab: live objects go on its free list (counted in the
 * return value), the others are double frees (the first one in @bad).  The
 * caller owns the slab (its heap, or the shared heap under its lock). */
uint32_t _zslab_remote_collect(zslab_t *z, zslab_heap_t *h, zslab_slab_t *slab,
                               zslab_bad_info_t *bad)
{
    uint8_t *start = _zslab_slab_start(z, slab);
    size_t words = ((size_t)1 << z->slab_shift) >> ZSLAB_WORD_SPAN_SHIFT;
    _Atomic uint64_t *w = _zslab_remote_word(z, start);
    uint32_t n = 0;
    for (size_t k = 0; k < words; k++) {
        if (atomic_load_explicit(&w[k], memory_order_seq_cst) == 0)
            continue;
        uint64_t bits = atomic_exchange_explicit(&w[k], 0, memory_order_acq_rel);
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            uint8_t *p = start + (((k * ZSLAB_BITMAP_WORD_BITS) + b) << ZSLAB_GRANULE_SHIFT);
            if (_zslab_live_test(z, p)) {
                _zslab_live_clear(z, p);
                _zslab_slab_give(z, slab, p);
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
                bad->object_bytes = _zslab_sizeclass_bytes(slab->class_index);
            }
        }
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
        uint32_t n = _zslab_remote_collect(z, z->shared, slab, &bad);
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
        uint32_t n = _zslab_remote_collect(z, z->shared, slab, &bad);
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
    bad.object_bytes = _zslab_sizeclass_bytes(slab->class_index);
    for (;;) {
        zslab_heap_t *owner = atomic_load_explicit(&slab->owner, memory_order_acquire);
        if (owner == ZSLAB_OWNER_NONE)
            break; /* no object of an empty or free slab is live */
        if (owner == ZSLAB_OWNER_SHARED) {
            zslab_platform_lock_acquire(&z->shared_lock);
            bool still = atomic_load_explicit(&slab->owner, memory_order_relaxed) == owner;
            bool live = still && _zslab_live_test(z, ptr);
            if (live) {
                _zslab_live_clear(z, ptr);
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
        if (!_zslab_live_test(z, ptr))
            break;
        _Atomic uint64_t *w = _zslab_remote_word(z, ptr);
        uint64_t bit = _zslab_bit_of(ptr);
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

/* The owner's side: take the notify stack, collect what it owns, forward
 * the rest. */
void _zslab_remote_drain(zslab_t *z, zslab_heap_t *h)
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
            uint32_t n = _zslab_remote_collect(z, h, slab, &bad);
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
