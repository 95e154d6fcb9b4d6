/* SPDX-License-Identifier: MIT */
/*
 * zstore.h - the zone store: objects grouped by size class into slabs, each
 * sealed slab written to a zoned device with one Zone Append, space given
 * back a whole zone at a time by reset.  Freestanding, like the allocator it
 * takes its DRAM slabs from (zslab.h); it talks to the device only through a
 * zslab_zdev_ops table (zdev.h): nvme-driver's zns_zdev_ops on a real
 * namespace, or the test model.
 *
 * Glossary (units in brackets):
 *   object    what zslab_store_put() stores: an id [u64, any value] and 0 to
 *             zslab_store_info.max_object_bytes bytes of data.
 *   class     the size class of an object: zslab_class_of(len) for objects up
 *             to ZSLAB_MAX_CLASS_BYTES, one "large" class above.  Objects of
 *             one class share a slab.
 *   slab      slab_bytes [bytes] of DRAM, from the core allocator, holding the
 *             objects of one class until it is sealed.
 *   record    a sealed slab on the device: header, entries (id, length),
 *             objects, padded to the LBA size; written by ONE Zone Append, so
 *             a slab is never larger than ZASL (the slab size is capped by
 *             ZASL; slabs are never split).  docs/on-device-format.md.
 *   seq       a store-wide sequence number [u64], one per record; recovery
 *             lets the record with the later seq win.
 *   tombstone a record entry that says "id is deleted": the next flush
 *             writes it, so a delete is durable once that flush returns.
 *   head      the one zone the store appends to.  Every writer thread
 *             appends to it (Zone Append serializes them), so the store
 *             keeps at most one zone open for writing and the device's max
 *             open/active limits always hold.
 *   reclaim   store mode: the zone with the fewest live bytes (greedy) has
 *             its live objects put again, the store flushes, the zone is
 *             reset.  cache mode: the oldest zone is reset (FIFO), its
 *             objects become misses.
 *
 * Durability: zslab_store_put() and zslab_store_delete() return once the store has
 * the change in DRAM.  A change is durable only after a zslab_store_flush() that
 * started after it has returned 0.  After a crash, every object acknowledged
 * by such a flush comes back byte-exact, and none comes back after its
 * acknowledged delete.
 *
 * Thread safety: one store may be used by any number of threads at once.
 * Appends of different threads go to the device at the same time.
 *
 * Return codes: 0; a negated ZSLAB_E* value of zdev.h (-ZSLAB_ENOENT: no
 * such object; -ZSLAB_ENOSPC: no space; -ZSLAB_E2BIG: object too large;
 * -ZSLAB_EBADMSG: corrupt data; -ZSLAB_EPROTO: on-device format of a newer
 * version; ...); or a positive NVMe status from the device.  zslab_store_strerror()
 * names the code, zslab_store_last_error() tells what exactly failed.
 */
#ifndef ZSLAB_ZSTORE_H
#define ZSLAB_ZSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zdev.h"
#include "zslab.h"

/* The on-device format this build writes; it reads it and every older one. */
#define ZSLAB_STORE_FORMAT_VERSION 2u

/* Configuration defaults and limits (see struct zslab_store_config). */
#define ZSLAB_STORE_DEFAULT_SLAB_BYTES         (256u << 10) /* capped by ZASL */
#define ZSLAB_STORE_MIN_SLAB_BYTES             (8u << 10)
#define ZSLAB_STORE_MAX_SLAB_BYTES             (512u << 10)
#define ZSLAB_STORE_DEFAULT_RECLAIM_FREE_ZONES 2u
#define ZSLAB_STORE_DEFAULT_MAX_LIVE_PERCENT   90u
#define ZSLAB_STORE_MAX_ZONES                  131071u      /* zones in one store */
#define ZSLAB_STORE_MAX_ZONE_BYTES             (2ull << 30) /* zone capacity */
#define ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT     ((1u << 19) - 1)
#define ZSLAB_STORE_READ_WINDOW_BYTES          (64u << 10)

/* enum zslab_store_mode - what reclaim does when free zones run low. */
typedef enum zslab_store_mode {
    ZSLAB_STORE_MODE_STORE = 0, /* migrate live objects (greedy victim), then reset */
    ZSLAB_STORE_MODE_CACHE = 1, /* reset the oldest zone (FIFO): its objects become misses */
} zslab_store_mode_t;

