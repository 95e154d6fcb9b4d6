/* SPDX-License-Identifier: MIT */
/*
 * cache.c - a small cache of what gets read (cfg.read_cache_bytes): windows
 * of ZSLAB_STORE_READ_WINDOW_BYTES of a zone, least recently used out.  A
 * scan of objects in the order they were put hits it: the objects of one
 * flush lie in a few neighbouring windows.
 *
 * A zone's written LBAs never change until it is reset, and a reset bumps
 * its gen, so a window is valid while its zone has the gen it was read at.
 * A window is only read while no append to its zone is in flight: the
 * completed appends then cover the zone from its start without a gap.
 */
#include "store.h"

#define WINDOW ZSLAB_STORE_READ_WINDOW_BYTES

/* Copies [pos, pos + len) of @zone from a cached window.  Lock held. */
bool _zslab_zst_cache_lookup(zslab_store_t *s, uint32_t zone, uint64_t pos, uint32_t len, void *dst)
{
    uint32_t win = (uint32_t)(pos / WINDOW), off = (uint32_t)(pos % WINDOW);
    for (uint32_t i = 0; i < s->nr_rcache; i++) {
        zst_rwin_t *w = &s->rcache[i];
        if (w->buf && w->zone == zone && w->win == win && w->gen == s->zones[zone].gen &&
            off + len <= w->bytes) {
            _zslab_mem_copy(dst, w->buf + off, len);
            w->used = ++s->rcache_clock;
            return true;
        }
    }
    return false;
}

/* The slot to fill: an unused one, else the least recently used. */
static zst_rwin_t *victim(zslab_store_t *s)
{
    zst_rwin_t *best = &s->rcache[0];
    for (uint32_t i = 0; i < s->nr_rcache; i++) {
        if (!s->rcache[i].buf)
            return &s->rcache[i];
        if (s->rcache[i].used < best->used)
            best = &s->rcache[i];
    }
    return best;
}

/*
 * Reads the window that holds [pos, pos + len) of @zone, copies the object
 * to @dst and keeps the window.  Lock not held.
 * Return: 0; 1 when the object does not fit one window or the zone has an
 * append in flight (read it directly); a device error; -ZSLAB_ENOMEM.
 */
int _zslab_zst_cache_read(zslab_store_t *s, uint32_t zone, uint64_t pos, uint32_t len, void *dst)
{
    uint32_t win = (uint32_t)(pos / WINDOW), off = (uint32_t)(pos % WINDOW);
    if (off + len > WINDOW)
        return 1;
    zslab_platform_lock_acquire(&s->lock);
    const zst_zone_t *z = &s->zones[zone];
    uint64_t written = (uint64_t)z->written_lbas * s->lba_bytes, start = (uint64_t)win * WINDOW;
    uint32_t gen = z->gen, bytes = (uint32_t)(written - start < WINDOW ? written - start : WINDOW);
    bool ok = z->inflight == 0 && z->state != ZSLAB_STORE_ZONE_EMPTY && written > start &&
              off + len <= bytes;
    uint64_t lba = z->start_lba + start / s->lba_bytes;
    zslab_platform_lock_release(&s->lock);
    if (!ok)
        return 1;
    uint8_t *buf = zslab_alloc_aligned(s->z, WINDOW, 4096);
    if (!buf)
        return -ZSLAB_ENOMEM;
    int err = _zslab_zst_read(s, lba, buf, bytes);
    if (err) {
        zslab_free(s->z, buf);
        return err;
    }
    _zslab_mem_copy(dst, buf + off, len);
    zslab_platform_lock_acquire(&s->lock);
    ZST_COUNT(s, device_reads, 1);
    ZST_COUNT(s, device_read_bytes, bytes);
    uint8_t *old = NULL;
    if (s->zones[zone].gen == gen) {
        zst_rwin_t *w = victim(s);
        old = w->buf;
        w->buf = buf;
        w->zone = zone;
        w->win = win;
        w->gen = gen;
        w->bytes = bytes;
        w->used = ++s->rcache_clock;
    } else {
        old = buf; /* reset meanwhile: the caller checks the gen and reads again */
    }
    zslab_platform_lock_release(&s->lock);
    zslab_free(s->z, old);
    return 0;
}

void _zslab_zst_cache_fini(zslab_store_t *s)
{
    for (uint32_t i = 0; i < s->nr_rcache; i++) {
        zslab_free(s->z, s->rcache[i].buf);
        s->rcache[i].buf = NULL;
    }
}
