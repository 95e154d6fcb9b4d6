/* SPDX-License-Identifier: MIT */
/*
 * write.c - sealed slabs to the device: one Zone Append each, with the store
 * lock released while it is in flight so that several threads append to the
 * head zone at once; tombstones; flush and group commit.
 */
#include "store.h"

/* A slab leaves its class (full, or flushed): the next object of the class
 * opens a new one.  Returns @sl, or NULL (and releases it) when nothing live
 * is left in it. */
zst_slab_t *_zslab_zst_detach(zslab_store_t *s, zst_slab_t *sl)
{
    uint32_t idx = sl->cls == ZST_CLASS_TOMB ? ZST_OPEN_TOMB : sl->cls;
    uint32_t me = _zslab_zst_slab_index(s, sl);
    if (sl->state == ZST_SLAB_OPEN && s->open[idx] == me)
        s->open[idx] = ZST_NO_SLAB;
    if (sl->state == ZST_SLAB_OPEN)
        _zslab_zst_tail_remove(s, me);
    if (sl->nr == sl->nr_dead) {
        _zslab_zst_slab_release(s, sl);
        return NULL;
    }
    sl->state = ZST_SLAB_SEALED;
    return sl;
}

static uint32_t free_slot(const zslab_store_t *s)
{
    for (uint32_t i = 0; i < ZST_SLOTS; i++)
        if (!s->slots[i].busy)
            return i;
    return ZST_SLOTS;
}

static int reap(zslab_store_t *s, uint32_t k, bool maint_held);

/* Waits for the append in busy slot @k: one in flight in another thread
 * (store lock released meanwhile), or a started one, which this thread then
 * completes.  Lock held.  Return: a started append's result (0 when it was
 * another thread's to complete). */
static int wait_slot(zslab_store_t *s, uint32_t k, bool maint_held)
{
    zst_slot_t *slot = &s->slots[k];
    if (slot->busy && !slot->started) {
        zslab_platform_lock_release(&s->lock);
        zslab_platform_lock_acquire(&slot->lock);
        zslab_platform_lock_release(&slot->lock);
        zslab_platform_lock_acquire(&s->lock);
    }
    return slot->busy && slot->started ? reap(s, k, maint_held) : 0;
}

/* Waits for the append in flight in a busy slot, one on a retiring zone when
 * @retiring.  Lock held. */
static void wait_one(zslab_store_t *s, bool retiring, bool maint_held)
{
    for (uint32_t i = 0; i < ZST_SLOTS; i++) {
        zst_slot_t *slot = &s->slots[i];
        if (!slot->busy || (retiring && s->zones[slot->zone].state != ZSLAB_STORE_ZONE_RETIRING))
            continue;
        (void)wait_slot(s, i, maint_held); /* a failed slab is the next flush's */
        return;
    }
}

static int need_reclaim(zslab_store_t *s, bool maint_held)
{
    if (s->reclaiming)
        return _zslab_zst_error_dev(s, -ZSLAB_ENOSPC,
                                    "no empty zone left for reclaim to write into", 0);
    if (!maint_held)
        zslab_platform_lock_acquire(&s->maint);
    uint32_t done = 0;
    int err = _zslab_zst_reclaim_locked(s, 1, &done);
    if (!maint_held)
        zslab_platform_lock_release(&s->maint);
    if (!err && !done)
        err = _zslab_zst_error_dev(s, -ZSLAB_ENOSPC, "no space: reclaim found no zone to free", 0);
    return err;
}

/* Where the append landed: every live entry's loc moves to the device. */
static int landed(zslab_store_t *s, zst_slab_t *sl, uint64_t lba)
{
    zst_zone_t *z = &s->zones[sl->zone];
    if (lba < z->start_lba || lba - z->start_lba + sl->lbas > z->cap_lbas)
        return _zslab_zst_error_dev(s, -ZSLAB_EIO, "append landed outside its zone at LBA", lba);
    uint64_t rec_off = (lba - z->start_lba) * s->lba_bytes;
    uint32_t me = _zslab_zst_slab_index(s, sl);
    for (uint32_t i = 0; i < sl->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(sl->buf, i, &id, &len);
        if (sl->cls == ZST_CLASS_TOMB ||
            _zslab_zst_index_get(&s->index, id) != zst_loc_pending(me, i, len))
            continue; /* a tombstone, or replaced or deleted while in flight */
        uint64_t off = rec_off + sl->payload_off + sl->offs[i];
        (void)_zslab_zst_index_set(&s->index, id,
                                   zst_loc(sl->zone, (uint32_t)(off / ZST_ALIGN), len), NULL);
        z->live_bytes += len;
    }
    z->written_lbas += sl->lbas;
    ZST_COUNT(s, slabs_sealed, 1);
    ZST_COUNT(s, device_appends, 1);
    ZST_COUNT(s, device_append_bytes, (uint64_t)sl->lbas * s->lba_bytes);
    if (sl->cls == ZST_CLASS_TOMB)
        ZST_COUNT(s, tombstones_written, sl->nr);
    return 0;
}

