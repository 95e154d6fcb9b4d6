/* SPDX-License-Identifier: MIT */
/*
 * store.h - the zone store's types and its table of contents: every function
 * one file of core/src/store offers the others, grouped by that file.
 *
 * Names: public zslab_store_*, cross-file _zslab_zst_<module>_<verb>, file-static plain.
 *
 * The pieces, from the user down:
 *   index   id -> loc, a Robin Hood hash table of 16-byte entries (index.c);
 *   slabs   one open slab per class in DRAM (slab.c); a full one is sealed
 *           into a record (record.c) and submitted (write.c);
 *   zones   one head zone takes every append; a zone without room retires and
 *           is finished once its appends completed (zone.c);
 *   reclaim gives zones back (reclaim.c); recovery rebuilds the index from
 *           the records (recover.c).
 *
 * A loc (64 bits) says where an object is:
 *   | zone: 17 | off8: 28 | len: 19 |
 * zone is relative to cfg.first_zone, off8 the object's byte offset in its
 * zone / 8 (objects are 8-byte aligned in a record), len its length.  A zone
 * of ZST_ZONE_PENDING means "in a DRAM slab": off8 is then slab << 16 | entry.
 * 0 is no loc (a zone's byte 0 is a record header, never an object).
 *
 * Locks: s->lock protects everything below except the device, and is never
 * held across an append or a read (zone management and flush are quick and
 * may be sent with it).  s->maint serializes flushes and reclaim, and is
 * taken before s->lock.  A slot lock is held by a thread with an append in
 * flight; a flush waits for it by taking it.  Order: maint, slot, lock.
 *
 * Seq ranges: the store appends to one head zone at a time, and a record's
 * seq is given when its zone is reserved, so the zones' seq ranges never
 * overlap and are ordered by the time each zone became head.  Cache-mode FIFO
 * and the tombstone rules (reclaim.c) rely on it.
 */
#ifndef ZSLAB_STORE_H
#define ZSLAB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mem.h"
#include "../report/fmt.h"
#include "zslab/platform.h"
#include "zslab/zstore.h"

