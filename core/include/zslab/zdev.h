/* SPDX-License-Identifier: MIT */
/*
 * zdev.h - the zoned-device operations table.
 *
 * The zone backend (core/) stores slabs on a zoned device only through this
 * table.  Two implementations exist:
 *   - nvme-driver/: a real NVMe ZNS namespace through libnvme (zns_zdev_ops);
 *   - the in-memory zone model of the unit tests and fuzzers, which follows the
 *     ZNS state machine and limits but is never the product's device.
 *
 * Glossary and units:
 *   LBA      logical block; every *_lba / *_lbas field counts logical blocks of
 *            zslab_zdev_geometry.lba_bytes bytes.
 *   *_bytes  a length in bytes.
 *   zone     identified by its start LBA; [start, start + zone_size) is the
 *            address range, [start, start + zone_cap) the writable part.
 *
 * This header is the one zone vocabulary of the project: the driver
 * (nvme-driver/include/zns.h) and the zone store use its states, actions and
 * descriptor directly, so that a new capability is added here, once.
 *
 * Return convention (libnvme's), for every operation:
 *   0          success;
 *   < 0        a negated errno value, one of the ZSLAB_E* constants below
 *              (-ZSLAB_EINVAL, -ZSLAB_EIO, -ZSLAB_ENOMEM, ...);
 *   > 0        an NVMe status: (status code type << 8) | status code, without
 *              the DNR and More bits, e.g. ZSLAB_NVME_SC_ZONE_FULL.
 *
 * This header is freestanding: it includes only <stdbool.h>, <stddef.h> and
 * <stdint.h>.
 */
#ifndef ZSLAB_ZDEV_H
#define ZSLAB_ZDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zone states, with their NVMe ZNS encodings (Zone Descriptor, ZS field). */
enum zslab_zone_state {
    ZSLAB_ZONE_EMPTY = 0x1,
    ZSLAB_ZONE_IMP_OPEN = 0x2,
    ZSLAB_ZONE_EXP_OPEN = 0x3,
    ZSLAB_ZONE_CLOSED = 0x4,
    ZSLAB_ZONE_READ_ONLY = 0xd,
    ZSLAB_ZONE_FULL = 0xe,
    ZSLAB_ZONE_OFFLINE = 0xf,
};

/* Zone management actions, with their NVMe encodings (Zone Send Action). */
enum zslab_zone_action {
    ZSLAB_ZONE_CLOSE = 0x1,
    ZSLAB_ZONE_FINISH = 0x2,
    ZSLAB_ZONE_OPEN = 0x3,
    ZSLAB_ZONE_RESET = 0x4,
    ZSLAB_ZONE_OFFLINE_ACTION = 0x5,
};

/* The NVMe statuses a zoned-device user must tell apart (SCT 1). */
#define ZSLAB_NVME_SC_ZONE_BOUNDARY      0x1b8 /* Zone Boundary Error */
#define ZSLAB_NVME_SC_ZONE_FULL          0x1b9 /* Zone Is Full */
#define ZSLAB_NVME_SC_ZONE_READ_ONLY     0x1ba /* Zone Is Read Only */
#define ZSLAB_NVME_SC_ZONE_OFFLINE       0x1bb /* Zone Is Offline */
#define ZSLAB_NVME_SC_ZONE_INVALID_WRITE 0x1bc /* Zone Invalid Write */
#define ZSLAB_NVME_SC_TOO_MANY_ACTIVE    0x1bd /* Too Many Active Zones */
#define ZSLAB_NVME_SC_TOO_MANY_OPEN      0x1be /* Too Many Open Zones */
#define ZSLAB_NVME_SC_ZONE_INVALID_STATE 0x1bf /* Invalid Zone State Transition */

