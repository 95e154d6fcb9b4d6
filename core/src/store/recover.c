/* SPDX-License-Identifier: MIT */
/*
 * recover.c - reading records back: the zone scanner (recovery, reclaim and
 * verify use it), recovery at open, and zslab_store_verify().
 *
 * Recovery, in two passes:
 *   1. every non-empty zone is scanned from its start to its write pointer;
 *      each record whose header, entries and trailer check has its entries
 *      put into the index, where the later seq wins and a tombstone kills the
 *      versions before it.  With cfg.verify_payload records are read whole
 *      (one command each) and their payload CRC checked; without, only the
 *      header and the last LBA (tombstone records are always read whole:
 *      their kill seqs are payload);
 *   2. the live objects of records whose payload failed are dropped: they
 *      are lost, and tombstones keep their older versions dead.
 * A record that fails a check is reported by LBA and skipped; the scanner
 * then looks for the next valid header LBA by LBA.
 */
#include "store.h"

#define RESYNC_WINDOW_BYTES (64u << 10) /* read ahead while looking for a header */
#define HEADER_READ_BYTES   4096u       /* the first read of a record */
#define BUF_ALIGN_BYTES     4096u
#define MAX_BUDGET          8u /* zones open at once the store ever needs */

int _zslab_zst_read(zslab_store_t *s, uint64_t lba, void *buf, size_t bytes)
{
    return s->cfg.ops->read(s->cfg.dev, lba, buf, bytes);
}

uint8_t *_zslab_zst_scan_buf(zslab_store_t *s)
{
    return zslab_alloc_aligned(s->z, ZSLAB_STORE_MAX_SLAB_BYTES, BUF_ALIGN_BYTES);
}

/* ---- the zone scanner ------------------------------------------------------ */

/* What of the zone is in scan->buf: [off, off + lbas) from its start, and,
 * read with the last record's trailer, the first LBAs of the next record:
 * [pre_off, pre_off + pre_lbas) at byte pre_at (pre_lbas 0: none). */
struct window {
    uint32_t off, lbas;
    uint32_t pre_off, pre_lbas;
    size_t pre_at;
    uint64_t reads, read_bytes;
};

/* Around what a scan changes in the store itself: counters, events, the
 * last error (scan->unlocked: the caller does not hold s->lock). */
static void shared_begin(zslab_store_t *s, const zst_scan_t *scan)
{
    if (scan->unlocked)
        zslab_platform_lock_acquire(&s->lock);
}

static void shared_end(zslab_store_t *s, const zst_scan_t *scan)
{
    if (scan->unlocked)
        zslab_platform_lock_release(&s->lock);
}

static int scan_error(zslab_store_t *s, const zst_scan_t *scan, int err, const char *what,
                      uint64_t lba)
{
    shared_begin(s, scan);
    err = _zslab_zst_error_dev(s, err, what, lba);
    shared_end(s, scan);
    return err;
}

/* Makes [off, off + n) readable in the buffer, reading at least @ahead LBAs. */
static int fetch(zslab_store_t *s, uint32_t zone, zst_scan_t *scan, struct window *w, uint32_t off,
                 uint32_t n, uint32_t ahead, uint32_t end)
{
    if (off >= w->off && off + n <= w->off + w->lbas)
        return 0;
    if (w->pre_lbas && off == w->pre_off && n <= w->pre_lbas) {
        /* the next record's first LBAs came with the last one's trailer:
         * to the buffer's start, an LBA at a time (pre_at is at least two
         * LBAs in, so no LBA overwrites one still to be moved) */
        for (uint32_t k = 0; k < w->pre_lbas; k++)
            _zslab_mem_copy(scan->buf + (size_t)k * s->lba_bytes,
                            scan->buf + w->pre_at + (size_t)k * s->lba_bytes, s->lba_bytes);
        w->off = off;
        w->lbas = w->pre_lbas;
        w->pre_lbas = 0;
        return 0;
    }
    w->pre_lbas = 0;
    uint32_t want = n > ahead ? n : ahead;
    uint32_t max = ZSLAB_STORE_MAX_SLAB_BYTES / s->lba_bytes;
    if (want > max)
        want = max;
    if (want > end - off)
        want = end - off;
    w->off = off;
    w->lbas = 0;
    int err =
        _zslab_zst_read(s, s->zones[zone].start_lba + off, scan->buf, (size_t)want * s->lba_bytes);
    w->reads++;
    w->read_bytes += (uint64_t)want * s->lba_bytes;
    if (err)
        return scan_error(s, scan, err, "read zone at LBA", s->zones[zone].start_lba + off);
    w->lbas = want;
    return 0;
}

