/* SPDX-License-Identifier: MIT */
/*
 * store.c - the zone store's API: open and close, put, get, delete, and
 * what a store reports (counters, info, errors, events).
 */
#include "store.h"

#define PERCENT        100u
#define SLABS_PER_ZONE 16u /* a slab is at most 1/16 of a zone's capacity */

/* ---- errors and events ------------------------------------------------------ */

static const struct {
    int code;
    const char *text;
} names[] = {
    {-ZSLAB_ENOENT, "no such object"},
    {-ZSLAB_EIO, "I/O error"},
    {-ZSLAB_E2BIG, "object larger than the largest object a slab holds"},
    {-ZSLAB_ENOMEM, "out of memory"},
    {-ZSLAB_EBUSY, "the device's open/active zone limits are used up"},
    {-ZSLAB_EEXIST, "the zones hold data that is not this store's"},
    {-ZSLAB_EINVAL, "invalid argument"},
    {-ZSLAB_ENOSPC, "no space"},
    {-ZSLAB_ERANGE, "buffer too small"},
    {-ZSLAB_EPROTO, "on-device format of a newer version"},
    {-ZSLAB_EBADMSG, "corrupt data: a header or CRC check failed"},
    {-ZSLAB_EOPNOTSUPP, "not supported by a read-only store"},
};

const char *zslab_store_strerror(int err)
{
    if (err == 0)
        return "Success";
    if (zslab_nvme_zone_status_name(err))
        return zslab_nvme_zone_status_name(err);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == err)
            return names[i].text;
    return err > 0 ? "NVMe status from the device" : "error";
}

zslab_fmt_t *_zslab_zst_error_begin(zslab_store_t *s, zslab_fmt_t *f)
{
    _zslab_fmt_init(f, s->err, sizeof(s->err));
    return f;
}

/* s->err = "@what[ 0xLBA]: reason"; returns @err. */
int _zslab_zst_error_dev(zslab_store_t *s, int err, const char *what, uint64_t lba)
{
    zslab_fmt_t f;
    _zslab_zst_error_begin(s, &f);
    _zslab_fmt_str(&f, what);
    if (lba) {
        _zslab_fmt_str(&f, " ");
        _zslab_fmt_hex(&f, (uintptr_t)lba);
    }
    _zslab_fmt_str(&f, ": ");
    _zslab_fmt_str(&f, zslab_store_strerror(err));
    if (err > 0) {
        _zslab_fmt_str(&f, " (NVMe status ");
        _zslab_fmt_hex(&f, (uintptr_t)err);
        _zslab_fmt_str(&f, ")");
    }
    return err;
}

const char *zslab_store_last_error(zslab_store_t *s)
{
    return s->err;
}

void _zslab_zst_event(zslab_store_t *s, zslab_store_event_kind_t kind, uint64_t lba, int err,
                      const char *reason)
{
    if (!s->cfg.on_event)
        return;
    zslab_store_event_t ev;
    ev.kind = kind;
    ev.lba = lba;
    ev.err = err;
    ev.reason = reason ? reason : "";
    s->cfg.on_event(s->cfg.event_arg, &ev);
}

void _zslab_zst_gauge(zslab_store_gauge_t *g, int64_t delta)
{
    g->current = (uint64_t)((int64_t)g->current + delta);
    if (g->current > g->peak)
        g->peak = g->current;
}

/* ---- open, close, format ------------------------------------------------------- */

void zslab_store_config_default(zslab_store_config_t *cfg)
{
    ZST_ZERO(cfg);
    cfg->slab_bytes = ZSLAB_STORE_DEFAULT_SLAB_BYTES;
    cfg->mode = ZSLAB_STORE_MODE_STORE;
    cfg->reclaim_free_zones = ZSLAB_STORE_DEFAULT_RECLAIM_FREE_ZONES;
    cfg->max_live_percent = ZSLAB_STORE_DEFAULT_MAX_LIVE_PERCENT;
    cfg->verify_payload = true;
}

static int invalid(zslab_store_t *s, const char *what, uint64_t a, const char *mid, uint64_t b)
{
    zslab_fmt_t f;
    _zslab_zst_error_begin(s, &f);
    _zslab_fmt_str(&f, what);
    if (mid) {
        _zslab_fmt_u64(&f, a);
        _zslab_fmt_str(&f, mid);
        _zslab_fmt_u64(&f, b);
    }
    return -ZSLAB_EINVAL;
}

