/* SPDX-License-Identifier: MIT */
/*
 * zdev_model.h - an in-memory zoned device that follows the NVMe ZNS state
 * machine and limits, for tests only (never the product's device).
 *
 * It implements struct zslab_zdev_ops (zslab/zdev.h), plus a plain write,
 * and behaves as QEMU 7.2's emulated ZNS namespace does, in the same order of
 * checks, so a seeded sequence of operations gives the same statuses and the
 * same final zone report on both:
 *   - zone capacity may be smaller than zone size; writes reaching the
 *     capacity make the zone FULL;
 *   - max open and max active zones hold; with @auto_close (QEMU's
 *     zoned.auto_transition, on by default) opening a zone when the open limit
 *     is reached first closes the implicitly open zone opened longest ago;
 *   - write only at the write pointer; write and append open a zone
 *     implicitly; append is limited by ZASL;
 *   - failures are NVMe statuses (positive), as zdev.h says.
 * Units: LBAs for addresses, bytes for lengths, as in zdev.h.
 *
 * For recovery tests it also models what a crash does to a device with a
 * volatile write cache (zdev_model_crash(): drop every write since the last
 * flush, or tear the last one) and injects failures (zdev_model_fail()); see
 * zdev_model_crash.c.  The ops table takes a lock, so several threads may
 * share one model through it.
 */
#ifndef ZDEV_MODEL_H
#define ZDEV_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zslab/zdev.h>

/* Generic NVMe statuses the model returns besides the ZNS ones. */
#define ZDEV_MODEL_SC_INVALID_FIELD 0x002 /* Invalid Field in Command */
#define ZDEV_MODEL_SC_LBA_RANGE     0x080 /* LBA Out of Range */

/**
 * struct zdev_model_config - geometry and limits of a model device.
 * @geo:        the geometry identify reports (units as in zslab/zdev.h), with
 *              two rules of the model: lba_bytes is a power of two of at
 *              least 512, and zasl_bytes 0 means mdts_bytes (identify then
 *              reports mdts_bytes); mdts_bytes 0 means unlimited.
 * @auto_close: close the oldest implicitly open zone to make room.
 * @keep_data:  store written data so reads return it (else zeros).
 */
struct zdev_model_config {
    struct zslab_zdev_geometry geo;
    bool auto_close;
    bool keep_data;
};

/**
 * struct zdev_model_zone - one zone of the model.
 * @wp_lba:      write pointer, absolute LBA; in a FULL zone, the end of what
 *               was written (the report shows no write pointer there).
 * @flushed_lba: the part [zone start, @flushed_lba) is durable: it was
 *               written before the last flush (or a reset made it empty).
 * @state:       an enum zslab_zone_state value.
 * @state_seq:   when the zone entered @state (a counter): QEMU keeps zones of
 *               a state in lists in that order, which decides which zone
 *               auto_close picks and the order of Select All.
 */
struct zdev_model_zone {
    uint64_t wp_lba;
    uint64_t flushed_lba;
    uint8_t state;
    uint64_t state_seq;
};

/* The commands zdev_model_fail() can make fail; ANY is each of them. */
enum zdev_model_op {
    ZDEV_MODEL_OP_ANY,
    ZDEV_MODEL_OP_WRITE,
    ZDEV_MODEL_OP_APPEND,
    ZDEV_MODEL_OP_READ,
    ZDEV_MODEL_OP_MANAGE,
    ZDEV_MODEL_OP_REPORT,
    ZDEV_MODEL_OP_FLUSH,
    ZDEV_MODEL_NR_OPS,
};

/**
 * struct zdev_model_fault - a failure armed by zdev_model_fail().
 * @op:     which command fails.
 * @skip:   calls of @op that still succeed first.
 * @times:  calls that then fail (UINT32_MAX: every one from then on).
 * @status: what they return: a negated errno value or an NVMe status.
 */