/* ---- asserts: on in DEBUG builds (ZSLAB_DEBUG=1) ------------------------- */
#ifndef ZSLAB_DEBUG
#define ZSLAB_DEBUG 0
#endif
#if ZSLAB_DEBUG
#define zst_assert(expr)                                                                           \
    ((expr) ? (void)0 : _zslab_fmt_assert_fail("zslab_store", #expr, __FILE__, __LINE__))
#else
#define zst_assert(expr) ((void)0)
#endif

/* ---- the on-device format (docs/on-device-format.md) ---------------------- */
#define ZST_MAGIC         0x424c535au /* "ZSLB" as little-endian bytes */
#define ZST_HDR_BYTES     64u
#define ZST_TRAILER_BYTES 16u         /* the last bytes of a record */
#define ZST_TRAILER_MAGIC 0x454c535au /* "ZSLE" */
#define ZST_ENTRY_BYTES   12u
#define ZST_ALIGN         8u
#define ZST_TOMB_BYTES    8u /* a tombstone's payload: its kill seq */
/* Size classes: class c holds objects of (2^(c-1), 2^c] bytes (class 0:
 * 0..1 bytes... up to 8: see _zslab_zst_class_of()); the last one ends at the
 * largest object.  Coarser than the allocator's 8 per power of two: objects
 * are stored at their exact length, so a finer class saves nothing, while
 * every class in use costs a partly filled record at each flush. */
#define ZST_MIN_CLASS_SHIFT 3u  /* class 0: up to 8 bytes */
#define ZST_NR_CLASSES      17u /* up to 2^19 bytes */
#define ZST_CLASS_MAX       (ZST_NR_CLASSES - 1)
#define ZST_CLASS_TOMB      0xffffu /* a record of tombstones */
#define ZST_LEN_MASK        ((1u << 19) - 1)
/* Byte offsets of the header's fields. */
#define ZST_H_MAGIC         0
#define ZST_H_VERSION       4
#define ZST_H_FLAGS         6
#define ZST_H_RECORD_BYTES  8
#define ZST_H_NR_ENTRIES    12
#define ZST_H_SEQ           16
#define ZST_H_STORE_ID      24
#define ZST_H_PAYLOAD_OFF   32
#define ZST_H_PAYLOAD_BYTES 36
#define ZST_H_CLASS         40
#define ZST_H_LBA_SHIFT     42
#define ZST_H_PAYLOAD_CRC   44
#define ZST_H_RESERVED      48 /* 12 bytes, zero */
#define ZST_H_HEADER_CRC    60

/* A decoded record header. */
typedef struct zst_rec {
    uint64_t seq;
    uint64_t store_id;
    uint32_t record_bytes;
    uint32_t nr;
    uint32_t payload_off;
    uint32_t payload_bytes;
    uint32_t payload_crc;
    uint16_t cls;
    uint16_t version;
    bool payload_bad; /* scan with soft_payload: read whole, its payload CRC failed */
} zst_rec_t;

/* ---- locs ----------------------------------------------------------------- */
#define ZST_LOC_LEN_BITS  19u
#define ZST_LOC_OFF_BITS  28u
#define ZST_LOC_ZONE_BITS 17u
#define ZST_ZONE_PENDING  ((1u << ZST_LOC_ZONE_BITS) - 1)
#define ZST_NO_ZONE       UINT32_MAX

static inline uint64_t zst_loc(uint32_t zone, uint32_t off8, uint32_t len)
{
    return (uint64_t)zone << (ZST_LOC_OFF_BITS + ZST_LOC_LEN_BITS) |
           (uint64_t)off8 << ZST_LOC_LEN_BITS | len;
}
static inline uint32_t zst_loc_zone(uint64_t loc)
{
    return (uint32_t)(loc >> (ZST_LOC_OFF_BITS + ZST_LOC_LEN_BITS));
}
static inline uint32_t zst_loc_off8(uint64_t loc)
{
    return (uint32_t)(loc >> ZST_LOC_LEN_BITS) & ((1u << ZST_LOC_OFF_BITS) - 1);
}
static inline uint32_t zst_loc_len(uint64_t loc)
{
    return (uint32_t)loc & ((1u << ZST_LOC_LEN_BITS) - 1);
}
static inline uint64_t zst_loc_pending(uint32_t slab, uint32_t entry, uint32_t len)
{
    return zst_loc(ZST_ZONE_PENDING, slab << 16 | entry, len);
}

/* ---- the index ------------------------------------------------------------ */
typedef struct zst_ient {
    uint64_t key;
    uint64_t val; /* 0: empty slot */
} zst_ient_t;

typedef struct zst_index {
    zst_ient_t *slots;
    uint64_t cap;   /* slots */
    uint64_t count; /* used slots */
    size_t bytes;   /* what the allocator gave for slots */
    zslab_t *z;
    bool frozen; /* deletes do not shrink it (someone walks the slots) */
} zst_index_t;

/* ---- DRAM slabs ----------------------------------------------------------- */
#define ZST_MAX_SLABS 256u
#define ZST_NR_OPEN   (ZST_NR_CLASSES + 1u) /* classes, then tombstones */
#define ZST_OPEN_TOMB ZST_NR_CLASSES
#define ZST_POOL_BUFS 16u
#define ZST_NO_SLAB   0xffffu
/* A slab its class's next object did not fit becomes a tail: objects of
 * smaller classes fill the room at its end (format version 2) for up to
 * ZST_TAIL_PUTS puts, or until less than ZST_TAIL_MIN_ROOM bytes are left. */
#define ZST_MAX_TAILS     ZST_NR_CLASSES
#define ZST_TAIL_PUTS     64u
#define ZST_TAIL_MIN_ROOM 256u
/* DRAM-only bits of an entry's length word; cleared before it is written. */
#define ZST_ENT_DEAD  0x80000000u /* deleted or replaced while in DRAM */
#define ZST_ENT_OLDER 0x40000000u /* an older version may be on the device */

/*
 * A slab's life.  Entries of OPEN, SEALED and FAILED slabs may still be
 * killed (deleted, replaced): their buffer is the store's.  An INFLIGHT
 * slab's buffer is the device's until the append completes.
 */
enum zst_slab_state {
    ZST_SLAB_FREE = 0,
    ZST_SLAB_OPEN,     /* takes objects */
    ZST_SLAB_SEALED,   /* takes no more; waits for room in a zone */
    ZST_SLAB_INFLIGHT, /* seq given, header written, being appended */
    ZST_SLAB_FAILED,   /* its append failed: kept, retried by the next flush */
};

typedef struct zst_slab {
    uint8_t *buf;   /* slab_bytes: header, entries, gap, payload */
    uint32_t *offs; /* entry -> payload offset, nr_max of them */
    uint32_t nr, nr_max, nr_dead;
    uint32_t payload_off;   /* where the payload starts in buf */
    uint32_t payload_bytes; /* payload used, 8-aligned */
    uint32_t crc;           /* running CRC32C of the payload */
    uint32_t live_bytes;    /* user bytes of its live entries */
    uint16_t cls;           /* class, or ZST_CLASS_TOMB */
    uint8_t state;
    bool maybe_written; /* a failed append may have reached the device */
    uint64_t seq;
    uint32_t zone;       /* reserved zone */
    uint32_t lbas;       /* record length, LBAs */
    uint32_t slot;       /* in-flight slot */
    uint64_t tail_since; /* put clock when it became a tail */
} zst_slab_t;

/* ---- zones ---------------------------------------------------------------- */
typedef struct zst_zone {
    uint64_t start_lba;
    uint32_t cap_lbas;
    uint32_t used_lbas;    /* completed + reserved appends */
    uint32_t written_lbas; /* completed appends (recovered: the write pointer) */
    uint32_t inflight;     /* appends in flight */
    uint8_t state;         /* enum zslab_store_zone_state */
    bool active;           /* open or closed on the device: counts against the limits */
    bool torn;             /* recovery: its last record ran past the wp */
    bool failed;           /* an append to it failed: finish it, never append again */
    uint32_t gen;          /* +1 at each reset: gets check it (seqlock) */
    uint64_t live_bytes;
    uint64_t min_seq, max_seq; /* UINT64_MAX, 0 when empty */
} zst_zone_t;

/* ---- scanning a zone's records (recover.c) ---------------------------------- */
typedef struct zst_scan {
    /* a record whose header (and, with payload, payload) verified */
    int (*record)(zslab_store_t *s, uint32_t zone, uint32_t lba_off, const zst_rec_t *r,
                  const uint8_t *buf, void *arg);
    /* LBAs [lba_off, lba_off + lbas) of the zone hold no valid record */
    void (*corrupt)(zslab_store_t *s, uint32_t zone, uint32_t lba_off, uint32_t lbas,
                    const char *why, void *arg);
    void *arg;
    bool payload;      /* read and check every payload, not only tombstones' */
    bool soft_payload; /* a data record whose payload fails still goes to
                        * record() (payload_bad set), not to corrupt() */
    uint8_t *buf;      /* ZSLAB_STORE_MAX_SLAB_BYTES, page-aligned */
    bool unlocked;     /* the caller does not hold s->lock (reclaim, under
                        * s->maint): the scan takes it for the store's
                        * counters, events and last error, and around
                        * corrupt() */
} zst_scan_t;

/* ---- the read cache (cache.c) ---------------------------------------------- */
#define ZST_RCACHE_MAX 64u
typedef struct zst_rwin {
    uint8_t *buf;   /* ZSLAB_STORE_READ_WINDOW_BYTES, or NULL: unused */
    uint32_t zone;  /* which zone */
    uint32_t win;   /* which window of it */
    uint32_t gen;   /* the zone's gen when it was read */
    uint32_t bytes; /* how much of the window was written then */
    uint64_t used;  /* LRU clock */
} zst_rwin_t;

/* ---- in-flight appends ---------------------------------------------------- */
#define ZST_SLOTS ZSLAB_ZDEV_ASYNC_TAGS /* a started append's tag is its slot */
typedef struct zst_slot {
    zslab_platform_lock_t lock; /* held by the appender, or by who reaps it */
    bool busy;
    bool started;  /* an append_start() nobody waits for yet (tag = slot) */
    uint16_t slab; /* the started slab */
    uint32_t zone;
} zst_slot_t;

/* ---- the store ------------------------------------------------------------ */
#define ZST_ERR_BYTES 200u
/* _zslab_zst_zone_reserve(): no zone until an append in flight completes, or
 * until reclaim gives one back. */
#define ZST_WAIT         1
#define ZST_NEED_RECLAIM 2

struct zslab_store {
    zslab_store_config_t cfg;
    zslab_t *z;
    bool own_alloc;
    struct zslab_zdev_geometry geo;
    uint32_t lba_bytes, lba_shift;
    uint32_t slab_bytes, max_object;
    uint64_t max_live;
    uint32_t budget;
    uint64_t store_id, next_seq;
    zslab_platform_lock_t lock;
    zslab_platform_lock_t maint;
    zst_index_t index;
    zst_zone_t *zones;
    uint32_t nr_zones, head, next_pick, nr_free;
    zst_slab_t slabs[ZST_MAX_SLABS];
    uint16_t open[ZST_NR_OPEN];
    uint16_t tails[ZST_MAX_TAILS]; /* oldest first */
    uint32_t nr_tails;
    uint64_t put_clock; /* objects put so far (tails' age) */
    void *pool[ZST_POOL_BUFS];
    uint32_t nr_pool;
    zst_slot_t slots[ZST_SLOTS];
    zst_rwin_t rcache[ZST_RCACHE_MAX];
    uint32_t nr_rcache;
    uint64_t rcache_clock;
    uint64_t flush_tickets, flush_covered; /* group commit */
    bool reclaiming;
    bool found_header; /* recovery met at least one record header */
    zslab_store_counters_t c;
    char err[ZST_ERR_BYTES];
};

/* Zeroes @bytes at @dst a word at a time (the core's _zslab_mem_fill is a
 * byte loop: under an emulated CPU, 8x the stores for a record's padding and
 * the index's tables). */
static inline void zst_zero(void *dst, size_t bytes)
{
    uint8_t *d = dst;
    for (; bytes && ((uintptr_t)d & (sizeof(uint64_t) - 1)); bytes--)
        *d++ = 0;
    uint64_t *w = (uint64_t *)(void *)d;
    for (; bytes >= sizeof(uint64_t); bytes -= sizeof(uint64_t))
        *w++ = 0;
    d = (uint8_t *)w;
    while (bytes--)
        *d++ = 0;
}

static inline uint32_t zst_min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}
static inline uint32_t zst_round_up(uint32_t v, uint32_t align)
{
    return (v + align - 1) / align * align;
}
static inline uint32_t zst_log2(uint32_t v)
{
    uint32_t n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}
static inline uint64_t zst_zone_byte_cap(const zst_zone_t *z, uint32_t lba_bytes)
{
    return (uint64_t)z->cap_lbas * lba_bytes;
}
#define ZST_COUNT(s, name, n) ((s)->c.name += (n))
/* Structs are copied and cleared with the core's byte loops: a struct
 * assignment or initializer may become a memcpy/memset call, which a
 * freestanding core does not have (clang does so at -O0). */
#define ZST_COPY(dst, src) _zslab_mem_copy((dst), (src), sizeof(*(dst)))
#define ZST_ZERO(p)        _zslab_mem_fill((p), 0, sizeof(*(p)))
void _zslab_zst_gauge(zslab_store_gauge_t *g, int64_t delta);

/* ---- table of contents ----------------------------------------------------- */

/* crc32c.c */
uint32_t _zslab_zst_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len);
uint32_t _zslab_zst_crc32c_soft(uint32_t crc, const void *buf, size_t len);