/* The zones of the range and the slab size the device allows. */
static int check_geometry(zslab_store_t *s)
{
    zslab_store_config_t *c = &s->cfg;
    const struct zslab_zdev_geometry *g = &s->geo;
    if (g->lba_bytes < 512 || (g->lba_bytes & (g->lba_bytes - 1)) || g->lba_bytes > 65536)
        return invalid(s, "LBA size ", g->lba_bytes, " bytes is not a power of two in 512..",
                       65536);
    s->lba_bytes = g->lba_bytes;
    s->lba_shift = zst_log2(g->lba_bytes);
    if (c->first_zone >= g->nr_zones)
        return invalid(s, "first zone ", c->first_zone,
                       " is past the device's zones: ", g->nr_zones);
    s->nr_zones = c->nr_zones ? c->nr_zones : g->nr_zones - c->first_zone;
    if (s->nr_zones > g->nr_zones - c->first_zone)
        return invalid(s, "the range runs past the device's zones: it has ", g->nr_zones,
                       ", the range ends at ", (uint64_t)c->first_zone + s->nr_zones);
    if (s->nr_zones > ZSLAB_STORE_MAX_ZONES)
        return invalid(s, "a store holds at most ", ZSLAB_STORE_MAX_ZONES, " zones; asked ",
                       s->nr_zones);
    uint32_t need = c->reclaim_free_zones + (c->mode == ZSLAB_STORE_MODE_STORE ? 2 : 1);
    if (s->nr_zones < need)
        return invalid(s, "too few zones: the store needs ", need, " in this mode, got ",
                       s->nr_zones);
    uint64_t cap_bytes = g->zone_cap_lbas * (uint64_t)g->lba_bytes;
    if (cap_bytes > ZSLAB_STORE_MAX_ZONE_BYTES || g->zone_cap_lbas == 0)
        return invalid(s, "zone capacity of ", cap_bytes, " bytes is outside 1 LBA .. ",
                       ZSLAB_STORE_MAX_ZONE_BYTES);
    uint32_t slab = c->slab_bytes;
    if (slab % g->lba_bytes || slab < ZSLAB_STORE_MIN_SLAB_BYTES ||
        slab > ZSLAB_STORE_MAX_SLAB_BYTES)
        return invalid(s, "slab size ", slab, " bytes: give a multiple of the LBA size up to ",
                       ZSLAB_STORE_MAX_SLAB_BYTES);
    /* a slab is one Zone Append: capped at ZASL; and at 1/16 of the zone
     * capacity, since the end of a zone that no record fits is lost */
    slab = zst_min_u32(slab, g->zasl_bytes / g->lba_bytes * g->lba_bytes);
    if (cap_bytes / SLABS_PER_ZONE < slab)
        slab = (uint32_t)(cap_bytes / SLABS_PER_ZONE / g->lba_bytes * g->lba_bytes);
    if (slab < ZSLAB_STORE_MIN_SLAB_BYTES)
        return invalid(s, "the device's Zone Append Size Limit, or 1/16 of its zone capacity (",
                       slab, " bytes), is below the smallest slab, ", ZSLAB_STORE_MIN_SLAB_BYTES);
    s->slab_bytes = slab;
    s->max_object = _zslab_zst_slab_max_object(slab);
    /* live bytes the store takes: zones but the reserve, each less the slab
     * its end may lose, times the percentage */
    if (c->mode == ZSLAB_STORE_MODE_STORE)
        s->max_live = (uint64_t)(s->nr_zones - c->reclaim_free_zones) * (cap_bytes - slab) *
                      c->max_live_percent / PERCENT;
    return 0;
}

static int check_config(zslab_store_t *s)
{
    zslab_store_config_t *c = &s->cfg;
    if (c->reclaim_free_zones == 0)
        c->reclaim_free_zones = ZSLAB_STORE_DEFAULT_RECLAIM_FREE_ZONES;
    if (c->max_live_percent == 0)
        c->max_live_percent = ZSLAB_STORE_DEFAULT_MAX_LIVE_PERCENT;
    if (c->slab_bytes == 0)
        c->slab_bytes = ZSLAB_STORE_DEFAULT_SLAB_BYTES;
    if (c->mode != ZSLAB_STORE_MODE_STORE && c->mode != ZSLAB_STORE_MODE_CACHE)
        return invalid(s, "mode must be store or cache", 0, NULL, 0);
    if (c->reclaim_free_zones < 2)
        return invalid(s, "reclaim_free_zones ", c->reclaim_free_zones, " is below ", 2);
    if (c->max_live_percent >= PERCENT)
        return invalid(s, "max_live_percent ", c->max_live_percent, " is not below ", PERCENT);
    return 0;
}

/* The store's zones from a report of the whole device; zones outside the
 * range that are open or closed use up the device's limits. */