static const uint8_t *at(const zst_scan_t *scan, const struct window *w, uint32_t off,
                         uint32_t lba_bytes)
{
    return scan->buf + (size_t)(off - w->off) * lba_bytes;
}

/* Checks the record whose header starts at LBA @off; 0 with @r filled, or
 * -ZSLAB_EBADMSG with @why (1: nothing written there; -ZSLAB_EPROTO). */
static int check_at(zslab_store_t *s, uint32_t zone, zst_scan_t *scan, struct window *w,
                    uint32_t off, uint32_t end, uint32_t ahead, zst_rec_t *r, const char **why,
                    bool *past_wp)
{
    uint32_t first = (HEADER_READ_BYTES + s->lba_bytes - 1) / s->lba_bytes;
    int err = fetch(s, zone, scan, w, off, 1, ahead > first ? ahead : first, end);
    if (err)
        return err;
    int rc = _zslab_zst_rec_decode(at(scan, w, off, s->lba_bytes), s->lba_bytes, r, why);
    r->payload_bad = false;
    if (rc)
        return rc;
    s->found_header = true; /* a header of ours, if maybe cut short */
    uint32_t lbas = r->record_bytes / s->lba_bytes;
    uint32_t hb = _zslab_zst_rec_header_bytes(r->nr);
    uint32_t hlbas = (hb + s->lba_bytes - 1) / s->lba_bytes;
    bool whole = scan->payload || r->cls == ZST_CLASS_TOMB;
    if (hlbas > end - off) {
        *past_wp = true;
        *why = "record runs past the write pointer (torn)";
        return -ZSLAB_EBADMSG;
    }
    if ((err = fetch(s, zone, scan, w, off, whole && lbas <= end - off ? lbas : hlbas, 0, end)))
        return err;
    const uint8_t *rec = at(scan, w, off, s->lba_bytes);
    if ((rc = _zslab_zst_rec_check_header(rec, hb, r, ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT, why)))
        return rc;
    /* a header of ours, also of a record cut short: its store is the store */
    if (s->store_id == 0)
        s->store_id = r->store_id;
    if (r->store_id != s->store_id) {
        *why = "record of another store";
        return -ZSLAB_EEXIST;
    }
    if (lbas > end - off) {
        *past_wp = true;
        *why = "record runs past the write pointer (torn)";
        return -ZSLAB_EBADMSG;
    }
    if (!whole && lbas > hlbas) {
        /* the trailer, in the last LBA: read it into the buffer right after
         * the header, which is first moved to the buffer's start */
        if (w->off != off) {
            w->lbas = 0;
            if ((err = fetch(s, zone, scan, w, off, hlbas, 0, end)))
                return err;
            rec = at(scan, w, off, s->lba_bytes);
        }
        /* With the trailer, in the same command, the first LBAs of the
         * record after it (as many as a header's first read, within the
         * write pointer and the buffer): one read per record, not two. */
        uint8_t *last = scan->buf + (size_t)hlbas * s->lba_bytes;
        uint32_t next = off + lbas, room = ZSLAB_STORE_MAX_SLAB_BYTES / s->lba_bytes - hlbas - 1;
        uint32_t extra = zst_min_u32(zst_min_u32(first, end - next), room);
        uint64_t lba = s->zones[zone].start_lba + off + lbas - 1;
        if ((err = _zslab_zst_read(s, lba, last, (size_t)(1 + extra) * s->lba_bytes)))
            return scan_error(s, scan, err, "read zone at LBA", lba);
        w->reads++;
        w->read_bytes += (uint64_t)(1 + extra) * s->lba_bytes;
        w->lbas = zst_min_u32(w->lbas, hlbas); /* the window holds the header only now */
        w->pre_off = next;
        w->pre_lbas = extra;
        w->pre_at = (size_t)(hlbas + 1) * s->lba_bytes;
        if ((rc = _zslab_zst_rec_check_trailer(rec, last + s->lba_bytes, r, why)))
            return rc;
    } else if ((rc = _zslab_zst_rec_check_trailer(rec, rec + r->record_bytes, r, why))) {
        return rc;
    }
    if (!whole)
        return 0;
    rc = _zslab_zst_rec_check_payload(rec, r, why);
    r->payload_bad = rc != 0;
    return scan->soft_payload && r->cls != ZST_CLASS_TOMB ? 0 : rc;
}