/* record.c: the on-device format, and the parser recovery runs */
uint64_t _zslab_zst_le64(const uint8_t *p);
uint32_t _zslab_zst_le32(const uint8_t *p);
void _zslab_zst_put_le64(uint8_t *p, uint64_t v);
void _zslab_zst_put_le32(uint8_t *p, uint32_t v);
int _zslab_zst_rec_decode(const uint8_t *buf, uint32_t lba_bytes, zst_rec_t *r, const char **why);
int _zslab_zst_rec_check_header(const uint8_t *buf, size_t avail, const zst_rec_t *r,
                                uint32_t max_object, const char **why);
int _zslab_zst_rec_check_payload(const uint8_t *buf, const zst_rec_t *r, const char **why);
void _zslab_zst_rec_entry(const uint8_t *buf, uint32_t i, uint64_t *id, uint32_t *len);
uint32_t _zslab_zst_rec_header_bytes(uint32_t nr);
void _zslab_zst_rec_seal(uint8_t *buf, const zst_rec_t *r, uint32_t lba_shift);
int _zslab_zst_rec_check_trailer(const uint8_t *buf, const uint8_t *end, const zst_rec_t *r,
                                 const char **why);

/* index.c */
int _zslab_zst_index_init(zst_index_t *ix, zslab_t *z);
void _zslab_zst_index_fini(zst_index_t *ix);
uint64_t _zslab_zst_index_get(const zst_index_t *ix, uint64_t key);
int _zslab_zst_index_set(zst_index_t *ix, uint64_t key, uint64_t val, uint64_t *old);
bool _zslab_zst_index_del(zst_index_t *ix, uint64_t key, uint64_t *old);
size_t _zslab_zst_index_bytes(const zst_index_t *ix);