/* What zslab_store_config.on_event reports, besides the counters. */
typedef enum zslab_store_event_kind {
    ZSLAB_STORE_EVENT_CORRUPT_SLAB = 1, /* a record failed a check: lba, reason */
    ZSLAB_STORE_EVENT_ZONE_FINISHED,    /* open: a zone left open was finished */
    ZSLAB_STORE_EVENT_ZONE_RESUMED,     /* open: appends go on in a zone left open */
    ZSLAB_STORE_EVENT_ZONE_FULL_RETRY,  /* Zone Is Full: zone finished, slab retried */
    ZSLAB_STORE_EVENT_ZONE_RESET,       /* reclaim reset a zone */
    ZSLAB_STORE_EVENT_DEVICE_ERROR,     /* a command failed: lba, err, reason */
} zslab_store_event_kind_t;

/**
 * struct zslab_store_event - one event.
 * @kind:   what happened.
 * @lba:    the record's LBA (CORRUPT_SLAB), or the zone's start LBA.
 * @err:    the error code, where there is one.
 * @reason: a short text, e.g. "payload CRC mismatch"; never NULL.
 */
typedef struct zslab_store_event {
    zslab_store_event_kind_t kind;
    uint64_t lba;
    int err;
    const char *reason;
} zslab_store_event_t;

typedef void (*zslab_store_event_fn)(void *arg, const zslab_store_event_t *event);

/**
 * struct zslab_store_config - everything a store is opened with.
 * @ops, @dev:          the zoned device (zdev.h); @dev is passed back to @ops.
 * @first_zone:         first zone of the store, a zone index.
 * @nr_zones:           zones the store owns from @first_zone; 0: all to the
 *                      end.  Every zone of the range belongs to the store: it
 *                      resets them.  At most ZSLAB_STORE_MAX_ZONES.
 * @slab_bytes:         slab size, bytes: a multiple of the LBA size in
 *                      [ZSLAB_STORE_MIN_SLAB_BYTES, ZSLAB_STORE_MAX_SLAB_BYTES]; it is
 *                      capped at the device's ZASL (a slab is one Zone Append)
 *                      and at 1/16 of the zone capacity (the end of a zone
 *                      that no record fits is lost).  0: the default.
 * @mode:               ZSLAB_STORE_MODE_STORE (default) or ZSLAB_STORE_MODE_CACHE.
 * @reclaim_free_zones: reclaim runs when fewer zones than this are empty; at
 *                      least 2 (one to migrate into).  0: the default, 2.
 * @max_live_percent:   store mode: puts are refused (-ZSLAB_ENOSPC) when live
 *                      bytes would pass this percentage of the usable space,
 *                      (nr_zones - reclaim_free_zones) x (zone capacity -
 *                      slab size): the rest keeps reclaim able to make
 *                      progress.  1..99; 0: the default, 90.
 * @max_open_zones:     zones the store may have open at once (0: the device's
 *                      limits); it needs 1, more lets a full zone be finished
 *                      while the next one is written.
 * @group_commit:       concurrent zslab_store_flush() callers share one device
 *                      flush: a caller whose changes a flush that started
 *                      after it arrived has made durable returns at once.
 * @verify_payload:     open: besides every header, read and check the payload
 *                      CRC of each record that still holds live objects
 *                      (default true).  false reads headers only.
 * @read_only:          open: scan and serve gets, never write (no finish of
 *                      zones left open, no tombstones for lost objects);
 *                      put, delete and flush return -ZSLAB_EOPNOTSUPP.
 * @read_cache_bytes:   DRAM for a cache of what gets read, in windows of
 *                      ZSLAB_STORE_READ_WINDOW_BYTES (0: no cache, each get
 *                      reads just its object's LBAs).  For scans: objects put
 *                      one after another lie in a few neighbouring windows.
 * @alloc:              the allocator of the store's DRAM (slabs, index); NULL:
 *                      the store creates its own with zslab_config_default().
 * @on_event, @event_arg: called for each event (see enum zslab_store_event_kind),
 *                      with no lock of the store held; may be NULL.
 *
 * Fill it with zslab_store_config_default(), then set @ops, @dev and what you need.
 */
