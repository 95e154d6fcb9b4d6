/* SPDX-License-Identifier: MIT */
/*
 * slab.c - DRAM slabs: one open slab per size class takes objects until it is
 * full, then it is sealed into a record (record.c) and appended (write.c).
 *
 * A slab buffer is laid out as the record will be on the device:
 *
 *   | header 64 | entries 12 x nr_max | gap | objects, 8-aligned ... | free |
 *
 * and as a record it ends with padding to the LBA size, the last 16 bytes of
 * which are the trailer.
 *
 * The entries' room is reserved for the most objects of the class that could
 * fit (nr_max, from the class's smallest object), so objects are copied once,
 * to where they will be written, and their CRC is computed while copying.  At
 * sealing only the header and the padding are written; entries deleted while
 * in DRAM are compacted away first.
 */
#include "store.h"

#define BUF_ALIGN_BYTES 4096u /* a page: what DMA of a passthrough buffer prefers */
#define GAP_MOVE_BYTES  512u  /* a gap this large before the payload is closed */

static void *entry_at(const zst_slab_t *sl, uint32_t i)
{
    return sl->buf + ZST_HDR_BYTES + (size_t)i * ZST_ENTRY_BYTES;
}

static uint32_t entry_word(const zst_slab_t *sl, uint32_t i)
{
    return _zslab_zst_le32((const uint8_t *)entry_at(sl, i) + 8);
}

static void set_entry_word(zst_slab_t *sl, uint32_t i, uint32_t w)
{
    _zslab_zst_put_le32((uint8_t *)entry_at(sl, i) + 8, w);
}

uint16_t _zslab_zst_class_of(uint32_t len)
{
    if (len <= (1u << ZST_MIN_CLASS_SHIFT))
        return 0;
    /* the smallest c with len <= 2^(c + 3): bits of len - 1, less 3 */
    uint32_t c = 32u - (uint32_t)__builtin_clz(len - 1) - ZST_MIN_CLASS_SHIFT;
    return (uint16_t)(c < ZST_CLASS_MAX ? c : ZST_CLASS_MAX);
}

/* The smallest and largest object of @cls, bytes. */
static uint32_t class_min(uint16_t cls)
{
    return cls == 0 ? 0 : (1u << (cls - 1 + ZST_MIN_CLASS_SHIFT)) + 1;
}

static uint32_t class_max(uint16_t cls)
{
    return cls == ZST_CLASS_MAX ? ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT
                                : 1u << (cls + ZST_MIN_CLASS_SHIFT);
}

/* Payload bytes of the smallest object of @cls (at least 8). */
static uint32_t min_cost(uint16_t cls)
{
    if (cls == ZST_CLASS_TOMB)
        return ZST_TOMB_BYTES;
    uint32_t cost = zst_round_up(class_min(cls), ZST_ALIGN);
    return cost < ZST_ALIGN ? ZST_ALIGN : cost;
}

static uint32_t nr_max(uint32_t slab_bytes, uint16_t cls)
{
    return (slab_bytes - ZST_HDR_BYTES - ZST_TRAILER_BYTES) / (ZST_ENTRY_BYTES + min_cost(cls));
}

static uint32_t payload_off(uint32_t slab_bytes, uint16_t cls)
{
    return zst_round_up(_zslab_zst_rec_header_bytes(nr_max(slab_bytes, cls)), ZST_ALIGN);
}

/* The longest object a slab of @slab_bytes holds. */
uint32_t _zslab_zst_slab_max_object(uint32_t slab_bytes)
{
    for (int c = ZST_CLASS_MAX; c >= 0; c--) {
        uint16_t cls = (uint16_t)c;
        if (nr_max(slab_bytes, cls) == 0)
            continue;
        uint32_t room =
            (slab_bytes - ZST_TRAILER_BYTES - payload_off(slab_bytes, cls)) / ZST_ALIGN * ZST_ALIGN;
        uint32_t best = zst_min_u32(room, class_max(cls));
        if (best >= class_min(cls))
            return best;
    }
    return 0;
}

