/* SPDX-License-Identifier: MIT */
/*
 * reclaim.c - giving zones back, a whole zone at a time.
 *
 * Store mode, greedy: the FULL zone with the fewest live bytes is the victim
 * (greedy minimizes the bytes migrated now; cost-benefit, which also weighs
 * age, is not used).  Its records are read whole; every object the index
 * still places there is put again through the put path; tombstones that may
 * still be needed are put again too; the store flushes, then resets the zone.
 * A victim must gain at least two slabs of space (what migrating its objects
 * and flushing the slabs that are partly full may cost beyond its live bytes),
 * and a round of reclaims that gives no zone back stops, so reclaim makes
 * progress or reports "no space"; it never loops.
 *
 * Cache mode, FIFO: the FULL zone with the oldest records is the victim.  Its
 * headers are read, its live objects dropped from the index (misses from now
 * on), and the zone reset; nothing is migrated.
 *
 * Tombstones.  A tombstone kills the versions of its id older than its kill
 * seq.  It must outlive every zone that may hold such a version: it is kept
 * (put again when its own zone is reclaimed) while the id is not live and a
 * zone other than the victim holds records older than its kill seq.  A
 * dropped object gets a tombstone when an older zone may hold an older
 * version of it; with the zones' seq ranges ordered (store.h) and FIFO
 * dropping the oldest zone, none does.
 */
#include "store.h"

enum { NO_VICTIM = -1 };
#define GAIN_SLABS 2u /* a victim frees at least this many slabs */

static int64_t pick_greedy(const zslab_store_t *s)
{
    int64_t best = NO_VICTIM;
    for (uint32_t i = 0; i < s->nr_zones; i++) {
        const zst_zone_t *z = &s->zones[i];
        if (z->state != ZSLAB_STORE_ZONE_FULL ||
            zst_zone_byte_cap(z, s->lba_bytes) < z->live_bytes + s->slab_bytes)
            continue; /* nothing to gain */
        if (best == NO_VICTIM || z->live_bytes < s->zones[best].live_bytes)
            best = i;
    }
    return best;
}

static int64_t pick_oldest(const zslab_store_t *s)
{
    int64_t best = NO_VICTIM;
    for (uint32_t i = 0; i < s->nr_zones; i++) {
        const zst_zone_t *z = &s->zones[i];
        if (z->state == ZSLAB_STORE_ZONE_FULL &&
            (best == NO_VICTIM || z->min_seq < s->zones[best].min_seq))
            best = i;
    }
    return best;
}

struct victim {
    uint32_t zone;
    bool tombstones; /* tombstones were added: flush before the reset */
};

/* Submits a slab that a put or a tombstone sealed; s->maint is held. */
static int submit_sealed(zslab_store_t *s, zst_slab_t *sealed)
{
    return sealed ? _zslab_zst_submit(s, sealed, true) : 0;
}

static int keep_tombstone(zslab_store_t *s, struct victim *v, uint64_t id, uint64_t kill)
{
    zst_slab_t *sealed = NULL;
    int err = 0;
    zslab_platform_lock_acquire(&s->lock);
    if (!_zslab_zst_index_get(&s->index, id) && _zslab_zst_zone_older_data(s, v->zone, kill)) {
        err = _zslab_zst_tombstone(s, id, kill, &sealed);
        v->tombstones = true;
    }
    zslab_platform_lock_release(&s->lock);
    return err ? err : submit_sealed(s, sealed);
}

/* One record of the victim: its live objects are migrated (store) or dropped
 * (cache); its tombstones kept where needed. */
static int victim_record(zslab_store_t *s, uint32_t zone, uint32_t off, const zst_rec_t *r,
                         const uint8_t *buf, void *arg)
{
    struct victim *v = arg;
    bool cache = s->cfg.mode == ZSLAB_STORE_MODE_CACHE;
    uint64_t pos = (uint64_t)off * s->lba_bytes + r->payload_off;
    for (uint32_t i = 0; i < r->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(buf, i, &id, &len);
        const uint8_t *data = buf + (pos - (uint64_t)off * s->lba_bytes);
        uint64_t loc = zst_loc(zone, (uint32_t)(pos / ZST_ALIGN), len);
        pos += zst_round_up(len, ZST_ALIGN);
        if (r->cls == ZST_CLASS_TOMB) {
            int err = keep_tombstone(s, v, id, _zslab_zst_le64(data));
            if (err)
                return err;
            continue;
        }
        zst_slab_t *sealed = NULL;
        int err = 0;
        zslab_platform_lock_acquire(&s->lock);
        if (_zslab_zst_index_get(&s->index, id) != loc) {
            /* replaced or deleted: dead here */
        } else if (cache) {
            (void)_zslab_zst_drop_entry(s, loc);
            (void)_zslab_zst_index_del(&s->index, id, NULL);
            ZST_COUNT(s, objects_dropped, 1);
            ZST_COUNT(s, bytes_dropped, len);
            if (_zslab_zst_zone_older_data(s, zone, r->seq + 1)) {
                err = _zslab_zst_tombstone(s, id, r->seq + 1, &sealed);
                v->tombstones = true;
            }
        } else {
            err = _zslab_zst_put_locked(s, id, data, len, true, &sealed);
            ZST_COUNT(s, objects_migrated, 1);
            ZST_COUNT(s, bytes_migrated, len);
        }
        zslab_platform_lock_release(&s->lock);
        if (!err)
            err = submit_sealed(s, sealed);
        if (err)
            return err;
    }
    return 0;
}