/* slab.c */
uint16_t _zslab_zst_class_of(uint32_t len);
uint32_t _zslab_zst_slab_max_object(uint32_t slab_bytes);
zst_slab_t *_zslab_zst_slab_open(zslab_store_t *s, uint16_t cls);
bool _zslab_zst_slab_fits(const zslab_store_t *s, const zst_slab_t *sl, uint32_t len);
uint32_t _zslab_zst_slab_add(zst_slab_t *sl, uint64_t id, const void *data, uint32_t len,
                             bool older);
void _zslab_zst_slab_kill(zslab_store_t *s, zst_slab_t *sl, uint32_t entry);
bool _zslab_zst_slab_entry_older(const zst_slab_t *sl, uint32_t entry);
uint32_t _zslab_zst_slab_index(const zslab_store_t *s, const zst_slab_t *sl);
void _zslab_zst_slab_seal(zslab_store_t *s, zst_slab_t *sl);
void _zslab_zst_slab_header(zslab_store_t *s, zst_slab_t *sl);
void _zslab_zst_slab_release(zslab_store_t *s, zst_slab_t *sl);
void _zslab_zst_slab_fail(zslab_store_t *s, zst_slab_t *sl);
const uint8_t *_zslab_zst_slab_object(const zst_slab_t *sl, uint32_t entry, uint32_t *len);
void _zslab_zst_slab_pool_fini(zslab_store_t *s);