zst_slab_t *_zslab_zst_slab_open(zslab_store_t *s, uint16_t cls)
{
    zst_slab_t *sl = NULL;
    for (uint32_t i = 0; i < ZST_MAX_SLABS && !sl; i++)
        if (s->slabs[i].state == ZST_SLAB_FREE)
            sl = &s->slabs[i];
    if (!sl)
        return NULL;
    uint32_t max = nr_max(s->slab_bytes, cls);
    uint32_t *offs = zslab_alloc(s->z, (size_t)max * sizeof(*offs));
    uint8_t *buf = NULL;
    if (s->nr_pool) {
        buf = s->pool[--s->nr_pool];
    } else {
        buf = zslab_alloc_aligned(s->z, s->slab_bytes, BUF_ALIGN_BYTES);
        if (buf)
            _zslab_zst_gauge(&s->c.slab_dram_bytes, s->slab_bytes);
    }
    if (!offs || !buf) {
        zslab_free(s->z, offs);
        if (buf)
            s->pool[s->nr_pool++] = buf; /* the pool had room: it gave one or was empty */
        return NULL;
    }
    ZST_ZERO(sl);
    sl->buf = buf;
    sl->offs = offs;
    sl->nr_max = max;
    sl->payload_off = payload_off(s->slab_bytes, cls);
    sl->cls = cls;
    sl->state = ZST_SLAB_OPEN;
    sl->zone = ZST_NO_ZONE;
    return sl;
}

bool _zslab_zst_slab_fits(const zslab_store_t *s, const zst_slab_t *sl, uint32_t len)
{
    return sl->nr < sl->nr_max &&
           sl->payload_off + sl->payload_bytes + zst_round_up(len, ZST_ALIGN) + ZST_TRAILER_BYTES <=
               s->slab_bytes;
}

/* Copies an object in (it fits); returns its entry number. */
uint32_t _zslab_zst_slab_add(zst_slab_t *sl, uint64_t id, const void *data, uint32_t len,
                             bool older)
{
    static const uint8_t zeros[ZST_ALIGN];
    uint32_t i = sl->nr++;
    uint8_t *e = entry_at(sl, i);
    _zslab_zst_put_le64(e, id);
    _zslab_zst_put_le32(e + 8, len | (older ? ZST_ENT_OLDER : 0));
    sl->offs[i] = sl->payload_bytes;
    uint8_t *dst = sl->buf + sl->payload_off + sl->payload_bytes;
    sl->crc = len ? _zslab_zst_crc32c_copy(sl->crc, dst, data, len) : sl->crc;
    uint32_t pad = zst_round_up(len, ZST_ALIGN) - len;
    if (pad)
        sl->crc = _zslab_zst_crc32c_copy(sl->crc, dst + len, zeros, pad);
    sl->payload_bytes += len + pad;
    sl->live_bytes += len;
    return i;
}

/* An entry deleted or replaced while its slab is in DRAM and not in flight. */
void _zslab_zst_slab_kill(zslab_store_t *s, zst_slab_t *sl, uint32_t entry)
{
    (void)s;
    uint32_t w = entry_word(sl, entry);
    zst_assert(!(w & ZST_ENT_DEAD));
    set_entry_word(sl, entry, w | ZST_ENT_DEAD);
    sl->nr_dead++;
    sl->live_bytes -= w & ZST_LEN_MASK;
}

bool _zslab_zst_slab_entry_older(const zst_slab_t *sl, uint32_t entry)
{
    return entry_word(sl, entry) & ZST_ENT_OLDER;
}

uint32_t _zslab_zst_slab_index(const zslab_store_t *s, const zst_slab_t *sl)
{
    return (uint32_t)(sl - s->slabs);
}

const uint8_t *_zslab_zst_slab_object(const zst_slab_t *sl, uint32_t entry, uint32_t *len)
{
    *len = entry_word(sl, entry) & ZST_LEN_MASK;
    return sl->buf + sl->payload_off + sl->offs[entry];
}

/* Moves @n bytes down (dst < src, the ranges may overlap): forward, each
 * word read before it can be overwritten; a word at a time when both are
 * 8-aligned (objects and the payload are). */
static void move_down(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    uint32_t i = 0;
    if ((((uintptr_t)dst | (uintptr_t)src) & (sizeof(uint64_t) - 1)) == 0) {
        uint64_t *dw = (uint64_t *)(void *)dst;
        const uint64_t *sw = (const uint64_t *)(const void *)src;
        for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t))
            *dw++ = *sw++;
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

/* Drops dead entries: later objects move down, their locs follow. */
static void compact(zslab_store_t *s, zst_slab_t *sl)
{
    uint32_t me = _zslab_zst_slab_index(s, sl), j = 0, off = 0;
    sl->crc = 0;
    for (uint32_t i = 0; i < sl->nr; i++) {
        uint32_t w = entry_word(sl, i), len = w & ZST_LEN_MASK;
        if (w & ZST_ENT_DEAD)
            continue;
        uint32_t bytes = zst_round_up(len, ZST_ALIGN);
        uint8_t *base = sl->buf + sl->payload_off;
        if (j != i) {
            move_down(entry_at(sl, j), entry_at(sl, i), ZST_ENTRY_BYTES);
            uint64_t id = _zslab_zst_le64(entry_at(sl, j));
            uint64_t loc = _zslab_zst_index_get(&s->index, id);
            zst_assert(loc == zst_loc_pending(me, i, len));
            if (loc == zst_loc_pending(me, i, len))
                (void)_zslab_zst_index_set(&s->index, id, zst_loc_pending(me, j, len), NULL);
        }
        if (off != sl->offs[i])
            move_down(base + off, base + sl->offs[i], bytes);
        sl->offs[j] = off;
        sl->crc = zslab_store_crc32c(sl->crc, base + off, bytes);
        off += bytes;
        j++;
    }
    sl->nr = j;
    sl->nr_dead = 0;
    sl->payload_bytes = off;
}