typedef struct zslab_store_config {
    const struct zslab_zdev_ops *ops;
    void *dev;
    uint32_t first_zone;
    uint32_t nr_zones;
    uint32_t slab_bytes;
    zslab_store_mode_t mode;
    uint32_t reclaim_free_zones;
    uint32_t max_live_percent;
    uint32_t max_open_zones;
    bool group_commit;
    bool verify_payload;
    bool read_only;
    uint32_t read_cache_bytes;
    zslab_t *alloc;
    zslab_store_event_fn on_event;
    void *event_arg;
} zslab_store_config_t;

/*
 * The counters, defined once: COUNTER(name, doc) only grows; GAUGE(name, doc)
 * has a current value and a peak.  Write amplification is
 * device_append_bytes / put_bytes (zslab_store_write_amp_milli()).
 */
#define ZSLAB_STORE_COUNTER_LIST(COUNTER, GAUGE)                                                   \
    COUNTER(puts, "objects stored by zslab_store_put()")                                           \
    COUNTER(put_bytes, "user bytes stored by zslab_store_put() (the denominator of write amp)")    \
    COUNTER(gets, "zslab_store_get() calls that found their object")                               \
    COUNTER(read_cache_hits, "gets served from the read cache")                                    \
    COUNTER(get_misses, "zslab_store_get() calls for an id the store does not hold")               \
    COUNTER(deletes, "objects deleted by zslab_store_delete()")                                    \
    COUNTER(flushes, "zslab_store_flush() calls that returned 0")                                  \
    COUNTER(group_commit_joins, "flushes that returned at once: another flush covered them")       \
    COUNTER(slabs_sealed, "slabs sealed into records")                                             \
    COUNTER(device_appends, "Zone Append commands that completed")                                 \
    COUNTER(async_appends, "appends started without blocking the caller (append_start)")           \
    COUNTER(device_append_bytes, "bytes appended: headers, objects, padding, migrations")          \
    COUNTER(device_flushes, "device flushes (NVMe Flush)")                                         \
    COUNTER(device_reads, "read commands (gets, reclaim, recovery)")                               \
    COUNTER(device_read_bytes, "bytes read from the device")                                       \
    COUNTER(device_errors, "commands that failed, other than Zone Is Full")                        \
    COUNTER(zone_full_retries, "appends that met Zone Is Full: zone finished, slab retried")       \
    COUNTER(zone_finishes, "zones finished (Zone Finish)")                                         \
    COUNTER(zone_resets, "zones reset by reclaim")                                                 \
    COUNTER(tombstones_written, "tombstone entries sealed into records")                           \
    COUNTER(reclaims, "zones reclaimed (store: migrated and reset; cache: dropped)")               \
    COUNTER(objects_migrated, "live objects put again by store-mode reclaim")                      \
    COUNTER(bytes_migrated, "user bytes put again by store-mode reclaim")                          \
    COUNTER(objects_dropped, "live objects dropped by cache-mode reclaim (now misses)")            \
    COUNTER(bytes_dropped, "user bytes dropped by cache-mode reclaim")                             \
    COUNTER(recovery_ns, "time zslab_store_open() spent scanning, nanoseconds")                    \
    COUNTER(slabs_scanned, "record headers read and checked by zslab_store_open()")                \
    COUNTER(slabs_verified, "record payloads read and CRC-checked (open, verify)")                 \
    COUNTER(corrupt_slabs, "records that failed a check, reported by LBA and skipped")             \
    COUNTER(objects_lost, "objects of corrupt records (their newest version is gone)")             \
    COUNTER(zones_left_open, "zones found open or closed with data by zslab_store_open()")         \
    GAUGE(live_objects, "objects the store holds")                                                 \
    GAUGE(live_bytes, "user bytes of the objects the store holds")                                 \
    GAUGE(free_zones, "empty zones of the store")                                                  \
    GAUGE(index_bytes, "DRAM of the index (hash table)")                                           \
    GAUGE(slab_dram_bytes, "DRAM of slab buffers (open, in flight, pooled)")                       \
    GAUGE(appends_in_flight, "Zone Appends sent or started and not yet completed")

/* struct zslab_store_gauge - a current value and its peak. */
typedef struct zslab_store_gauge {
    uint64_t current;
    uint64_t peak;
} zslab_store_gauge_t;