static int load_zones(zslab_store_t *s)
{
    uint32_t nr = s->geo.nr_zones;
    struct zslab_zone *all = zslab_alloc(s->z, (size_t)nr * sizeof(*all));
    if (!all)
        return -ZSLAB_ENOMEM;
    int err = s->cfg.ops->report(s->cfg.dev, 0, all, &nr);
    if (err) {
        zslab_free(s->z, all);
        return _zslab_zst_error_dev(s, err, "report zones", 0);
    }
    uint32_t active_outside = 0, open_outside = 0, found = 0;
    for (uint32_t i = 0; i < nr; i++) {
        const struct zslab_zone *d = &all[i];
        bool open = d->state == ZSLAB_ZONE_IMP_OPEN || d->state == ZSLAB_ZONE_EXP_OPEN;
        bool active = open || d->state == ZSLAB_ZONE_CLOSED;
        uint64_t idx = d->start_lba / s->geo.zone_size_lbas;
        if (idx < s->cfg.first_zone || idx >= (uint64_t)s->cfg.first_zone + s->nr_zones) {
            active_outside += active;
            open_outside += open;
            continue;
        }
        found++;
        zst_zone_t *z = &s->zones[idx - s->cfg.first_zone];
        ZST_ZERO(z);
        z->start_lba = d->start_lba;
        z->cap_lbas = (uint32_t)d->cap_lbas;
        z->min_seq = UINT64_MAX;
        z->state = ZSLAB_STORE_ZONE_FULL;
        uint32_t written = active ? (uint32_t)(d->wp_lba - d->start_lba) : 0;
        if (active && written == 0 && !s->cfg.read_only) {
            /* opened, never written: give the open resource back */
            err = s->cfg.ops->manage(s->cfg.dev, d->start_lba, ZSLAB_ZONE_RESET, false);
            if (err)
                break;
            active = false;
        }
        if (d->state == ZSLAB_ZONE_EMPTY ||
            (written == 0 && !active && d->state != ZSLAB_ZONE_FULL &&
             d->state != ZSLAB_ZONE_READ_ONLY && d->state != ZSLAB_ZONE_OFFLINE)) {
            z->state = ZSLAB_STORE_ZONE_EMPTY;
            s->nr_free++;
        } else if (active) {
            z->state = ZSLAB_STORE_ZONE_RETIRING; /* settled after the scan */
            z->active = true;
            z->written_lbas = z->used_lbas = written;
        } else if (d->state == ZSLAB_ZONE_FULL) {
            z->written_lbas = z->used_lbas = z->cap_lbas; /* scanned to the first unwritten LBA */
        } else {
            z->state = ZSLAB_STORE_ZONE_BAD; /* READ_ONLY is read, OFFLINE is not */
            z->written_lbas = d->state == ZSLAB_ZONE_READ_ONLY ? z->cap_lbas : 0;
        }
    }
    zslab_free(s->z, all);
    if (err)
        return _zslab_zst_error_dev(s, err, "reset an open empty zone", 0);
    if (found != s->nr_zones)
        return _zslab_zst_error_dev(s, -ZSLAB_EIO, "the zone report missed zones of the range", 0);
    s->c.free_zones.current = s->c.free_zones.peak = s->nr_free;
    s->budget = _zslab_zst_budget(s, active_outside, open_outside);
    return 0;
}

static uint64_t new_store_id(const zslab_store_t *s)
{
    uint64_t x = zslab_platform_now_ns() ^ (uint64_t)(uintptr_t)s;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x ? x : 1;
}

static void destroy(zslab_store_t *s)
{
    zslab_t *z = s->z;
    bool own = s->own_alloc;
    _zslab_zst_cache_fini(s);
    _zslab_zst_slab_pool_fini(s);
    if (s->index.slots)
        _zslab_zst_index_fini(&s->index);
    zslab_free(z, s->zones);
    for (uint32_t i = 0; i < ZST_SLOTS; i++)
        zslab_platform_lock_fini(&s->slots[i].lock);
    zslab_platform_lock_fini(&s->lock);
    zslab_platform_lock_fini(&s->maint);
    zslab_free(z, s);
    if (own)
        zslab_destroy(z);
}

static void copy_msg(char *msg, size_t msg_bytes, const char *text)
{
    if (!msg || !msg_bytes)
        return;
    zslab_fmt_t f;
    _zslab_fmt_init(&f, msg, msg_bytes);
    _zslab_fmt_str(&f, text);
}

static bool ops_complete(const struct zslab_zdev_ops *o)
{
    return o && o->identify && o->report && o->append && o->read && o->manage && o->flush;
}

