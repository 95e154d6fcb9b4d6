/* SPDX-License-Identifier: MIT */
/*
 * zdev_model_ops.c - struct zslab_zdev_ops on the model device.
 */
#include "zdev_model.h"

static int ops_identify(void *dev, struct zslab_zdev_geometry *geo)
{
    const struct zdev_model *m = dev;
    *geo = m->cfg.geo;
    if (!geo->zasl_bytes)
        geo->zasl_bytes = geo->mdts_bytes;
    return 0;
}

static int ops_report(void *dev, uint64_t from_lba, struct zslab_zone *zones, uint32_t *nr_zones)
{
    return zdev_model_report(dev, from_lba, 0, zones, nr_zones);
}

static int ops_append(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                      uint64_t *out_lba)
{
    return zdev_model_append(dev, zone_start_lba, buf, len_bytes, out_lba);
}

static int ops_read(void *dev, uint64_t lba, void *buf, size_t len_bytes)
{
    return zdev_model_read(dev, lba, buf, len_bytes);
}

static int ops_manage(void *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                      bool all_zones)
{
    return zdev_model_manage(dev, zone_start_lba, (unsigned)action, all_zones);
}

const struct zslab_zdev_ops zdev_model_ops = {
    .identify = ops_identify,
    .report = ops_report,
    .append = ops_append,
    .read = ops_read,
    .manage = ops_manage,
};