enum { DONE = 0, RETRY = 1 };

/* An append came back.  Lock held.  Return: DONE, RETRY (Zone Is Full: try
 * the next zone), or the error (the slab is FAILED, kept for a retry). */
static int complete(zslab_store_t *s, zst_slab_t *sl, int err, uint64_t lba, const char **event)
{
    uint32_t zone = sl->zone;
    zst_zone_t *z = &s->zones[zone];
    z->inflight--;
    if (!err)
        err = landed(s, sl, lba);
    if (!err) {
        _zslab_zst_slab_release(s, sl);
    } else if (err == ZSLAB_NVME_SC_ZONE_FULL || err == ZSLAB_NVME_SC_ZONE_BOUNDARY) {
        /* the zone holds less than we counted: no more appends to it */
        ZST_COUNT(s, zone_full_retries, 1);
        z->used_lbas = z->cap_lbas;
        *event = err == ZSLAB_NVME_SC_ZONE_FULL
                     ? "Zone Is Full: zone finished, slab retried"
                     : "Zone Boundary Error: zone finished, slab retried";
        sl->state = ZST_SLAB_SEALED;
        sl->maybe_written = true; /* its DRAM-only bits went with the header */
        err = RETRY;
    } else {
        ZST_COUNT(s, device_errors, 1);
        z->failed = true;
        _zslab_zst_slab_fail(s, sl);
        (void)_zslab_zst_error_dev(s, err, "append to the zone at LBA", z->start_lba);
        *event = "append failed; the slab stays in DRAM for the next flush";
    }
    if (z->state == ZSLAB_STORE_ZONE_HEAD && (z->failed || z->used_lbas == z->cap_lbas))
        _zslab_zst_zone_retire(s, zone);
    else if (z->state == ZSLAB_STORE_ZONE_RETIRING && z->inflight == 0)
        _zslab_zst_zone_drained(s, zone);
    return err;
}

/* The end of the append of @sl in slot @k, which this thread holds: the
 * result is applied and the slot freed.  Lock held (released for a moment to
 * report an event).  Return: DONE, RETRY or the error, as complete(). */
static int finish(zslab_store_t *s, uint32_t k, zst_slab_t *sl, int err, uint64_t lba)
{
    zst_slot_t *slot = &s->slots[k];
    uint64_t zslba = s->zones[sl->zone].start_lba;
    const char *event = NULL;
    int r = complete(s, sl, err, lba, &event);
    slot->busy = false;
    _zslab_zst_gauge(&s->c.appends_in_flight, -1);
    zslab_platform_lock_release(&slot->lock);
    if (event) {
        zslab_platform_lock_release(&s->lock);
        _zslab_zst_event(
            s, r == RETRY ? ZSLAB_STORE_EVENT_ZONE_FULL_RETRY : ZSLAB_STORE_EVENT_DEVICE_ERROR,
            zslba, err, event);
        zslab_platform_lock_acquire(&s->lock);
    }
    return r;
}

static int submit(zslab_store_t *s, zst_slab_t *sl, bool maint_held, bool async);

/* Completes the started append of busy slot @k (lock held; released while it
 * waits); a Zone Is Full retries the slab in another zone at once.  Return: 0
 * or the error (the slab is FAILED, kept for the next flush). */
static int reap(zslab_store_t *s, uint32_t k, bool maint_held)
{
    zst_slot_t *slot = &s->slots[k];
    zst_assert(slot->busy && slot->started);
    slot->started = false;
    zst_slab_t *sl = &s->slabs[slot->slab];
    zslab_platform_lock_acquire(&slot->lock); /* free: its starter let go of it */
    zslab_platform_lock_release(&s->lock);
    uint64_t lba = 0;
    int err = s->cfg.ops->append_wait(s->cfg.dev, k, &lba);
    zslab_platform_lock_acquire(&s->lock);
    int r = finish(s, k, sl, err, lba);
    if (r == RETRY) {
        zslab_platform_lock_release(&s->lock);
        r = submit(s, sl, maint_held, false);
        zslab_platform_lock_acquire(&s->lock);
    }
    return r;
}

/* Completes every started append.  Lock held.  Return: the first error. */
static int reap_all(zslab_store_t *s, bool maint_held)
{
    int err = 0;
    for (uint32_t k = 0; k < ZST_SLOTS; k++)
        if (s->slots[k].busy && s->slots[k].started) {
            int e = reap(s, k, maint_held);
            if (e && !err)
                err = e;
        }
    return err;
}