static int create(const zslab_store_config_t *cfg, zslab_store_t **out)
{
    zslab_t *z = cfg->alloc;
    bool own = false;
    if (!z) {
        if (zslab_create(NULL, &z) != ZSLAB_OK)
            return -ZSLAB_ENOMEM;
        own = true;
    }
    zslab_store_t *s = zslab_alloc(z, sizeof(*s));
    if (!s) {
        if (own)
            zslab_destroy(z);
        return -ZSLAB_ENOMEM;
    }
    _zslab_mem_fill(s, 0, sizeof(*s));
    ZST_COPY(&s->cfg, cfg);
    s->z = z;
    s->own_alloc = own;
    s->head = ZST_NO_ZONE;
    s->next_seq = 1;
    zslab_platform_lock_init(&s->lock);
    zslab_platform_lock_init(&s->maint);
    for (uint32_t i = 0; i < ZST_SLOTS; i++)
        zslab_platform_lock_init(&s->slots[i].lock);
    for (uint32_t i = 0; i < ZST_NR_OPEN; i++)
        s->open[i] = ZST_NO_SLAB;
    for (uint32_t i = 0; i < ZST_MAX_SLABS; i++)
        s->slabs[i].zone = ZST_NO_ZONE;
    *out = s;
    return 0;
}

/* What open and format share: a store whose config and geometry checked. */
static int begin(const zslab_store_config_t *cfg, zslab_store_t **out, char *msg, size_t msg_bytes)
{
    *out = NULL;
    if (!cfg || !ops_complete(cfg->ops)) {
        copy_msg(msg, msg_bytes, "config: missing, or its zdev ops table is incomplete");
        return -ZSLAB_EINVAL;
    }
    int err = create(cfg, out);
    if (err) {
        copy_msg(msg, msg_bytes, "no memory for the store");
        return err;
    }
    zslab_store_t *s = *out;
    err = check_config(s);
    if (!err && (err = s->cfg.ops->identify(s->cfg.dev, &s->geo)))
        (void)_zslab_zst_error_dev(s, err, "identify the device", 0);
    if (!err)
        err = check_geometry(s);
    return err;
}

/* The end of a failed open or format: the message, the store freed. */
static int give_up(zslab_store_t *s, int err, char *msg, size_t msg_bytes)
{
    if (err)
        copy_msg(msg, msg_bytes, s->err[0] ? s->err : zslab_store_strerror(err));
    destroy(s);
    return err;
}

static int open_store(zslab_store_t *s)
{
    int err = 0;
    s->zones = zslab_alloc(s->z, (size_t)s->nr_zones * sizeof(*s->zones));
    if (!s->zones || _zslab_zst_index_init(&s->index, s->z))
        return _zslab_zst_error_dev(s, -ZSLAB_ENOMEM, "memory for the zone table and the index", 0);
    if ((err = load_zones(s)))
        return err;
    s->nr_rcache =
        zst_min_u32(s->cfg.read_cache_bytes / ZSLAB_STORE_READ_WINDOW_BYTES, ZST_RCACHE_MAX);
    if (s->budget == 0)
        return _zslab_zst_error_dev(s, -ZSLAB_EBUSY,
                                    "zones outside the store hold every open/active zone the "
                                    "device allows",
                                    0);
    if (s->nr_free < s->nr_zones && (err = _zslab_zst_recover(s)))
        return err;
    if (s->store_id == 0)
        s->store_id = new_store_id(s);
    return 0;
}

int zslab_store_open(const zslab_store_config_t *cfg, zslab_store_t **out, char *msg,
                     size_t msg_bytes)
{
    if (!out) {
        copy_msg(msg, msg_bytes, "no place for the store (out is NULL)");
        return -ZSLAB_EINVAL;
    }
    zslab_store_t *s = NULL;
    int err = begin(cfg, &s, msg, msg_bytes);
    if (!err)
        err = open_store(s);
    if (err) {
        *out = NULL;
        return s ? give_up(s, err, msg, msg_bytes) : err;
    }
    *out = s;
    return 0;
}

int zslab_store_close(zslab_store_t *s, bool flush)
{
    if (!s)
        return 0;
    int err = flush && !s->cfg.read_only ? zslab_store_flush(s) : 0;
    (void)_zslab_zst_reap_started(s, false); /* their buffers are freed next */
    destroy(s);
    return err;
}

int zslab_store_format(const zslab_store_config_t *cfg, char *msg, size_t msg_bytes)
{
    zslab_store_t *s = NULL;
    int err = begin(cfg, &s, msg, msg_bytes);
    if (!s)
        return err;
    uint32_t nr = s->geo.nr_zones;
    struct zslab_zone *all = err ? NULL : zslab_alloc(s->z, (size_t)nr * sizeof(*all));
    if (!err && !all)
        err = -ZSLAB_ENOMEM;
    if (!err && (err = s->cfg.ops->report(s->cfg.dev, 0, all, &nr)))
        (void)_zslab_zst_error_dev(s, err, "report zones", 0);
    for (uint32_t i = 0; !err && i < nr; i++) {
        uint64_t idx = all[i].start_lba / s->geo.zone_size_lbas;
        if (idx < cfg->first_zone || idx >= (uint64_t)cfg->first_zone + s->nr_zones ||
            all[i].state == ZSLAB_ZONE_EMPTY || all[i].state == ZSLAB_ZONE_OFFLINE)
            continue;
        err = s->cfg.ops->manage(s->cfg.dev, all[i].start_lba, ZSLAB_ZONE_RESET, false);
        if (err)
            (void)_zslab_zst_error_dev(s, err, "reset zone", all[i].start_lba);
    }
    zslab_free(s->z, all);
    return give_up(s, err, msg, msg_bytes);
}