/* zone.c */
int _zslab_zst_zone_reserve(zslab_store_t *s, zst_slab_t *sl);
void _zslab_zst_zone_retire(zslab_store_t *s, uint32_t zone);
void _zslab_zst_zone_drained(zslab_store_t *s, uint32_t zone);
int _zslab_zst_zone_finish(zslab_store_t *s, uint32_t zone);
int _zslab_zst_zone_reset(zslab_store_t *s, uint32_t zone);
bool _zslab_zst_zone_older_data(const zslab_store_t *s, uint32_t except, uint64_t seq);
void _zslab_zst_zone_set_seq(zst_zone_t *z, uint64_t seq);
uint32_t _zslab_zst_zone_active(const zslab_store_t *s);

/* write.c */
int _zslab_zst_submit(zslab_store_t *s, zst_slab_t *sl, bool maint_held);
int _zslab_zst_submit_async(zslab_store_t *s, zst_slab_t *sl, bool maint_held);
int _zslab_zst_reap_started(zslab_store_t *s, bool maint_held);
int _zslab_zst_flush_locked(zslab_store_t *s);
int _zslab_zst_tombstone(zslab_store_t *s, uint64_t id, uint64_t kill_seq, zst_slab_t **sealed);
zst_slab_t *_zslab_zst_detach(zslab_store_t *s, zst_slab_t *sl);
void _zslab_zst_tail_remove(zslab_store_t *s, uint32_t idx);

/* reclaim.c */
int _zslab_zst_reclaim_locked(zslab_store_t *s, uint32_t zones, uint32_t *reclaimed);

/* recover.c */
int _zslab_zst_recover(zslab_store_t *s);
int _zslab_zst_scan_zone(zslab_store_t *s, uint32_t zone, zst_scan_t *scan);
int _zslab_zst_read(zslab_store_t *s, uint64_t lba, void *buf, size_t bytes);
uint8_t *_zslab_zst_scan_buf(zslab_store_t *s);
uint32_t _zslab_zst_budget(const zslab_store_t *s, uint32_t active_outside, uint32_t open_outside);

/* cache.c */
bool _zslab_zst_cache_lookup(zslab_store_t *s, uint32_t zone, uint64_t pos, uint32_t len,
                             void *dst);
int _zslab_zst_cache_read(zslab_store_t *s, uint32_t zone, uint64_t pos, uint32_t len, void *dst);
void _zslab_zst_cache_fini(zslab_store_t *s);

/* store.c */
int _zslab_zst_put_locked(zslab_store_t *s, uint64_t id, const void *data, uint32_t len,
                          bool migrate, zst_slab_t **sealed);
bool _zslab_zst_drop_entry(zslab_store_t *s, uint64_t loc);

void _zslab_zst_event(zslab_store_t *s, zslab_store_event_kind_t kind, uint64_t lba, int err,
                      const char *reason);
zslab_fmt_t *_zslab_zst_error_begin(zslab_store_t *s, zslab_fmt_t *f);
int _zslab_zst_error_dev(zslab_store_t *s, int err, const char *what, uint64_t lba);

#endif /* ZSLAB_STORE_H */