/* reap_all() without the lock held; for puts, before they start the next
 * append (so each thread has at most one started: double buffering). */
int _zslab_zst_reap_started(zslab_store_t *s, bool maint_held)
{
    zslab_platform_lock_acquire(&s->lock);
    int err = reap_all(s, maint_held);
    zslab_platform_lock_release(&s->lock);
    return err;
}

/*
 * Appends sealed slab @sl (detached: in no class).  No lock held; @maint_held
 * tells whether the caller holds s->maint (flush, reclaim).  With @async and
 * a device that can (append_start; one that refuses with -ZSLAB_EOPNOTSUPP
 * gets a synchronous append instead), it returns once the append is queued:
 * its slot is then "started", and whoever waits for the slot completes it.
 * Return: 0 once it is on the device (not yet flushed) or queued; otherwise
 * the error, and the slab is FAILED: still in DRAM, its objects readable,
 * retried by the next flush.
 */
static int submit(zslab_store_t *s, zst_slab_t *sl, bool maint_held, bool async)
{
    async = async && s->cfg.ops->append_start && s->cfg.ops->append_wait;
    zslab_platform_lock_acquire(&s->lock);
    for (;;) {
        /* entries may have died while the lock was released */
        if (sl->nr == sl->nr_dead) {
            _zslab_zst_slab_release(s, sl);
            zslab_platform_lock_release(&s->lock);
            return 0;
        }
        _zslab_zst_slab_seal(s, sl);
        uint32_t k = free_slot(s);
        if (k == ZST_SLOTS) {
            wait_one(s, false, maint_held);
            continue;
        }
        int r = _zslab_zst_zone_reserve(s, sl);
        if (r == ZST_WAIT) {
            wait_one(s, true, maint_held);
            continue;
        }
        if (r == ZST_NEED_RECLAIM) {
            zslab_platform_lock_release(&s->lock);
            r = need_reclaim(s, maint_held);
            zslab_platform_lock_acquire(&s->lock);
            if (!r)
                continue;
        }
        if (r < 0) {
            if (r == -ZSLAB_EBUSY)
                (void)_zslab_zst_error_dev(s, r, "every zone the store may open is in use", 0);
            _zslab_zst_slab_fail(s, sl);
            zslab_platform_lock_release(&s->lock);
            return r;
        }
        zst_slot_t *slot = &s->slots[k];
        slot->busy = true;
        slot->started = false;
        _zslab_zst_gauge(&s->c.appends_in_flight, 1);
        slot->zone = sl->zone;
        sl->slot = k;
        zslab_platform_lock_acquire(&slot->lock);
        _zslab_zst_slab_header(s, sl);
        sl->state = ZST_SLAB_INFLIGHT;
        uint64_t zslba = s->zones[sl->zone].start_lba;
        size_t bytes = (size_t)sl->lbas * s->lba_bytes;
        zslab_platform_lock_release(&s->lock);

        uint64_t lba = 0;
        int err = async ? s->cfg.ops->append_start(s->cfg.dev, zslba, sl->buf, bytes, k)
                        : -ZSLAB_EOPNOTSUPP;
        if (async && !err) {
            zslab_platform_lock_acquire(&s->lock);
            ZST_COUNT(s, async_appends, 1);
            slot->started = true;
            slot->slab = (uint16_t)_zslab_zst_slab_index(s, sl);
            zslab_platform_lock_release(&slot->lock);
            zslab_platform_lock_release(&s->lock);
            return 0;
        }
        if (err == -ZSLAB_EOPNOTSUPP) /* not async, or the device cannot now */
            err = s->cfg.ops->append(s->cfg.dev, zslba, sl->buf, bytes, &lba);

        zslab_platform_lock_acquire(&s->lock);
        r = finish(s, k, sl, err, lba);
        if (r == RETRY)
            continue;
        zslab_platform_lock_release(&s->lock);
        return r;
    }
}

int _zslab_zst_submit(zslab_store_t *s, zst_slab_t *sl, bool maint_held)
{
    return submit(s, sl, maint_held, false);
}

int _zslab_zst_submit_async(zslab_store_t *s, zst_slab_t *sl, bool maint_held)
{
    return submit(s, sl, maint_held, true);
}

/* Adds a tombstone for @id that kills its versions of seq < @kill_seq.  Lock
 * held.  *@sealed receives a full tombstone slab to submit after unlocking. */