/* X(status, name): each of them with its name in the ZNS specification. */
#define ZSLAB_NVME_SC_ZONE_LIST(X)                                                                 \
    X(ZSLAB_NVME_SC_ZONE_BOUNDARY, "Zone Boundary Error")                                          \
    X(ZSLAB_NVME_SC_ZONE_FULL, "Zone Is Full")                                                     \
    X(ZSLAB_NVME_SC_ZONE_READ_ONLY, "Zone Is Read Only")                                           \
    X(ZSLAB_NVME_SC_ZONE_OFFLINE, "Zone Is Offline")                                               \
    X(ZSLAB_NVME_SC_ZONE_INVALID_WRITE, "Zone Invalid Write")                                      \
    X(ZSLAB_NVME_SC_TOO_MANY_ACTIVE, "Too Many Active Zones")                                      \
    X(ZSLAB_NVME_SC_TOO_MANY_OPEN, "Too Many Open Zones")                                          \
    X(ZSLAB_NVME_SC_ZONE_INVALID_STATE, "Invalid Zone State Transition")

/* The name of one of them, "Zone Is Full"...; NULL for another status. */
static inline const char *zslab_nvme_zone_status_name(int status)
{
    switch (status) {
#define ZSLAB_ZONE_STATUS_CASE(sc, text)                                                           \
    case sc:                                                                                       \
        return text;
        ZSLAB_NVME_SC_ZONE_LIST(ZSLAB_ZONE_STATUS_CASE)
#undef ZSLAB_ZONE_STATUS_CASE
    default:
        return (const char *)0;
    }
}

/* Write pointer of a zone that has none (FULL, READ_ONLY, OFFLINE). */
#define ZSLAB_ZONE_WP_NONE UINT64_MAX

/* Zone type of every ZNS zone (Zone Descriptor, ZT): sequential write required. */
#define ZSLAB_ZONE_TYPE_SEQWRITE_REQ 0x2

/*
 * errno values, by name.  The freestanding core cannot include <errno.h>, yet
 * it must tell -EIO from -ENOMEM; these are Linux's numbers (asm-generic), and
 * the hosted implementations (the driver, the model) check at compile time
 * that they equal <errno.h>'s.  Operations return them negated.
 */
#define ZSLAB_ENOENT     2  /* no such object (the store's get/delete) */
#define ZSLAB_EIO        5  /* I/O error: the command failed without a status */
#define ZSLAB_E2BIG      7  /* larger than a limit (ZASL, the largest object) */
#define ZSLAB_ENOMEM     12 /* no memory */
#define ZSLAB_EBUSY      16 /* a resource is held by someone else (zones) */
#define ZSLAB_EEXIST     17 /* already exists / already in use */
#define ZSLAB_EXDEV      18 /* range crosses a zone boundary */
#define ZSLAB_EINVAL     22 /* invalid argument */
#define ZSLAB_ENOSPC     28 /* no space left (past a capacity) */
#define ZSLAB_ERANGE     34 /* out of range (LBA, buffer too small) */
#define ZSLAB_EPROTO     71 /* on-device format of a newer version */
#define ZSLAB_EBADMSG    74 /* corrupt data: a CRC or a header does not verify */
#define ZSLAB_EOPNOTSUPP 95 /* operation not supported */

/* X(ours, errno name) for each of them: for the hosted checks against <errno.h>. */
#define ZSLAB_ERRNO_LIST(X)                                                                        \
    X(ZSLAB_ENOENT, ENOENT)                                                                        \
    X(ZSLAB_EIO, EIO)                                                                              \
    X(ZSLAB_E2BIG, E2BIG)                                                                          \
    X(ZSLAB_ENOMEM, ENOMEM)                                                                        \
    X(ZSLAB_EBUSY, EBUSY)                                                                          \
    X(ZSLAB_EEXIST, EEXIST)                                                                        \
    X(ZSLAB_EXDEV, EXDEV)                                                                          \
    X(ZSLAB_EINVAL, EINVAL)                                                                        \
    X(ZSLAB_ENOSPC, ENOSPC)                                                                        \
    X(ZSLAB_ERANGE, ERANGE)                                                                        \
    X(ZSLAB_EPROTO, EPROTO)                                                                        \
    X(ZSLAB_EBADMSG, EBADMSG)                                                                      \
    X(ZSLAB_EOPNOTSUPP, EOPNOTSUPP)

/**
 * struct zslab_zdev_geometry - what identify reports about a zoned namespace.
 * @lba_bytes:      logical block size, bytes.
 * @zone_size_lbas: zone size (address range of a zone), LBAs.
 * @zone_cap_lbas:  zone capacity (writable LBAs of a zone), <= @zone_size_lbas.
 * @nr_zones:       number of zones in the namespace.
 * @max_open:       max open zones, a count (not 0-based); 0 means no limit.
 * @max_active:     max active zones, a count (not 0-based); 0 means no limit.
 * @zasl_bytes:     largest Zone Append, bytes (ZASL, or MDTS when ZASL is 0).
 * @mdts_bytes:     largest data transfer, bytes; 0 means no limit.
 */
