/* SPDX-License-Identifier: MIT */
/*
 * zns_zdev.c - the zoned-device operations table (zslab/zdev.h) on a
 * struct zns_dev, for the zone store.  Units match one to one (LBAs for
 * addresses, bytes for lengths), and so do the types: the driver decodes
 * zones straight into struct zslab_zone, so nothing is copied.  The
 * asynchronous appends need zns_async_open(); without it append_start says
 * -EOPNOTSUPP and the store appends synchronously.
 */
#include <errno.h>

#include "zns_internal.h"

/* zdev.h names errno values for the freestanding core: they must be ours. */
#define SAME_ERRNO(ours, theirs) _Static_assert(ours == theirs, #ours);
ZSLAB_ERRNO_LIST(SAME_ERRNO)
#undef SAME_ERRNO

static int zdev_identify(void *dev, struct zslab_zdev_geometry *out)
{
    const struct zns_geometry *geo = &((const struct zns_dev *)dev)->geo;
    if (!out)
        return -EINVAL;
    out->lba_bytes = geo->lba_bytes;
    out->zone_size_lbas = geo->zone_size_lbas;
    out->zone_cap_lbas = geo->zone_cap_lbas;
    out->nr_zones = geo->nr_zones;
    out->max_open = geo->max_open_zones;
    out->max_active = geo->max_active_zones;
    out->zasl_bytes = geo->zasl_bytes;
    out->mdts_bytes = geo->mdts_bytes;
    return 0;
}

static int zdev_report(void *dev, uint64_t from_lba, struct zslab_zone *zones, uint32_t *nr_zones)
{
    return zns_report_zones(dev, from_lba, ZNS_REPORT_ALL, zones, nr_zones);
}

static int zdev_append(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                       uint64_t *out_lba)
{
    return zns_append(dev, zone_start_lba, buf, len_bytes, out_lba);
}

static int zdev_read(void *dev, uint64_t lba, void *buf, size_t len_bytes)
{
    return zns_read(dev, lba, buf, len_bytes);
}

static int zdev_manage(void *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                       bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, action, all_zones);
}

static int zdev_flush(void *dev)
{
    return zns_flush(dev);
}

static int zdev_append_start(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                             uint32_t tag)
{
    return zns_append_start(dev, zone_start_lba, buf, len_bytes, tag);
}

static int zdev_append_wait(void *dev, uint32_t tag, uint64_t *out_lba)
{
    return zns_append_wait(dev, tag, out_lba);
}

const struct zslab_zdev_ops zns_zdev_ops = {
    .identify = zdev_identify,
    .report = zdev_report,
    .append = zdev_append,
    .read = zdev_read,
    .manage = zdev_manage,
    .flush = zdev_flush,
    .append_start = zdev_append_start,
    .append_wait = zdev_append_wait,
};