/* ---- put, get, delete --------------------------------------------------------- */

static zst_slab_t *slab_of(zslab_store_t *s, uint64_t loc, uint32_t *entry)
{
    uint32_t off8 = zst_loc_off8(loc);
    *entry = off8 & 0xffffu;
    return &s->slabs[off8 >> 16];
}

/* Whether removing the object at @loc needs a tombstone: an older or the
 * same version of it may be on the device. */
static bool needs_tombstone(zslab_store_t *s, uint64_t loc)
{
    if (zst_loc_zone(loc) != ZST_ZONE_PENDING)
        return true;
    uint32_t e;
    zst_slab_t *sl = slab_of(s, loc, &e);
    return sl->state == ZST_SLAB_INFLIGHT || sl->maybe_written ||
           _zslab_zst_slab_entry_older(sl, e);
}

/* The object at @loc is gone from the index: its bytes stop counting, and a
 * DRAM copy dies unless it is in flight.  Lock held.  Returns whether an
 * older version may be on the device (as needs_tombstone()). */
bool _zslab_zst_drop_entry(zslab_store_t *s, uint64_t loc)
{
    bool older = needs_tombstone(s, loc);
    uint32_t len = zst_loc_len(loc);
    _zslab_zst_gauge(&s->c.live_objects, -1);
    _zslab_zst_gauge(&s->c.live_bytes, -(int64_t)len);
    if (zst_loc_zone(loc) != ZST_ZONE_PENDING) {
        s->zones[zst_loc_zone(loc)].live_bytes -= len;
        return older;
    }
    uint32_t e;
    zst_slab_t *sl = slab_of(s, loc, &e);
    if (sl->state != ZST_SLAB_INFLIGHT)
        _zslab_zst_slab_kill(s, sl, e);
    return older;
}

/* Copies an object into the open slab of its class.  Lock held.  *@sealed
 * receives a slab that filled up, to submit once the lock is released. */
/* Bytes an object could still take in @sl. */
static uint32_t slab_room(const zslab_store_t *s, const zst_slab_t *sl)
{
    uint32_t used = sl->payload_off + sl->payload_bytes + ZST_TRAILER_BYTES;
    return sl->nr < sl->nr_max && used < s->slab_bytes ? s->slab_bytes - used : 0;
}

/* Slab @sl of class @cls did not fit the class's next object: it becomes a
 * tail, or is sealed (returned) when its room is not worth waiting for or
 * every tail is taken. */
static zst_slab_t *retire_open(zslab_store_t *s, zst_slab_t *sl, uint16_t cls)
{
    s->open[cls] = ZST_NO_SLAB;
    if (cls == 0 || s->nr_tails == ZST_MAX_TAILS || slab_room(s, sl) < ZST_TAIL_MIN_ROOM)
        return _zslab_zst_detach(s, sl);
    sl->tail_since = s->put_clock;
    s->tails[s->nr_tails++] = (uint16_t)_zslab_zst_slab_index(s, sl);
    return NULL;
}

/* The oldest tail, sealed (returned) when it has waited long enough or is
 * nearly full. */
static zst_slab_t *expire_tail(zslab_store_t *s)
{
    if (!s->nr_tails)
        return NULL;
    zst_slab_t *sl = &s->slabs[s->tails[0]];
    if (s->put_clock - sl->tail_since < ZST_TAIL_PUTS && slab_room(s, sl) >= ZST_TAIL_MIN_ROOM)
        return NULL;
    return _zslab_zst_detach(s, sl); /* leaves the tails */
}

/* Removes slab @idx from the tails, if it is one. */
void _zslab_zst_tail_remove(zslab_store_t *s, uint32_t idx)
{
    for (uint32_t i = 0; i < s->nr_tails; i++)
        if (s->tails[i] == idx) {
            for (uint32_t j = i + 1; j < s->nr_tails; j++)
                s->tails[j - 1] = s->tails[j];
            s->nr_tails--;
            return;
        }
}