struct zslab_zdev_geometry {
    uint32_t lba_bytes;
    uint64_t zone_size_lbas;
    uint64_t zone_cap_lbas;
    uint32_t nr_zones;
    uint32_t max_open;
    uint32_t max_active;
    uint32_t zasl_bytes;
    uint32_t mdts_bytes;
};

/**
 * struct zslab_zone - one zone descriptor, decoded.
 * @start_lba: first LBA of the zone (zone start LBA, ZSLBA).
 * @cap_lbas:  zone capacity, LBAs.
 * @wp_lba:    write pointer, an absolute LBA; ZSLAB_ZONE_WP_NONE when the state
 *             has none (FULL, READ_ONLY, OFFLINE; devices report ~0 there).
 * @state:     an enum zslab_zone_state value.
 * @type:      zone type; ZSLAB_ZONE_TYPE_SEQWRITE_REQ.
 * @attrs:     zone attributes (ZA byte), as reported.
 */
struct zslab_zone {
    uint64_t start_lba;
    uint64_t cap_lbas;
    uint64_t wp_lba;
    uint8_t state;
    uint8_t type;
    uint8_t attrs;
};

/**
 * struct zslab_zdev_ops - operations on one zoned namespace.
 *
 * @dev is the implementation's handle, passed back unchanged.  Every operation
 * returns 0, a negated errno value or a positive NVMe status (see above).
 *
 * @identify:  fill @geo.
 * @report:    report zones starting with the zone that holds @from_lba.  On
 *             entry *@nr_zones is the capacity of @zones; on return, the number
 *             filled.  Fewer than asked means the last zone was reached.
 * @append:    Zone Append of @len_bytes (a multiple of lba_bytes, at most
 *             zasl_bytes) to the zone starting at @zone_start_lba; the device
 *             picks the LBA and it is stored in *@out_lba.  Safe to call
 *             concurrently on one zone.
 * @read:      read @len_bytes (a multiple of lba_bytes) from @lba.
 * @manage:    zone management send: apply @action to the zone starting at
 *             @zone_start_lba, or to every zone when @all_zones is true (then
 *             @zone_start_lba is ignored).
 * @flush:     make every append and write that completed before the call
 *             durable (NVMe Flush).  A device with a volatile write cache
 *             (QEMU's reports one) may lose a completed append on power loss
 *             until a flush that started after it has returned.  Zone
 *             management (reset, finish) needs no flush.
 * @append_start, @append_wait: optional (both or neither), an append that
 *             does not block its caller: append_start() queues the Zone Append
 *             of @append under @tag (0 to ZSLAB_ZDEV_ASYNC_TAGS - 1, not
 *             already started) and returns 0, or an error when nothing was
 *             queued; @buf stays untouched by the caller until
 *             append_wait(@tag) has returned the append's result (as
 *             @append's, the LBA in *@out_lba).  Every started tag is waited
 *             for exactly once, by any thread.  The zone store uses them to
 *             fill its next slab while the last one is in flight.
 *             append_start() may refuse with -ZSLAB_EOPNOTSUPP, nothing
 *             queued (a device that cannot now, e.g. the driver without
 *             io_uring): the caller then appends with @append.
 */
#define ZSLAB_ZDEV_ASYNC_TAGS 8u

struct zslab_zdev_ops {
    int (*identify)(void *dev, struct zslab_zdev_geometry *geo);
    int (*report)(void *dev, uint64_t from_lba, struct zslab_zone *zones, uint32_t *nr_zones);
    int (*append)(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                  uint64_t *out_lba);
    int (*read)(void *dev, uint64_t lba, void *buf, size_t len_bytes);
    int (*manage)(void *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                  bool all_zones);
    int (*flush)(void *dev);
    int (*append_start)(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                        uint32_t tag);
    int (*append_wait)(void *dev, uint32_t tag, uint64_t *out_lba);
};

#endif /* ZSLAB_ZDEV_H */
