/* SPDX-License-Identifier: MIT */
/*
 * zdev_model_ops.c - struct zslab_zdev_ops on the model device.  Every call
 * holds the model's lock, so threads may share one model.
 */
#include "zdev_model.h"

static struct zdev_model *lock(void *dev)
{
    struct zdev_model *m = dev;
    pthread_mutex_lock(&m->lock);
    return m;
}

static int unlock(struct zdev_model *m, int ret)
{
    pthread_mutex_unlock(&m->lock);
    return ret;
}

static int ops_identify(void *dev, struct zslab_zdev_geometry *geo)
{
    const struct zdev_model *m = dev;
    *geo = m->cfg.geo;
    if (!geo->zasl_bytes)
        geo->zasl_bytes = geo->mdts_bytes;
    return 0;
}

static int report_locked(struct zdev_model *m, uint64_t from_lba, struct zslab_zone *zones,
                         uint32_t *nr_zones)
{
    int fault = _zdev_model_fault(m, ZDEV_MODEL_OP_REPORT);
    return fault ? fault : zdev_model_report(m, from_lba, 0, zones, nr_zones);
}

static int ops_report(void *dev, uint64_t from_lba, struct zslab_zone *zones, uint32_t *nr_zones)
{
    struct zdev_model *m = lock(dev);
    return unlock(m, report_locked(m, from_lba, zones, nr_zones));
}

static int ops_append(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                      uint64_t *out_lba)
{
    struct zdev_model *m = lock(dev);
    return unlock(m, zdev_model_append(m, zone_start_lba, buf, len_bytes, out_lba));
}

static int ops_read(void *dev, uint64_t lba, void *buf, size_t len_bytes)
{
    struct zdev_model *m = lock(dev);
    return unlock(m, zdev_model_read(m, lba, buf, len_bytes));
}

static int ops_manage(void *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                      bool all_zones)
{
    struct zdev_model *m = lock(dev);
    return unlock(m, zdev_model_manage(m, zone_start_lba, (unsigned)action, all_zones));
}

static int ops_flush(void *dev)
{
    struct zdev_model *m = lock(dev);
    return unlock(m, zdev_model_flush(m));
}

const struct zslab_zdev_ops zdev_model_ops = {
    .identify = ops_identify,
    .report = ops_report,
    .append = ops_append,
    .read = ops_read,
    .manage = ops_manage,
    .flush = ops_flush,
};