int _zslab_zst_put_locked(zslab_store_t *s, uint64_t id, const void *data, uint32_t len,
                          bool migrate, zst_slab_t **sealed)
{
    uint16_t cls = _zslab_zst_class_of(len);
    zst_slab_t *sl = NULL;
    /* the room at the end of a bigger class's tail first */
    for (uint32_t i = 0; i < s->nr_tails && !sl; i++) {
        zst_slab_t *t = &s->slabs[s->tails[i]];
        if (t->cls > cls && _zslab_zst_slab_fits(s, t, len))
            sl = t;
    }
    if (!sl) {
        sl = s->open[cls] == ZST_NO_SLAB ? NULL : &s->slabs[s->open[cls]];
        if (sl && !_zslab_zst_slab_fits(s, sl, len)) {
            *sealed = retire_open(s, sl, cls);
            sl = NULL;
        }
    }
    if (!sl) {
        sl = _zslab_zst_slab_open(s, cls);
        if (!sl)
            return _zslab_zst_error_dev(s, -ZSLAB_ENOMEM, "no memory for a slab", 0);
        s->open[cls] = (uint16_t)_zslab_zst_slab_index(s, sl);
    }
    uint64_t old = 0;
    int err = _zslab_zst_index_set(
        &s->index, id, zst_loc_pending(_zslab_zst_slab_index(s, sl), sl->nr, len), &old);
    if (err)
        return _zslab_zst_error_dev(s, err, "no memory for the index", 0);
    bool older = migrate;
    if (old)
        older |= _zslab_zst_drop_entry(s, old);
    (void)_zslab_zst_slab_add(sl, id, data, len, older);
    _zslab_zst_gauge(&s->c.live_objects, 1);
    _zslab_zst_gauge(&s->c.live_bytes, len);
    s->put_clock++;
    if (!*sealed)
        *sealed = expire_tail(s);
    return 0;
}

/* Puts run reclaim when free zones run low; s->lock is not held. */
static int reclaim_for_put(zslab_store_t *s)
{
    uint32_t done = 0;
    zslab_platform_lock_acquire(&s->maint);
    int err = _zslab_zst_reclaim_locked(s, 0, &done);
    zslab_platform_lock_release(&s->maint);
    zslab_platform_lock_acquire(&s->lock);
    bool room = s->nr_free > 0 || (s->head != ZST_NO_ZONE);
    zslab_platform_lock_release(&s->lock);
    if (room)
        return 0;
    return err ? err
               : _zslab_zst_error_dev(s, -ZSLAB_ENOSPC, "no space: no zone left to write to", 0);
}

static int no_space(zslab_store_t *s, uint64_t live, uint32_t len)
{
    zslab_fmt_t f;
    _zslab_zst_error_begin(s, &f);
    _zslab_fmt_str(&f, "no space: ");
    _zslab_fmt_u64(&f, live);
    _zslab_fmt_str(&f, " live bytes + ");
    _zslab_fmt_u64(&f, len);
    _zslab_fmt_str(&f, " is over the store's ");
    _zslab_fmt_u64(&f, s->max_live);
    _zslab_fmt_str(&f, " (max_live_percent of its zones; delete objects to make room)");
    return -ZSLAB_ENOSPC;
}

/* A slab a put or delete sealed; no lock held.  Double buffering: the last
 * started append is completed, this one is started, and the caller fills
 * the next slab while it is in flight.  A failure: the next flush retries
 * the slab. */
static void submit_sealed(zslab_store_t *s, zst_slab_t *sealed)
{
    (void)_zslab_zst_reap_started(s, false);
    (void)_zslab_zst_submit_async(s, sealed, false);
}

int zslab_store_put(zslab_store_t *s, uint64_t id, const void *data, size_t len)
{
    if (s->cfg.read_only)
        return -ZSLAB_EOPNOTSUPP;
    if (len > s->max_object) {
        zslab_fmt_t f;
        _zslab_zst_error_begin(s, &f);
        _zslab_fmt_str(&f, "object of ");
        _zslab_fmt_u64(&f, len);
        _zslab_fmt_str(&f, " bytes is larger than the largest object, ");
        _zslab_fmt_u64(&f, s->max_object);
        _zslab_fmt_str(&f, " bytes (a slab is one Zone Append: slab size ");
        _zslab_fmt_u64(&f, s->slab_bytes);
        _zslab_fmt_str(&f, ")");
        return -ZSLAB_E2BIG;
    }
    if (!data && len)
        return -ZSLAB_EINVAL;
    int err = 0;
    zst_slab_t *sealed = NULL;
    zslab_platform_lock_acquire(&s->lock);
    if (!s->reclaiming && s->nr_free < s->cfg.reclaim_free_zones) {
        zslab_platform_lock_release(&s->lock);
        if ((err = reclaim_for_put(s)))
            return err;
        zslab_platform_lock_acquire(&s->lock);
    }
    if (s->max_live) {
        uint64_t old = _zslab_zst_index_get(&s->index, id);
        uint64_t live = s->c.live_bytes.current - (old ? zst_loc_len(old) : 0);
        if (live + len > s->max_live)
            err = no_space(s, live, (uint32_t)len);
    }
    if (!err)
        err = _zslab_zst_put_locked(s, id, data, (uint32_t)len, false, &sealed);
    if (!err) {
        ZST_COUNT(s, puts, 1);
        ZST_COUNT(s, put_bytes, len);
    }
    zslab_platform_lock_release(&s->lock);
    if (sealed)
        submit_sealed(s, sealed);
    return err;
}