/* "record at LBA 0x..: format version 3; this build reads versions 1 to 2" */
static void newer_version(zslab_store_t *s, uint64_t lba, const uint8_t *header)
{
    zslab_fmt_t f;
    _zslab_zst_error_begin(s, &f);
    _zslab_fmt_str(&f, "record at LBA ");
    _zslab_fmt_hex(&f, (uintptr_t)lba);
    _zslab_fmt_str(&f, " has on-device format version ");
    _zslab_fmt_u64(&f, (uint64_t)(header[ZST_H_VERSION] | header[ZST_H_VERSION + 1] << 8));
    _zslab_fmt_str(&f, "; this build reads versions 1 to ");
    _zslab_fmt_u64(&f, ZSLAB_STORE_FORMAT_VERSION);
    _zslab_fmt_str(&f, " only (use a newer zns-slab)");
}

/*
 * Walks the zone's records from its start to its write pointer (a FULL zone:
 * to its capacity, or to the first LBA that was never written).  Valid
 * records go to scan->record, runs of LBAs that hold none to scan->corrupt.
 * Return: 0, the first non-zero value of scan->record, -ZSLAB_EPROTO (a
 * record of a newer format: stops), -ZSLAB_EEXIST, or a read error.
 */
int _zslab_zst_scan_zone(zslab_store_t *s, uint32_t zone, zst_scan_t *scan)
{
    zst_zone_t *z = &s->zones[zone];
    uint32_t end = z->written_lbas;
    struct window w;
    ZST_ZERO(&w);
    uint32_t off = 0, bad_from = UINT32_MAX;
    const char *bad_why = NULL;
    int ret = 0;
    while (off < end) {
        zst_rec_t r;
        const char *why = NULL;
        bool past_wp = false;
        /* reading whole records: the buffer's worth at once; resyncing: a
         * window; headers only: the first LBAs of the record */
        uint32_t ahead = scan->payload            ? ZSLAB_STORE_MAX_SLAB_BYTES / s->lba_bytes
                         : bad_from != UINT32_MAX ? RESYNC_WINDOW_BYTES / s->lba_bytes
                                                  : 0;
        int rc = check_at(s, zone, scan, &w, off, end, ahead, &r, &why, &past_wp);
        if (rc == 1 && !z->active && bad_from == UINT32_MAX)
            break; /* a finished zone: never written from here on */
        if (rc == -ZSLAB_EPROTO) {
            ret = rc;
            shared_begin(s, scan);
            newer_version(s, z->start_lba + off, at(scan, &w, off, s->lba_bytes));
            shared_end(s, scan);
            break;
        }
        if (rc == -ZSLAB_EEXIST) {
            ret = rc;
            (void)scan_error(s, scan, rc, why, z->start_lba + off);
            break;
        }
        if (rc != 0 && rc != 1 && rc != -ZSLAB_EBADMSG) {
            ret = rc;
            break;
        }
        if (rc != 0) {
            if (bad_from == UINT32_MAX) {
                bad_from = off;
                bad_why = rc == 1 ? "unwritten LBAs before the write pointer" : why;
            }
            if (past_wp) {
                z->torn = true;
                break;
            }
            off++;
            continue;
        }
        if (bad_from != UINT32_MAX) {
            shared_begin(s, scan);
            scan->corrupt(s, zone, bad_from, off - bad_from, bad_why, scan->arg);
            shared_end(s, scan);
            bad_from = UINT32_MAX;
        }
        ret = scan->record(s, zone, off, &r, at(scan, &w, off, s->lba_bytes), scan->arg);
        if (ret)
            break;
        off += r.record_bytes / s->lba_bytes;
    }
    shared_begin(s, scan);
    if (bad_from != UINT32_MAX && ret == 0)
        scan->corrupt(s, zone, bad_from, end - bad_from, bad_why, scan->arg);
    ZST_COUNT(s, device_reads, w.reads);
    ZST_COUNT(s, device_read_bytes, w.read_bytes);
    shared_end(s, scan);
    return ret;
}

/* ---- recovery ------------------------------------------------------------- */