static void victim_corrupt(zslab_store_t *s, uint32_t zone, uint32_t off, uint32_t lbas,
                           const char *why, void *arg)
{
    (void)arg;
    ZST_COUNT(s, corrupt_slabs, 1);
    _zslab_zst_event(s, ZSLAB_STORE_EVENT_CORRUPT_SLAB, s->zones[zone].start_lba + off,
                     -ZSLAB_EBADMSG, why);
    (void)lbas;
}

/* Objects the index still places in @zone (their records failed): lost. */
static void forget_zone(zslab_store_t *s, uint32_t zone)
{
    s->index.frozen = true; /* no resize while walking it */
    for (uint64_t i = 0; i < s->index.cap; i++) {
        zst_ient_t *e = &s->index.slots[i];
        if (!e->val || zst_loc_zone(e->val) != zone)
            continue;
        (void)_zslab_zst_drop_entry(s, e->val);
        ZST_COUNT(s, objects_lost, 1);
        (void)_zslab_zst_index_del(&s->index, e->key, NULL);
        i--; /* backward shift moved the next entry here */
    }
    s->index.frozen = false;
}

static int reclaim_zone(zslab_store_t *s, uint32_t zone, uint8_t *buf)
{
    struct victim v = {zone, false};
    zst_scan_t scan = {
        victim_record, victim_corrupt, &v, s->cfg.mode == ZSLAB_STORE_MODE_STORE, false, buf, true};
    int err = _zslab_zst_scan_zone(s, zone, &scan);
    if (!err && (s->cfg.mode == ZSLAB_STORE_MODE_STORE || v.tombstones))
        err = _zslab_zst_flush_locked(s); /* what moved is durable before the reset */
    if (err)
        return err;
    zslab_platform_lock_acquire(&s->lock);
    if (s->zones[zone].live_bytes)
        forget_zone(s, zone);
    err = _zslab_zst_zone_reset(s, zone);
    if (!err)
        ZST_COUNT(s, reclaims, 1);
    uint64_t lba = s->zones[zone].start_lba;
    zslab_platform_lock_release(&s->lock);
    if (!err)
        _zslab_zst_event(s, ZSLAB_STORE_EVENT_ZONE_RESET, lba, 0,
                         s->cfg.mode == ZSLAB_STORE_MODE_STORE
                             ? "reclaimed: live objects migrated"
                             : "dropped: its objects are misses now");
    return err;
}

/*
 * Reclaims zones until @zones are done and reclaim_free_zones are free (or no
 * victim is left).  s->maint is held, s->lock is not.  *@reclaimed: how many
 * zones were.
 */
int _zslab_zst_reclaim_locked(zslab_store_t *s, uint32_t zones, uint32_t *reclaimed)
{
    uint8_t *buf = NULL;
    uint32_t done = 0, idle = 0;
    int err = 0;
    zslab_platform_lock_acquire(&s->lock);
    bool was = s->reclaiming;
    s->reclaiming = true;
    while (!err && (done < zones || s->nr_free < s->cfg.reclaim_free_zones) && idle < s->nr_zones) {
        int64_t victim = s->cfg.mode == ZSLAB_STORE_MODE_STORE ? pick_greedy(s) : pick_oldest(s);
        if (victim == NO_VICTIM)
            break;
        uint32_t free_before = s->nr_free;
        zslab_platform_lock_release(&s->lock);
        if (!buf && !(buf = _zslab_zst_scan_buf(s)))
            err = -ZSLAB_ENOMEM;
        if (!err)
            err = reclaim_zone(s, (uint32_t)victim, buf);
        zslab_platform_lock_acquire(&s->lock);
        done += !err;
        /* migrating may fill a zone for each one reset: count the rounds
         * that gave nothing back, and stop when every zone had its turn */
        idle = s->nr_free > free_before ? 0 : idle + 1;
    }
    s->reclaiming = was;
    zslab_platform_lock_release(&s->lock);
    zslab_free(s->z, buf);
    *reclaimed = done;
    return err;
}

int zslab_store_reclaim(zslab_store_t *s, uint32_t zones)
{
    if (s->cfg.read_only)
        return -ZSLAB_EOPNOTSUPP;
    uint32_t done = 0;
    zslab_platform_lock_acquire(&s->maint);
    int err = _zslab_zst_reclaim_locked(s, zones, &done);
    zslab_platform_lock_release(&s->maint);
    if (err)
        return err;
    if (done < zones)
        return _zslab_zst_error_dev(s, -ZSLAB_ENOSPC, "no zone whose reset would gain space", 0);
    return (int)done;
}