struct zdev_model_fault {
    enum zdev_model_op op;
    uint32_t skip;
    uint32_t times;
    int status;
};

/**
 * struct zdev_model - a model device; the caller owns it.
 * @cfg:       configuration, copied at init.
 * @zones:     @cfg.nr_zones zones.
 * @nr_open:   zones implicitly or explicitly open.
 * @nr_active: zones open or closed.
 * @seq:       last state_seq handed out.
 * @data:      stored data when @cfg.keep_data, else NULL.
 * @last_lba, @last_nlbas: the last write or append since the last flush
 *             (@last_nlbas 0: none), the one zdev_model_crash() tears.
 * @fault:     the armed failure (times 0: none).
 * @calls:     commands received, per enum zdev_model_op (ANY: all).
 * @limit_statuses: Too Many Open or Too Many Active Zones answers given.
 * @lock:      taken by the ops table around every call.
 */
struct zdev_model {
    struct zdev_model_config cfg;
    struct zdev_model_zone *zones;
    uint32_t nr_open;
    uint32_t nr_active;
    uint64_t seq;
    unsigned char *data;
    uint64_t last_lba;
    uint64_t last_nlbas;
    struct zdev_model_fault fault;
    uint64_t calls[ZDEV_MODEL_NR_OPS];
    uint64_t limit_statuses;
    pthread_mutex_t lock;
};

/**
 * zdev_model_init() - create a model with every zone EMPTY.
 * @m:   the model to fill.
 * @cfg: geometry and limits.
 *
 * Return: 0, -EINVAL for an impossible geometry, -ENOMEM.
 */
int zdev_model_init(struct zdev_model *m, const struct zdev_model_config *cfg);

/**
 * zdev_model_destroy() - free what zdev_model_init() allocated.
 * @m: the model.
 */
void zdev_model_destroy(struct zdev_model *m);

/**
 * zdev_model_write() - the Write command.
 * @m:         the model.
 * @lba:       first LBA.
 * @buf:       data (may be NULL when the model keeps no data).
 * @len_bytes: length, bytes, a multiple of the LBA size.
 *
 * Return: 0, -EINVAL for a bad length, or an NVMe status.
 */
int zdev_model_write(struct zdev_model *m, uint64_t lba, const void *buf, size_t len_bytes);

/**
 * zdev_model_append() - the Zone Append command.
 * @m:              the model.
 * @zone_start_lba: start LBA of the zone.
 * @buf:            data (may be NULL when the model keeps no data).
 * @len_bytes:      length, bytes.
 * @out_lba:        receives the LBA written.
 *
 * Return: 0, -EINVAL for a bad length, or an NVMe status.
 */
int zdev_model_append(struct zdev_model *m, uint64_t zone_start_lba, const void *buf,
                      size_t len_bytes, uint64_t *out_lba);

/**
 * zdev_model_read() - the Read command.
 * @m:         the model.
 * @lba:       first LBA.
 * @buf:       receives the data (zeros where nothing was written).
 * @len_bytes: length, bytes.
 *
 * Return: 0, -EINVAL for a bad length, or an NVMe status.
 */
int zdev_model_read(struct zdev_model *m, uint64_t lba, void *buf, size_t len_bytes);

/**
 * zdev_model_manage() - Zone Management Send.
 * @m:              the model.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @action:         the zone send action (1-5).
 * @all_zones:      Select All.
 *
 * Return: 0 or an NVMe status.
 */
int zdev_model_manage(struct zdev_model *m, uint64_t zone_start_lba, unsigned action,
                      bool all_zones);

/**
 * zdev_model_report() - Report Zones with a state filter.
 * @m:        the model.
 * @from_lba: report from the zone that holds this LBA.
 * @filter:   0 all, else the Report Zones filter (1 EMPTY ... 7 OFFLINE).
 * @zones:    receives the descriptors (wp ZSLAB_ZONE_WP_NONE where none).
 * @nr_zones: in: capacity of @zones; out: filled.
 *
 * Return: 0, -EINVAL, or an NVMe status (LBA Out of Range).
 */