/* A record pass 1 found: where, for pass 2. */
struct found {
    uint32_t zone, off, lbas;
    uint64_t seq;
    bool live;
    bool bad; /* its payload CRC failed */
};

/* What decides an id in recovery: (seq << TAG_BITS) | tag. */
#define TAG_BITS    2u
#define TAG_VERSION 0u /* the version of that seq wins so far */
#define TAG_KILL    1u /* a tombstone kills the versions before that seq */
#define TAG_LOST    3u /* as TAG_KILL, for an object of a corrupt record */
#define SEEN_SEQ(v) ((v) >> TAG_BITS)

struct recovery {
    zst_index_t seen; /* id -> what decides it */
    struct found *recs;
    uint64_t nr_recs, cap_recs;
};

static int add_found(zslab_store_t *s, struct recovery *rc, uint32_t zone, uint32_t off,
                     uint32_t lbas, uint64_t seq, bool bad)
{
    if (rc->nr_recs == rc->cap_recs) {
        uint64_t cap = rc->cap_recs ? rc->cap_recs * 2 : 1024;
        struct found *n = zslab_alloc(s->z, (size_t)cap * sizeof(*n));
        if (!n)
            return -ZSLAB_ENOMEM;
        _zslab_mem_copy(n, rc->recs, (size_t)rc->nr_recs * sizeof(*n));
        zslab_free(s->z, rc->recs);
        rc->recs = n;
        rc->cap_recs = cap;
    }
    struct found *f = &rc->recs[rc->nr_recs++];
    f->zone = zone;
    f->off = off;
    f->lbas = lbas;
    f->seq = seq;
    f->live = false;
    f->bad = bad;
    return 0;
}

/* A version of @id at @seq, at @loc: wins unless something later decided. */
static int see_version(zslab_store_t *s, struct recovery *rc, uint64_t id, uint64_t seq,
                       uint64_t loc)
{
    uint64_t b = _zslab_zst_index_get(&rc->seen, id);
    if (b && seq < SEEN_SEQ(b))
        return 0; /* an older version, or killed by a later tombstone */
    int err = _zslab_zst_index_set(&rc->seen, id, seq << TAG_BITS | TAG_VERSION, NULL);
    return err ? err : _zslab_zst_index_set(&s->index, id, loc, NULL);
}

/* A tombstone: the versions of @id with seq < @kill are dead. */
static int see_kill(zslab_store_t *s, struct recovery *rc, uint64_t id, uint64_t kill)
{
    uint64_t b = _zslab_zst_index_get(&rc->seen, id);
    if (b && kill <= SEEN_SEQ(b))
        return 0; /* a later version lives, or a later tombstone decided */
    (void)_zslab_zst_index_del(&s->index, id, NULL);
    return _zslab_zst_index_set(&rc->seen, id, kill << TAG_BITS | TAG_KILL, NULL);
}

static void report_corrupt(zslab_store_t *s, uint32_t zone, uint32_t off, uint32_t lbas,
                           const char *why, void *arg);

static int pass1_record(zslab_store_t *s, uint32_t zone, uint32_t off, const zst_rec_t *r,
                        const uint8_t *buf, void *arg)
{
    struct recovery *rc = arg;
    zst_zone_t *z = &s->zones[zone];
    ZST_COUNT(s, slabs_scanned, 1);
    _zslab_zst_zone_set_seq(z, r->seq);
    if (r->seq >= s->next_seq)
        s->next_seq = r->seq + 1;
    uint64_t pos = (uint64_t)off * s->lba_bytes + r->payload_off;
    for (uint32_t i = 0; i < r->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(buf, i, &id, &len);
        int err =
            r->cls == ZST_CLASS_TOMB
                ? see_kill(s, rc, id,
                           _zslab_zst_le64(buf + r->payload_off + (size_t)i * ZST_TOMB_BYTES))
                : see_version(s, rc, id, r->seq, zst_loc(zone, (uint32_t)(pos / ZST_ALIGN), len));
        if (err)
            return err;
        pos += zst_round_up(len, ZST_ALIGN);
    }
    if (r->cls == ZST_CLASS_TOMB || s->cfg.verify_payload)
        ZST_COUNT(s, slabs_verified, 1);
    if (r->payload_bad)
        report_corrupt(s, zone, off, r->record_bytes / s->lba_bytes, "payload CRC mismatch", NULL);
    return add_found(s, rc, zone, off, r->record_bytes / s->lba_bytes, r->seq, r->payload_bad);
}