/* struct zslab_store_counters - a snapshot; fields as in ZSLAB_STORE_COUNTER_LIST. */
typedef struct zslab_store_counters {
#define ZSLAB_STORE_COUNTER_FIELD_(name, doc) uint64_t name;
#define ZSLAB_STORE_GAUGE_FIELD_(name, doc)   zslab_store_gauge_t name;
    ZSLAB_STORE_COUNTER_LIST(ZSLAB_STORE_COUNTER_FIELD_, ZSLAB_STORE_GAUGE_FIELD_)
#undef ZSLAB_STORE_COUNTER_FIELD_
#undef ZSLAB_STORE_GAUGE_FIELD_
} zslab_store_counters_t;

/**
 * struct zslab_store_info - what a store is, after zslab_store_open().
 * @lba_bytes:         LBA size, bytes.
 * @first_zone, @nr_zones: the zones it owns.
 * @zone_cap_bytes:    capacity of its first zone, bytes.
 * @slab_bytes:        the slab size in use (after the caps), bytes.
 * @max_object_bytes:  the largest object a put accepts, bytes.
 * @max_live_bytes:    store mode: live bytes above which puts are refused;
 *                     cache mode: 0 (no limit: the oldest zone is dropped).
 * @zone_budget:       zones it may have open at once (device limits, minus
 *                     zones outside the store that were active at open).
 * @store_id:          identifies the store's records on the device.
 * @next_seq:          the seq the next record gets.
 * @mode:              the mode it runs in.
 */
typedef struct zslab_store_info {
    uint32_t lba_bytes;
    uint32_t first_zone;
    uint32_t nr_zones;
    uint64_t zone_cap_bytes;
    uint32_t slab_bytes;
    uint32_t max_object_bytes;
    uint64_t max_live_bytes;
    uint32_t zone_budget;
    uint64_t store_id;
    uint64_t next_seq;
    zslab_store_mode_t mode;
} zslab_store_info_t;

/* The store's view of a zone (zslab_store_zone_info()). */
typedef enum zslab_store_zone_state {
    ZSLAB_STORE_ZONE_EMPTY = 0,    /* free: reset, nothing written */
    ZSLAB_STORE_ZONE_HEAD = 1,     /* appended to now */
    ZSLAB_STORE_ZONE_RETIRING = 2, /* no room: finished when its appends complete */
    ZSLAB_STORE_ZONE_FULL = 3,     /* finished or filled: read only until reclaimed */
    ZSLAB_STORE_ZONE_BAD = 4,      /* read only or offline, or a command failed on it */
} zslab_store_zone_state_t;

/**
 * struct zslab_store_zone_info - one zone of the store.
 * @start_lba:     zone start LBA.
 * @cap_bytes:     zone capacity, bytes.
 * @written_bytes: bytes the store has appended (or found) in it.
 * @live_bytes:    user bytes of its live objects.
 * @state:         the store's view of it.
 * @min_seq, @max_seq: seq range of its records (0, 0 when empty).
 */
typedef struct zslab_store_zone_info {
    uint64_t start_lba;
    uint64_t cap_bytes;
    uint64_t written_bytes;
    uint64_t live_bytes;
    zslab_store_zone_state_t state;
    uint64_t min_seq;
    uint64_t max_seq;
} zslab_store_zone_info_t;

/* A store; opaque. */
typedef struct zslab_store zslab_store_t;

/**
 * zslab_store_config_default() - fill @cfg with the documented defaults.
 * @cfg: the config; @ops and @dev are NULL afterwards and must be set.
 */
ZSLAB_API void zslab_store_config_default(zslab_store_config_t *cfg);

/**
 * zslab_store_open() - open the store on its zones, recovering what they hold.
 * @cfg:       the configuration; copied.
 * @out:       receives the store, or NULL on failure.
 * @msg:       on failure, a one-line explanation (may be NULL).
 * @msg_bytes: size of @msg.
 *
 * An all-empty range is a new store.  Otherwise every non-empty zone is
 * scanned from its start to its write pointer: every record header is read
 * and checked, later seqs win, tombstones apply, and (cfg.verify_payload) the
 * payload CRC of each record that still holds live objects is checked.  A
 * record that fails a check is reported (ZSLAB_STORE_EVENT_CORRUPT_SLAB, by LBA)
 * and skipped; its objects are lost, and tombstones are written for them so
 * that no older version of them comes back.  Zones left open by a crash:
 * appends go on in the newest one, the others are finished.
 *
 * Return: 0; -ZSLAB_EINVAL (bad config or geometry, explained in @msg);
 * -ZSLAB_EPROTO (a record of a newer format version); -ZSLAB_EEXIST (the
 * range holds data that is not this store's); -ZSLAB_EBUSY (zones outside the
 * store use up the device's open/active limits); -ZSLAB_ENOMEM; or a device
 * error.
 */