int zdev_model_report(const struct zdev_model *m, uint64_t from_lba, unsigned filter,
                      struct zslab_zone *zones, uint32_t *nr_zones);

/**
 * zdev_model_set_state() - force a zone into READ_ONLY or OFFLINE (media
 * failure), to test those paths; limits are kept consistent.
 * @m:          the model.
 * @zone_index: zone number.
 * @state:      ZSLAB_ZONE_READ_ONLY or ZSLAB_ZONE_OFFLINE.
 *
 * Return: 0 or -EINVAL.
 */
int zdev_model_set_state(struct zdev_model *m, uint32_t zone_index, uint8_t state);

/**
 * zdev_model_flush() - the Flush command: everything written so far becomes
 * durable (survives zdev_model_crash()).
 * @m: the model.
 *
 * Return: 0, or the armed failure's status.
 */
int zdev_model_flush(struct zdev_model *m);

/* What a crash does to data that was written but not flushed. */
enum zdev_model_crash {
    ZDEV_MODEL_CRASH_KEEP,           /* nothing lost: every completed write stays */
    ZDEV_MODEL_CRASH_DROP_UNFLUSHED, /* every write and append since the last flush is lost */
    ZDEV_MODEL_CRASH_TEAR_LAST,      /* the last write or append keeps only a prefix */
};

/**
 * zdev_model_crash() - power loss, then power back.
 * @m:          the model.
 * @mode:       what happens to unflushed data.
 * @keep_lbas:  TEAR_LAST: how many LBAs of the last write survive (the write
 *              pointer comes back to their end); ignored otherwise.
 * @close_open: as a controller shut down in order (the lab's power-cycle):
 *              open zones come back CLOSED, or EMPTY if nothing survived in
 *              them.  false: as `power-cycle --raw`, open zones stay open.
 *
 * Lost LBAs read back as zeros.  A zone that lost all its data is EMPTY; a
 * FULL zone whose last write was torn comes back CLOSED.  Afterwards
 * everything left is durable.
 */
void zdev_model_crash(struct zdev_model *m, enum zdev_model_crash mode, uint64_t keep_lbas,
                      bool close_open);

/**
 * zdev_model_fail() - make commands fail, to test error paths.
 * @m:     the model.
 * @fault: which command, after how many successes, how often, with what;
 *         replaces any fault armed before.  A failing command has no effect.
 */
void zdev_model_fail(struct zdev_model *m, const struct zdev_model_fault *fault);

/**
 * zdev_model_poke() - change one byte of the stored data behind the
 * device's back (media corruption), to test CRC checks.
 * @m:      the model (with keep_data).
 * @lba:    the LBA.
 * @offset: byte offset in it.
 * @xor:    bits to flip.
 *
 * Return: 0, or -EINVAL when out of range or the model keeps no data.
 */
int zdev_model_poke(struct zdev_model *m, uint64_t lba, uint32_t offset, uint8_t xor);

/* Internal to the model's files: counts a call of @op and returns the armed
 * failure's status when it is @op's turn to fail, else 0. */
int _zdev_model_fault(struct zdev_model *m, enum zdev_model_op op);

/* The operations table; pass a struct zdev_model * as @dev. */
extern const struct zslab_zdev_ops zdev_model_ops;
/* The same with append_start/append_wait; a started append is done when it
 * is waited for. */
extern const struct zslab_zdev_ops zdev_model_async_ops;
/* The same tables' append_start refusing with -ZSLAB_EOPNOTSUPP, nothing
 * queued, as the driver's does without io_uring: the store appends
 * synchronously. */
extern const struct zslab_zdev_ops zdev_model_refusing_async_ops;

#endif /* ZDEV_MODEL_H */