static void report_corrupt(zslab_store_t *s, uint32_t zone, uint32_t off, uint32_t lbas,
                           const char *why, void *arg)
{
    (void)lbas;
    (void)arg;
    ZST_COUNT(s, corrupt_slabs, 1);
    _zslab_zst_event(s, ZSLAB_STORE_EVENT_CORRUPT_SLAB, s->zones[zone].start_lba + off,
                     -ZSLAB_EBADMSG, why);
}

/* The record that holds byte @pos of @zone, by binary search (pass 1 found
 * them in zone order, then offset order). */
static struct found *record_of(struct recovery *rc, uint32_t zone, uint64_t pos, uint32_t lba_bytes)
{
    uint64_t lo = 0, hi = rc->nr_recs;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        struct found *f = &rc->recs[mid];
        uint64_t start = (uint64_t)f->off * lba_bytes, stop = start + (uint64_t)f->lbas * lba_bytes;
        if (f->zone < zone || (f->zone == zone && stop <= pos))
            lo = mid + 1;
        else if (f->zone > zone || pos < start)
            hi = mid;
        else
            return f;
    }
    return NULL;
}

/* Objects of a record whose payload failed: gone, and kept gone. */
static int drop_record(zslab_store_t *s, struct recovery *rc, const struct found *f,
                       const uint8_t *buf, const zst_rec_t *r)
{
    uint64_t pos = (uint64_t)f->off * s->lba_bytes + r->payload_off;
    for (uint32_t i = 0; i < r->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(buf, i, &id, &len);
        uint64_t loc = zst_loc(f->zone, (uint32_t)(pos / ZST_ALIGN), len);
        pos += zst_round_up(len, ZST_ALIGN);
        if (_zslab_zst_index_get(&s->index, id) != loc)
            continue;
        (void)_zslab_zst_index_del(&s->index, id, NULL);
        ZST_COUNT(s, objects_lost, 1);
        /* later: a tombstone, so that no older version of it comes back */
        int err = _zslab_zst_index_set(&rc->seen, id, (f->seq + 1) << TAG_BITS | TAG_LOST, NULL);
        if (err)
            return err;
    }
    return 0;
}

/* Pass 2: the live objects of records whose payload failed are dropped. */
static int pass2(zslab_store_t *s, struct recovery *rc, uint8_t *buf)
{
    bool any = false;
    for (uint64_t i = 0; i < rc->nr_recs; i++)
        any |= rc->recs[i].bad;
    if (!any)
        return 0;
    for (uint64_t i = 0; i < s->index.cap; i++) {
        zst_ient_t *e = &s->index.slots[i];
        if (!e->val)
            continue;
        struct found *f = record_of(rc, zst_loc_zone(e->val),
                                    (uint64_t)zst_loc_off8(e->val) * ZST_ALIGN, s->lba_bytes);
        zst_assert(f != NULL);
        if (f)
            f->live = true;
    }
    for (uint64_t i = 0; i < rc->nr_recs; i++) {
        struct found *f = &rc->recs[i];
        if (!f->live || !f->bad)
            continue;
        uint64_t lba = s->zones[f->zone].start_lba + f->off;
        int err = _zslab_zst_read(s, lba, buf, (size_t)f->lbas * s->lba_bytes);
        ZST_COUNT(s, device_reads, 1);
        ZST_COUNT(s, device_read_bytes, (uint64_t)f->lbas * s->lba_bytes);
        if (err)
            return _zslab_zst_error_dev(s, err, "read record at LBA", lba);
        zst_rec_t r;
        const char *why = NULL;
        if (_zslab_zst_rec_decode(buf, s->lba_bytes, &r, &why) != 0)
            return _zslab_zst_error_dev(s, -ZSLAB_EIO, "record changed while recovering, at LBA",
                                        lba);
        if ((err = drop_record(s, rc, f, buf, &r)))
            return err;
    }
    return 0;
}

/* Zones left open or closed with data: appends go on in the newest (its
 * seqs are the highest, so the zones' seq ranges stay ordered); the others,
 * and any whose last record was torn, are finished. */