int _zslab_zst_tombstone(zslab_store_t *s, uint64_t id, uint64_t kill_seq, zst_slab_t **sealed)
{
    uint8_t seq_le[ZST_TOMB_BYTES];
    zst_slab_t *sl =
        s->open[ZST_OPEN_TOMB] == ZST_NO_SLAB ? NULL : &s->slabs[s->open[ZST_OPEN_TOMB]];
    if (sl && !_zslab_zst_slab_fits(s, sl, ZST_TOMB_BYTES)) {
        *sealed = _zslab_zst_detach(s, sl);
        sl = NULL;
    }
    if (!sl) {
        sl = _zslab_zst_slab_open(s, ZST_CLASS_TOMB);
        if (!sl)
            return _zslab_zst_error_dev(s, -ZSLAB_ENOMEM, "no memory for a tombstone slab", 0);
        s->open[ZST_OPEN_TOMB] = (uint16_t)_zslab_zst_slab_index(s, sl);
    }
    _zslab_zst_put_le64(seq_le, kill_seq);
    (void)_zslab_zst_slab_add(sl, id, seq_le, ZST_TOMB_BYTES, false);
    sl->live_bytes = 0; /* tombstones are no user bytes */
    return 0;
}

/* Seals what DRAM holds (open slabs with entries, failed slabs) into @list. */
static uint32_t collect(zslab_store_t *s, uint16_t *list)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ZST_MAX_SLABS; i++) {
        zst_slab_t *sl = &s->slabs[i];
        if (sl->state == ZST_SLAB_FAILED || (sl->state == ZST_SLAB_OPEN && sl->nr)) {
            if (_zslab_zst_detach(s, sl))
                list[n++] = (uint16_t)i;
        }
    }
    return n;
}

/* Waits for the appends in flight now (other threads' slabs sealed earlier),
 * completing the started ones.  Lock held.  Return: a started one's error. */
static int wait_inflight(zslab_store_t *s)
{
    bool busy[ZST_SLOTS];
    int err = 0;
    for (uint32_t i = 0; i < ZST_SLOTS; i++)
        busy[i] = s->slots[i].busy;
    for (uint32_t i = 0; i < ZST_SLOTS; i++)
        if (busy[i]) {
            int e = wait_slot(s, i, true);
            if (e && !err)
                err = e;
        }
    return err;
}

static bool any_failed(const zslab_store_t *s)
{
    for (uint32_t i = 0; i < ZST_MAX_SLABS; i++)
        if (s->slabs[i].state == ZST_SLAB_FAILED)
            return true;
    return false;
}

/* Flush with s->maint held. */
int _zslab_zst_flush_locked(zslab_store_t *s)
{
    uint16_t list[ZST_MAX_SLABS];
    int err = 0;
    zslab_platform_lock_acquire(&s->lock);
    uint64_t covering = s->flush_tickets;
    for (int round = 0; round < 2 && !err; round++) {
        uint32_t n = collect(s, list);
        zslab_platform_lock_release(&s->lock);
        for (uint32_t i = 0; i < n; i++) {
            int e = _zslab_zst_submit_async(s, &s->slabs[list[i]], true);
            if (e && !err)
                err = e;
        }
        zslab_platform_lock_acquire(&s->lock);
        int e = wait_inflight(s);
        if (e && !err)
            err = e;
        if (!any_failed(s))
            break; /* else another thread's append failed meanwhile: once more */
    }
    if (!err && any_failed(s))
        err = _zslab_zst_error_dev(s, -ZSLAB_EIO, "an append failed and failed again", 0);
    zslab_platform_lock_release(&s->lock);
    if (!err) {
        err = s->cfg.ops->flush(s->cfg.dev);
        zslab_platform_lock_acquire(&s->lock);
        if (err) {
            ZST_COUNT(s, device_errors, 1);
            (void)_zslab_zst_error_dev(s, err, "device flush", 0);
        } else {
            ZST_COUNT(s, device_flushes, 1);
            if (covering > s->flush_covered)
                s->flush_covered = covering;
        }
        zslab_platform_lock_release(&s->lock);
    }
    return err;
}

int zslab_store_flush(zslab_store_t *s)
{
    if (s->cfg.read_only)
        return -ZSLAB_EOPNOTSUPP;
    uint64_t ticket = 0;
    zslab_platform_lock_acquire(&s->lock);
    ticket = ++s->flush_tickets;
    zslab_platform_lock_release(&s->lock);
    zslab_platform_lock_acquire(&s->maint);
    if (s->cfg.group_commit) {
        zslab_platform_lock_acquire(&s->lock);
        bool covered = s->flush_covered >= ticket;
        if (covered) {
            ZST_COUNT(s, group_commit_joins, 1);
            ZST_COUNT(s, flushes, 1);
        }
        zslab_platform_lock_release(&s->lock);
        if (covered) {
            zslab_platform_lock_release(&s->maint);
            return 0;
        }
    }
    int err = _zslab_zst_flush_locked(s);
    if (!err) {
        zslab_platform_lock_acquire(&s->lock);
        ZST_COUNT(s, flushes, 1);
        zslab_platform_lock_release(&s->lock);
    }
    zslab_platform_lock_release(&s->maint);
    return err;
}