int zslab_store_get(zslab_store_t *s, uint64_t id, void *buf, size_t buf_len, size_t *len_out)
{
    for (;;) {
        zslab_platform_lock_acquire(&s->lock);
        uint64_t loc = _zslab_zst_index_get(&s->index, id);
        if (!loc) {
            ZST_COUNT(s, get_misses, 1);
            zslab_platform_lock_release(&s->lock);
            return -ZSLAB_ENOENT;
        }
        uint32_t len = zst_loc_len(loc), zone = zst_loc_zone(loc);
        if (len_out)
            *len_out = len;
        if (buf_len < len) {
            zslab_platform_lock_release(&s->lock);
            return -ZSLAB_ERANGE;
        }
        if (zone == ZST_ZONE_PENDING || len == 0) {
            if (len) {
                uint32_t e = 0, l = 0;
                const zst_slab_t *sl = slab_of(s, loc, &e);
                const uint8_t *src = _zslab_zst_slab_object(sl, e, &l);
                _zslab_mem_copy(buf, src, len);
            }
            ZST_COUNT(s, gets, 1);
            zslab_platform_lock_release(&s->lock);
            return 0;
        }
        zst_zone_t *z = &s->zones[zone];
        uint32_t gen = z->gen;
        uint64_t pos = (uint64_t)zst_loc_off8(loc) * ZST_ALIGN;
        if (s->nr_rcache && _zslab_zst_cache_lookup(s, zone, pos, len, buf)) {
            ZST_COUNT(s, gets, 1);
            ZST_COUNT(s, read_cache_hits, 1);
            zslab_platform_lock_release(&s->lock);
            return 0;
        }
        uint64_t lba = z->start_lba + pos / s->lba_bytes;
        uint32_t skip = (uint32_t)(pos % s->lba_bytes);
        size_t bytes = zst_round_up(skip + len, s->lba_bytes);
        zslab_platform_lock_release(&s->lock);

        int err = s->nr_rcache ? _zslab_zst_cache_read(s, zone, pos, len, buf) : 1;
        if (err == 1) { /* no cache, or not cacheable: just the object's LBAs */
            uint8_t *tmp = zslab_alloc_aligned(s->z, bytes, 4096);
            if (!tmp)
                return -ZSLAB_ENOMEM;
            err = _zslab_zst_read(s, lba, tmp, bytes);
            if (!err)
                _zslab_mem_copy(buf, tmp + skip, len);
            zslab_free(s->z, tmp);
            zslab_platform_lock_acquire(&s->lock);
            ZST_COUNT(s, device_reads, 1);
            ZST_COUNT(s, device_read_bytes, bytes);
            zslab_platform_lock_release(&s->lock);
        }

        zslab_platform_lock_acquire(&s->lock);
        bool stable = s->zones[zone].gen == gen; /* not reset (reclaimed) meanwhile */
        if (err)
            (void)_zslab_zst_error_dev(s, err, "read object at LBA", lba);
        else if (stable)
            ZST_COUNT(s, gets, 1);
        zslab_platform_lock_release(&s->lock);
        if (err || stable)
            return err;
    }
}

int zslab_store_size(zslab_store_t *s, uint64_t id, size_t *len)
{
    zslab_platform_lock_acquire(&s->lock);
    uint64_t loc = _zslab_zst_index_get(&s->index, id);
    zslab_platform_lock_release(&s->lock);
    if (!loc)
        return -ZSLAB_ENOENT;
    *len = zst_loc_len(loc);
    return 0;
}

int zslab_store_delete(zslab_store_t *s, uint64_t id)
{
    if (s->cfg.read_only)
        return -ZSLAB_EOPNOTSUPP;
    zst_slab_t *sealed = NULL;
    int err = 0;
    zslab_platform_lock_acquire(&s->lock);
    uint64_t loc = _zslab_zst_index_get(&s->index, id);
    if (!loc)
        err = -ZSLAB_ENOENT;
    else if (needs_tombstone(s, loc))
        err = _zslab_zst_tombstone(s, id, s->next_seq, &sealed);
    if (!err) {
        (void)_zslab_zst_index_del(&s->index, id, NULL);
        (void)_zslab_zst_drop_entry(s, loc);
        ZST_COUNT(s, deletes, 1);
    }
    zslab_platform_lock_release(&s->lock);
    if (sealed)
        submit_sealed(s, sealed); /* a full tombstone slab */
    return err;
}