ZSLAB_API int zslab_store_open(const zslab_store_config_t *cfg, zslab_store_t **out, char *msg,
                               size_t msg_bytes);

/**
 * zslab_store_close() - close a store.
 * @s:     the store, or NULL.
 * @flush: flush first (true), or drop what is not durable (false: as a crash
 *         would, for tests).
 *
 * The store is freed even when the flush fails.
 *
 * Return: 0, or the flush's error.
 */
ZSLAB_API int zslab_store_close(zslab_store_t *s, bool flush);

/**
 * zslab_store_format() - reset every zone of a range, so it opens as a new store.
 * @cfg:       ops, dev, first_zone and nr_zones are used.
 * @msg:       on failure, a one-line explanation (may be NULL).
 * @msg_bytes: size of @msg.
 *
 * Return: 0, -ZSLAB_EINVAL, or the device's error.
 */
ZSLAB_API int zslab_store_format(const zslab_store_config_t *cfg, char *msg, size_t msg_bytes);

/**
 * zslab_store_put() - store an object, replacing any object with the same id.
 * @s:    the store.
 * @id:   its id.
 * @data: its bytes (may be NULL when @len is 0).
 * @len:  its length, bytes, at most zslab_store_info.max_object_bytes.
 *
 * The data is copied into the open slab of its class; returns once it is
 * there (not durable until a flush).  May first run reclaim when free zones
 * are low, and may append a slab that filled up.
 *
 * Return: 0; -ZSLAB_E2BIG (too large); -ZSLAB_ENOSPC (store mode: the store
 * is full of live data, "no space"); -ZSLAB_ENOMEM; -ZSLAB_EOPNOTSUPP (read
 * only); or a device error of the reclaim it ran (the object is not stored).
 */
ZSLAB_API int zslab_store_put(zslab_store_t *s, uint64_t id, const void *data, size_t len);

/**
 * zslab_store_get() - read an object.
 * @s:       the store.
 * @id:      its id.
 * @buf:     receives its bytes.
 * @buf_len: bytes available at @buf.
 * @len:     receives its length (also when @buf is too small); may be NULL.
 *
 * From its slab if it is still in DRAM, else from the device.
 *
 * Return: 0; -ZSLAB_ENOENT when the store holds no object @id (never empty
 * data); -ZSLAB_ERANGE when @buf_len is smaller than the object; or a device
 * error.
 */
ZSLAB_API int zslab_store_get(zslab_store_t *s, uint64_t id, void *buf, size_t buf_len,
                              size_t *len);

/**
 * zslab_store_size() - the length of an object, without reading it.
 * @s:   the store.
 * @id:  its id.
 * @len: receives its length, bytes.
 *
 * Return: 0, or -ZSLAB_ENOENT.
 */
ZSLAB_API int zslab_store_size(zslab_store_t *s, uint64_t id, size_t *len);

/**
 * zslab_store_delete() - delete an object.
 * @s:  the store.
 * @id: its id.
 *
 * The object is gone for gets at once and its zone's live bytes drop; the
 * next flush writes a tombstone, which makes the delete durable.
 *
 * Return: 0; -ZSLAB_ENOENT when there is no such object; -ZSLAB_ENOMEM;
 * -ZSLAB_EOPNOTSUPP (read only).
 */
ZSLAB_API int zslab_store_delete(zslab_store_t *s, uint64_t id);

/**
 * zslab_store_flush() - make every change made before the call durable.
 * @s: the store.
 *
 * Seals every slab that holds objects or tombstones, appends each with one
 * Zone Append (a Zone Is Full answer finishes that zone and retries the slab
 * in the next), waits for the appends other threads have in flight, then
 * flushes the device.  With cfg.group_commit, a caller whose changes were
 * covered by a flush that completed while it waited returns without one.
 *
 * Return: 0 once the device acknowledged everything; otherwise the first
 * error.  Objects whose slab could not be written stay in DRAM, readable,
 * and the next flush tries again.
 */