static int settle_open_zones(zslab_store_t *s)
{
    uint32_t newest = ZST_NO_ZONE;
    for (uint32_t i = 0; i < s->nr_zones; i++) {
        zst_zone_t *z = &s->zones[i];
        if (!z->active)
            continue;
        ZST_COUNT(s, zones_left_open, 1);
        if (!z->torn && z->written_lbas < z->cap_lbas &&
            (newest == ZST_NO_ZONE || z->max_seq > s->zones[newest].max_seq))
            newest = i;
    }
    if (s->cfg.read_only) {
        /* nothing is written: the zone appends would go on in shows as HEAD,
         * those that would be finished stay RETIRING */
        if (newest != ZST_NO_ZONE)
            s->zones[newest].state = ZSLAB_STORE_ZONE_HEAD;
        return 0;
    }
    for (uint32_t i = 0; i < s->nr_zones; i++) {
        zst_zone_t *z = &s->zones[i];
        if (!z->active)
            continue;
        if (i == newest) {
            z->state = ZSLAB_STORE_ZONE_HEAD;
            s->head = i;
            _zslab_zst_event(s, ZSLAB_STORE_EVENT_ZONE_RESUMED, z->start_lba, 0,
                             "left open: appends go on after its write pointer");
            continue;
        }
        int err = _zslab_zst_zone_finish(s, i);
        if (err)
            return err;
        _zslab_zst_event(s, ZSLAB_STORE_EVENT_ZONE_FINISHED, z->start_lba, 0,
                         z->torn ? "left open with a torn record: finished"
                                 : "left open: finished, appends go to the newest zone");
    }
    return 0;
}

/* Tombstones for objects lost to corruption; live bytes per zone; gauges. */
static int finish_recovery(zslab_store_t *s, struct recovery *rc)
{
    for (uint64_t i = 0; i < s->index.cap; i++) {
        zst_ient_t *e = &s->index.slots[i];
        if (!e->val)
            continue;
        s->zones[zst_loc_zone(e->val)].live_bytes += zst_loc_len(e->val);
        _zslab_zst_gauge(&s->c.live_objects, 1);
        _zslab_zst_gauge(&s->c.live_bytes, zst_loc_len(e->val));
    }
    if (s->cfg.read_only || s->c.objects_lost == 0)
        return 0;
    for (uint64_t i = 0; i < rc->seen.cap; i++) {
        zst_ient_t *e = &rc->seen.slots[i];
        if (!e->val || (e->val & TAG_LOST) != TAG_LOST)
            continue;
        zst_slab_t *sealed = NULL;
        int err = _zslab_zst_tombstone(s, e->key, SEEN_SEQ(e->val), &sealed);
        if (!err && sealed)
            err = _zslab_zst_submit(s, sealed, true);
        if (err)
            return err;
    }
    return 0;
}

/* Rebuilds the index from the zones (their states are known: store.c). */
int _zslab_zst_recover(zslab_store_t *s)
{
    uint64_t t0 = zslab_platform_now_ns();
    struct recovery rc;
    ZST_ZERO(&rc);
    uint8_t *buf = _zslab_zst_scan_buf(s);
    int err = buf ? _zslab_zst_index_init(&rc.seen, s->z) : -ZSLAB_ENOMEM;
    zst_scan_t scan = {pass1_record, report_corrupt, &rc, s->cfg.verify_payload, true, buf, false};
    for (uint32_t i = 0; !err && i < s->nr_zones; i++)
        if (s->zones[i].written_lbas && s->zones[i].state != ZSLAB_STORE_ZONE_BAD)
            err = _zslab_zst_scan_zone(s, i, &scan);
    if (!err && !s->found_header && s->nr_free < s->nr_zones)
        err = _zslab_zst_error_dev(
            s, -ZSLAB_EEXIST,
            "the zones hold data but no zone store record: not a store (format "
            "the range to use it)",
            0);
    if (!err)
        err = pass2(s, &rc, buf);
    if (!err)
        err = settle_open_zones(s);
    if (!err)
        err = finish_recovery(s, &rc);
    if (!err && s->c.objects_lost && !s->cfg.read_only)
        err = _zslab_zst_flush_locked(s);
    _zslab_zst_index_fini(&rc.seen);
    zslab_free(s->z, rc.recs);
    zslab_free(s->z, buf);
    ZST_COUNT(s, recovery_ns, zslab_platform_now_ns() - t0);
    return err;
}

/* ---- verify ---------------------------------------------------------------- */

#define VERIFY_REPORTS 64u