/* ---- what a store reports ------------------------------------------------------ */

void zslab_store_get_counters(zslab_store_t *s, zslab_store_counters_t *out)
{
    zslab_platform_lock_acquire(&s->lock);
    s->c.index_bytes.current = _zslab_zst_index_bytes(&s->index);
    if (s->c.index_bytes.current > s->c.index_bytes.peak)
        s->c.index_bytes.peak = s->c.index_bytes.current;
    _zslab_mem_copy(out, &s->c, sizeof(*out)); /* no struct copy: it may become memcpy */
    zslab_platform_lock_release(&s->lock);
}

uint64_t zslab_store_write_amp_milli(const zslab_store_counters_t *c)
{
    return c->put_bytes ? c->device_append_bytes * 1000 / c->put_bytes : 0;
}

size_t zslab_store_format_counters(const zslab_store_counters_t *c, char *buf, size_t size)
{
    zslab_fmt_t f;
    _zslab_fmt_init(&f, buf, size);
#define PRINT_COUNTER(name, doc)                                                                   \
    _zslab_fmt_str(&f, #name ": ");                                                                \
    _zslab_fmt_u64(&f, c->name);                                                                   \
    _zslab_fmt_str(&f, "\n");
#define PRINT_GAUGE(name, doc)                                                                     \
    _zslab_fmt_str(&f, #name ": ");                                                                \
    _zslab_fmt_u64(&f, c->name.current);                                                           \
    _zslab_fmt_str(&f, " (peak ");                                                                 \
    _zslab_fmt_u64(&f, c->name.peak);                                                              \
    _zslab_fmt_str(&f, ")\n");
    ZSLAB_STORE_COUNTER_LIST(PRINT_COUNTER, PRINT_GAUGE)
#undef PRINT_COUNTER
#undef PRINT_GAUGE
    uint64_t wa = zslab_store_write_amp_milli(c);
    _zslab_fmt_str(&f, "write_amp: ");
    _zslab_fmt_u64(&f, wa / 1000);
    _zslab_fmt_str(&f, wa % 1000 < 100 ? (wa % 1000 < 10 ? ".00" : ".0") : ".");
    _zslab_fmt_u64(&f, wa % 1000);
    _zslab_fmt_str(&f, "\n");
    return f.len;
}

void zslab_store_get_info(zslab_store_t *s, zslab_store_info_t *out)
{
    zslab_platform_lock_acquire(&s->lock);
    out->lba_bytes = s->lba_bytes;
    out->first_zone = s->cfg.first_zone;
    out->nr_zones = s->nr_zones;
    out->zone_cap_bytes = zst_zone_byte_cap(&s->zones[0], s->lba_bytes);
    out->slab_bytes = s->slab_bytes;
    out->max_object_bytes = s->max_object;
    out->max_live_bytes = s->max_live;
    out->zone_budget = s->budget;
    out->store_id = s->store_id;
    out->next_seq = s->next_seq;
    out->mode = s->cfg.mode;
    zslab_platform_lock_release(&s->lock);
}

int zslab_store_zone_info(zslab_store_t *s, uint32_t index, zslab_store_zone_info_t *out)
{
    if (index >= s->nr_zones)
        return -ZSLAB_ERANGE;
    zslab_platform_lock_acquire(&s->lock);
    const zst_zone_t *z = &s->zones[index];
    out->start_lba = z->start_lba;
    out->cap_bytes = zst_zone_byte_cap(z, s->lba_bytes);
    out->written_bytes = (uint64_t)z->written_lbas * s->lba_bytes;
    out->live_bytes = z->live_bytes;
    out->state = (zslab_store_zone_state_t)z->state;
    out->min_seq = z->max_seq ? z->min_seq : 0;
    out->max_seq = z->max_seq;
    zslab_platform_lock_release(&s->lock);
    return 0;
}

int zslab_store_for_each(zslab_store_t *s, zslab_store_object_fn fn, void *arg)
{
    int ret = 0;
    zslab_platform_lock_acquire(&s->lock);
    for (uint64_t i = 0; i < s->index.cap && !ret; i++)
        if (s->index.slots[i].val)
            ret = fn(arg, s->index.slots[i].key, zst_loc_len(s->index.slots[i].val));
    zslab_platform_lock_release(&s->lock);
    return ret;
}