ZSLAB_API int zslab_store_flush(zslab_store_t *s);

/**
 * zslab_store_reclaim() - run reclaim now, as puts do when free zones run low.
 * @s:     the store.
 * @zones: zones to reclaim at least (0: until reclaim_free_zones are free).
 *
 * Return: the number of zones reclaimed (>= 0), -ZSLAB_ENOSPC when store-mode
 * reclaim finds no zone whose reset would gain space, or a device error.
 */
ZSLAB_API int zslab_store_reclaim(zslab_store_t *s, uint32_t zones);

/**
 * zslab_store_verify() - read every record of the store and check both CRCs, and
 * that every live object lies in a record that verified.
 * @s:       the store.
 * @corrupt: receives the number of records that failed (each reported as
 *           ZSLAB_STORE_EVENT_CORRUPT_SLAB); may be NULL.
 *
 * Return: 0 when everything verified; -ZSLAB_EBADMSG when a record failed or
 * a live object is not where the index says; or a device error.
 */
ZSLAB_API int zslab_store_verify(zslab_store_t *s, uint64_t *corrupt);

/**
 * zslab_store_get_counters() - read the counters.
 * @s:   the store.
 * @out: the snapshot.
 */
ZSLAB_API void zslab_store_get_counters(zslab_store_t *s, zslab_store_counters_t *out);

/**
 * zslab_store_format_counters() - print @c as "name: value" lines, one per field
 * (a gauge: "name: current (peak P)"), then "write_amp: W.WWW".
 * @c:    the snapshot.
 * @buf:  where to write; always NUL-terminated when @size > 0.
 * @size: bytes at @buf.
 *
 * Return: the length of the full text, as snprintf().
 */
ZSLAB_API size_t zslab_store_format_counters(const zslab_store_counters_t *c, char *buf,
                                             size_t size);

/**
 * zslab_store_write_amp_milli() - write amplification x 1000: device bytes
 * appended per user byte put (0 when nothing was put).
 * @c: a snapshot.
 *
 * Return: e.g. 1012 for 1.012.
 */
ZSLAB_API uint64_t zslab_store_write_amp_milli(const zslab_store_counters_t *c);

/**
 * zslab_store_get_info() - what the store is.
 * @s:   the store.
 * @out: the info.
 */
ZSLAB_API void zslab_store_get_info(zslab_store_t *s, zslab_store_info_t *out);

/**
 * zslab_store_zone_info() - the store's view of one of its zones.
 * @s:     the store.
 * @index: 0 .. nr_zones - 1 (relative to first_zone).
 * @out:   the zone.
 *
 * Return: 0, or -ZSLAB_ERANGE.
 */
ZSLAB_API int zslab_store_zone_info(zslab_store_t *s, uint32_t index, zslab_store_zone_info_t *out);

/* zslab_store_for_each() callback: return non-zero to stop. */
typedef int (*zslab_store_object_fn)(void *arg, uint64_t id, size_t len);

/**
 * zslab_store_for_each() - call @fn for every object the store holds, in no
 * particular order.  @fn runs with the store locked: it must not call the
 * store.
 * @s:   the store.
 * @fn:  the callback.
 * @arg: passed to @fn.
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
ZSLAB_API int zslab_store_for_each(zslab_store_t *s, zslab_store_object_fn fn, void *arg);

/**
 * zslab_store_last_error() - what the last failed call of @s failed on.
 * @s: the store.
 *
 * Return: a one-line text (empty when nothing failed), valid until the next
 * call on @s; with several threads, one of theirs.
 */
ZSLAB_API const char *zslab_store_last_error(zslab_store_t *s);

/**
 * zslab_store_strerror() - name a return code of this API.
 * @err: the code.
 *
 * Return: a static string, e.g. "no such object" or "Zone Is Full"; never NULL.
 */
ZSLAB_API const char *zslab_store_strerror(int err);

/**
 * zslab_store_crc32c() - CRC32C (Castagnoli), as the on-device format uses it.
 * @crc:  0 to start, or the result for the bytes before @buf.
 * @buf:  the bytes.
 * @len:  their count.
 *
 * Return: the CRC of everything so far (the standard one: "123456789" gives
 * 0xe3069283).
 */
ZSLAB_API uint32_t zslab_store_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* ZSLAB_ZSTORE_H */