struct verify {
    uint64_t matched;
    uint32_t nr_bad;
    struct {
        uint64_t lba;
        const char *why;
    } bad[VERIFY_REPORTS];
};

/* Counted now, reported once the lock is released. */
static void verify_corrupt(zslab_store_t *s, uint32_t zone, uint32_t off, uint32_t lbas,
                           const char *why, void *arg)
{
    (void)lbas;
    struct verify *v = arg;
    ZST_COUNT(s, corrupt_slabs, 1);
    if (v->nr_bad < VERIFY_REPORTS) {
        v->bad[v->nr_bad].lba = s->zones[zone].start_lba + off;
        v->bad[v->nr_bad++].why = why;
    }
}

static int verify_record(zslab_store_t *s, uint32_t zone, uint32_t off, const zst_rec_t *r,
                         const uint8_t *buf, void *arg)
{
    struct verify *v = arg;
    ZST_COUNT(s, slabs_verified, 1);
    if (r->cls == ZST_CLASS_TOMB)
        return 0;
    uint64_t pos = (uint64_t)off * s->lba_bytes + r->payload_off;
    for (uint32_t i = 0; i < r->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(buf, i, &id, &len);
        if (_zslab_zst_index_get(&s->index, id) == zst_loc(zone, (uint32_t)(pos / ZST_ALIGN), len))
            v->matched++;
        pos += zst_round_up(len, ZST_ALIGN);
    }
    return 0;
}

int zslab_store_verify(zslab_store_t *s, uint64_t *corrupt)
{
    struct verify v;
    v.matched = 0;
    v.nr_bad = 0;
    zslab_platform_lock_acquire(&s->maint);
    int err = s->cfg.read_only ? 0 : _zslab_zst_flush_locked(s);
    uint8_t *buf = _zslab_zst_scan_buf(s);
    if (!err && !buf)
        err = -ZSLAB_ENOMEM;
    /* the lock stays held: no append may land in a zone being read */
    zslab_platform_lock_acquire(&s->lock);
    uint64_t before = s->c.corrupt_slabs;
    zst_scan_t scan = {verify_record, verify_corrupt, &v, true, false, buf, false};
    for (uint32_t i = 0; !err && i < s->nr_zones; i++)
        if (s->zones[i].written_lbas && s->zones[i].state != ZSLAB_STORE_ZONE_BAD)
            err = _zslab_zst_scan_zone(s, i, &scan);
    uint64_t on_device = 0;
    for (uint64_t i = 0; !err && i < s->index.cap; i++)
        on_device +=
            s->index.slots[i].val && zst_loc_zone(s->index.slots[i].val) != ZST_ZONE_PENDING;
    uint64_t bad = s->c.corrupt_slabs - before;
    if (!err && (bad || v.matched != on_device)) {
        zslab_fmt_t f;
        _zslab_zst_error_begin(s, &f);
        _zslab_fmt_u64(&f, bad);
        _zslab_fmt_str(&f, " corrupt records; ");
        _zslab_fmt_u64(&f, on_device - v.matched);
        _zslab_fmt_str(&f, " live objects not in a record that verified");
        err = -ZSLAB_EBADMSG;
    }
    zslab_platform_lock_release(&s->lock);
    zslab_platform_lock_release(&s->maint);
    zslab_free(s->z, buf);
    for (uint32_t i = 0; i < v.nr_bad; i++)
        _zslab_zst_event(s, ZSLAB_STORE_EVENT_CORRUPT_SLAB, v.bad[i].lba, -ZSLAB_EBADMSG,
                         v.bad[i].why);
    if (corrupt)
        *corrupt = bad;
    return err;
}

/* ---- zone resources at open ----------------------------------------------- */

/* The store may open what the device allows, less what others hold open. */
uint32_t _zslab_zst_budget(const zslab_store_t *s, uint32_t active_outside, uint32_t open_outside)
{
    uint32_t budget = MAX_BUDGET;
    if (s->geo.max_active)
        budget = zst_min_u32(
            budget, s->geo.max_active > active_outside ? s->geo.max_active - active_outside : 0);
    if (s->geo.max_open)
        budget = zst_min_u32(budget,
                             s->geo.max_open > open_outside ? s->geo.max_open - open_outside : 0);
    if (s->cfg.max_open_zones)
        budget = zst_min_u32(budget, s->cfg.max_open_zones);
    return budget;
}
