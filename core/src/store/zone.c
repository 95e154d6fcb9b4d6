/* SPDX-License-Identifier: MIT */
/*
 * zone.c - the store's zones: one head takes every append; a head without
 * room retires and is finished once its appends have completed, so the store
 * keeps at most s->budget zones open or closed on the device and the device
 * never answers Too Many Open or Too Many Active Zones.  Zone capacity, not
 * zone size, is what a zone holds.
 */
#include "store.h"

uint32_t _zslab_zst_zone_active(const zslab_store_t *s)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nr_zones; i++)
        n += s->zones[i].active;
    return n;
}

void _zslab_zst_zone_set_seq(zst_zone_t *z, uint64_t seq)
{
    if (seq < z->min_seq)
        z->min_seq = seq;
    if (seq > z->max_seq)
        z->max_seq = seq;
}

/* An empty zone to be the next head, round robin from the last one. */
static uint32_t pick_empty(zslab_store_t *s)
{
    for (uint32_t k = 0; k < s->nr_zones; k++) {
        uint32_t i = (s->next_pick + k) % s->nr_zones;
        if (s->zones[i].state == ZSLAB_STORE_ZONE_EMPTY) {
            s->next_pick = (i + 1) % s->nr_zones;
            return i;
        }
    }
    return ZST_NO_ZONE;
}

/* Store mode keeps one empty zone back for reclaim to migrate into. */
static bool may_take_last(const zslab_store_t *s)
{
    return s->cfg.mode == ZSLAB_STORE_MODE_CACHE || s->reclaiming || s->nr_free >= 2;
}

/*
 * Gives sealed slab @sl its seq and room in the head, making a new head when
 * the current one has no room.  Lock held.
 * Return: 0; ZST_WAIT when the zone limit is reached and a retiring zone
 * still has appends in flight; ZST_NEED_RECLAIM when no empty zone may be
 * taken; -ZSLAB_EBUSY when the limit is reached and nothing is in flight (a
 * finish failed).
 */
int _zslab_zst_zone_reserve(zslab_store_t *s, zst_slab_t *sl)
{
    if (s->head != ZST_NO_ZONE) {
        zst_zone_t *z = &s->zones[s->head];
        if (!z->failed && z->cap_lbas - z->used_lbas >= sl->lbas) {
            z->used_lbas += sl->lbas;
            z->inflight++;
            sl->zone = s->head;
            sl->seq = s->next_seq++;
            _zslab_zst_zone_set_seq(z, sl->seq);
            return 0;
        }
        _zslab_zst_zone_retire(s, s->head);
    }
    if (_zslab_zst_zone_active(s) + 1 > s->budget) {
        for (uint32_t i = 0; i < s->nr_zones; i++)
            if (s->zones[i].state == ZSLAB_STORE_ZONE_RETIRING && s->zones[i].inflight)
                return ZST_WAIT;
        return -ZSLAB_EBUSY;
    }
    uint32_t idx = s->nr_free && may_take_last(s) ? pick_empty(s) : ZST_NO_ZONE;
    if (idx == ZST_NO_ZONE)
        return ZST_NEED_RECLAIM;
    zst_zone_t *z = &s->zones[idx];
    z->state = ZSLAB_STORE_ZONE_HEAD;
    z->active = true;
    s->nr_free--;
    _zslab_zst_gauge(&s->c.free_zones, -1);
    s->head = idx;
    return _zslab_zst_zone_reserve(s, sl);
}

/* The head has no room (or failed): no more reservations in it. */
void _zslab_zst_zone_retire(zslab_store_t *s, uint32_t zone)
{
    zst_zone_t *z = &s->zones[zone];
    if (s->head == zone)
        s->head = ZST_NO_ZONE;
    z->state = ZSLAB_STORE_ZONE_RETIRING;
    if (z->inflight == 0)
        _zslab_zst_zone_drained(s, zone);
}

/* A retiring zone without appends in flight: FULL, finished if need be. */
void _zslab_zst_zone_drained(zslab_store_t *s, uint32_t zone)
{
    zst_zone_t *z = &s->zones[zone];
    if (z->written_lbas == 0 && !z->failed) {
        /* never written: it is still EMPTY on the device */
        z->state = ZSLAB_STORE_ZONE_EMPTY;
        z->active = false;
        z->used_lbas = 0;
        s->nr_free++;
        _zslab_zst_gauge(&s->c.free_zones, 1);
        return;
    }
    if (z->written_lbas == z->cap_lbas && !z->failed) {
        z->state = ZSLAB_STORE_ZONE_FULL; /* the device made it FULL itself */
        z->active = false;
        return;
    }
    (void)_zslab_zst_zone_finish(s, zone);
}

int _zslab_zst_zone_finish(zslab_store_t *s, uint32_t zone)
{
    zst_zone_t *z = &s->zones[zone];
    int err = s->cfg.ops->manage(s->cfg.dev, z->start_lba, ZSLAB_ZONE_FINISH, false);
    if (err) {
        ZST_COUNT(s, device_errors, 1);
        z->state = ZSLAB_STORE_ZONE_BAD;
        return _zslab_zst_error_dev(s, err, "finish zone", z->start_lba);
    }
    ZST_COUNT(s, zone_finishes, 1);
    z->state = ZSLAB_STORE_ZONE_FULL;
    z->active = false;
    z->used_lbas = z->cap_lbas;
    return 0;
}

int _zslab_zst_zone_reset(zslab_store_t *s, uint32_t zone)
{
    zst_zone_t *z = &s->zones[zone];
    int err = s->cfg.ops->manage(s->cfg.dev, z->start_lba, ZSLAB_ZONE_RESET, false);
    if (err) {
        ZST_COUNT(s, device_errors, 1);
        return _zslab_zst_error_dev(s, err, "reset zone", z->start_lba);
    }
    ZST_COUNT(s, zone_resets, 1);
    z->gen++;
    z->state = ZSLAB_STORE_ZONE_EMPTY;
    z->active = z->torn = z->failed = false;
    z->used_lbas = z->written_lbas = 0;
    z->live_bytes = 0;
    z->min_seq = UINT64_MAX;
    z->max_seq = 0;
    s->nr_free++;
    _zslab_zst_gauge(&s->c.free_zones, 1);
    return 0;
}

/* Whether a zone other than @except holds records older than @seq (so it
 * may hold an older version of an object that a tombstone must keep dead). */
bool _zslab_zst_zone_older_data(const zslab_store_t *s, uint32_t except, uint64_t seq)
{
    for (uint32_t i = 0; i < s->nr_zones; i++)
        if (i != except && s->zones[i].state != ZSLAB_STORE_ZONE_EMPTY && s->zones[i].min_seq < seq)
            return true;
    return false;
}