/*
 * Makes the buffer a record but for its fixed header (written by
 * _zslab_zst_slab_header() once the seq is known): dead entries compacted away,
 * the gap and the padding zeroed, the length in LBAs known.  Runs right
 * before the slab gets its room in a zone; again if it has to wait.
 */
void _zslab_zst_slab_seal(zslab_store_t *s, zst_slab_t *sl)
{
    if (sl->nr_dead)
        compact(s, sl);
    uint32_t hb = _zslab_zst_rec_header_bytes(sl->nr);
    uint32_t tight = zst_round_up(hb, ZST_ALIGN);
    if (sl->payload_off - tight >= GAP_MOVE_BYTES) {
        /* far fewer objects than the class could hold: close the gap (the
         * payload CRC and the offsets within the payload do not change) */
        move_down(sl->buf + tight, sl->buf + sl->payload_off, sl->payload_bytes);
        sl->payload_off = tight;
    }
    zst_zero(sl->buf + hb, sl->payload_off - hb);
    uint32_t end = sl->payload_off + sl->payload_bytes;
    uint32_t record_bytes = zst_round_up(end + ZST_TRAILER_BYTES, s->lba_bytes);
    zst_zero(sl->buf + end, record_bytes - end);
    sl->lbas = record_bytes / s->lba_bytes;
}

/* The seq is given: DRAM-only bits go, the header is written. */
void _zslab_zst_slab_header(zslab_store_t *s, zst_slab_t *sl)
{
    for (uint32_t i = 0; i < sl->nr; i++)
        set_entry_word(sl, i, entry_word(sl, i) & ZST_LEN_MASK);
    zst_rec_t r;
    ZST_ZERO(&r);
    r.seq = sl->seq;
    r.store_id = s->store_id;
    r.record_bytes = sl->lbas * s->lba_bytes;
    r.nr = sl->nr;
    r.payload_off = sl->payload_off;
    r.payload_bytes = sl->payload_bytes;
    r.payload_crc = sl->crc;
    r.cls = sl->cls;
    _zslab_zst_rec_seal(sl->buf, &r, s->lba_shift);
}

/*
 * Its append failed: kept for the next flush.  The device may hold it (a
 * failed command can have written), so its objects count as older versions
 * from now on.  Entries replaced or deleted while it was in flight die now,
 * so that a retry does not bring them back.
 */
void _zslab_zst_slab_fail(zslab_store_t *s, zst_slab_t *sl)
{
    uint32_t me = _zslab_zst_slab_index(s, sl);
    if (sl->state == ZST_SLAB_INFLIGHT) {
        for (uint32_t i = 0; i < sl->nr; i++) {
            uint64_t id;
            uint32_t len;
            _zslab_zst_rec_entry(sl->buf, i, &id, &len);
            if (sl->cls != ZST_CLASS_TOMB &&
                _zslab_zst_index_get(&s->index, id) != zst_loc_pending(me, i, len))
                _zslab_zst_slab_kill(s, sl, i);
        }
    }
    sl->state = ZST_SLAB_FAILED;
    sl->maybe_written = true;
    sl->zone = ZST_NO_ZONE;
}

void _zslab_zst_slab_release(zslab_store_t *s, zst_slab_t *sl)
{
    if (s->nr_pool < ZST_POOL_BUFS) {
        s->pool[s->nr_pool++] = sl->buf;
    } else {
        zslab_free(s->z, sl->buf);
        _zslab_zst_gauge(&s->c.slab_dram_bytes, -(int64_t)s->slab_bytes);
    }
    zslab_free(s->z, sl->offs);
    ZST_ZERO(sl);
    sl->state = ZST_SLAB_FREE;
    sl->zone = ZST_NO_ZONE;
}

void _zslab_zst_slab_pool_fini(zslab_store_t *s)
{
    while (s->nr_pool)
        zslab_free(s->z, s->pool[--s->nr_pool]);
    for (uint32_t i = 0; i < ZST_MAX_SLABS; i++)
        if (s->slabs[i].state != ZST_SLAB_FREE) {
            zslab_free(s->z, s->slabs[i].buf);
            zslab_free(s->z, s->slabs[i].offs);
            s->slabs[i].state = ZST_SLAB_FREE;
        }
}
