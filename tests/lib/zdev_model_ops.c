/* SPDX-License-Identifier: MIT */
/*
 * zdev_model_ops.c - struct zslab_zdev_ops on the model device.  Every call
 * holds the model's lock, so threads may share one model.
 * zdev_model_async_ops adds append_start/append_wait: a started append is
 * done by the model only when it is waited for, so a caller that touched its
 * buffer before the wait, or waited twice, is caught.
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

/* What both tables hold. */
#define MODEL_OPS                                                                                  \
    .identify = ops_identify, .report = ops_report, .append = ops_append, .read = ops_read,        \
    .manage = ops_manage, .flush = ops_flush

const struct zslab_zdev_ops zdev_model_ops = {MODEL_OPS};

/* Started appends, by tag: done at append_wait (the caller's buffer must be
 * left alone until then). */
static struct started {
    bool busy;
    void *dev;
    uint64_t zslba;
    const void *buf;
    size_t len;
} started[ZSLAB_ZDEV_ASYNC_TAGS];
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;

static int ops_append_start(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                            uint32_t tag)
{
    int err = 0;
    pthread_mutex_lock(&started_lock);
    if (tag >= ZSLAB_ZDEV_ASYNC_TAGS || started[tag].busy) {
        err = -ZSLAB_EINVAL; /* the store started a tag twice: a bug */
    } else {
        struct started st = {true, dev, zone_start_lba, buf, len_bytes};
        started[tag] = st;
    }
    pthread_mutex_unlock(&started_lock);
    return err;
}

static int ops_append_wait(void *dev, uint32_t tag, uint64_t *out_lba)
{
    pthread_mutex_lock(&started_lock);
    struct started st = tag < ZSLAB_ZDEV_ASYNC_TAGS ? started[tag] : (struct started){0};
    if (st.busy && st.dev == dev)
        started[tag].busy = false;
    pthread_mutex_unlock(&started_lock);
    if (!st.busy || st.dev != dev)
        return -ZSLAB_EINVAL; /* waited for a tag not started */
    return ops_append(dev, st.zslba, st.buf, st.len, out_lba);
}

const struct zslab_zdev_ops zdev_model_async_ops = {
    MODEL_OPS,
    .append_start = ops_append_start,
    .append_wait = ops_append_wait,
};

static int ops_append_start_refused(void *dev, uint64_t zone_start_lba, const void *buf,
                                    size_t len_bytes, uint32_t tag)
{
    (void)dev, (void)zone_start_lba, (void)buf, (void)len_bytes, (void)tag;
    return -ZSLAB_EOPNOTSUPP;
}

static int ops_append_wait_refused(void *dev, uint32_t tag, uint64_t *out_lba)
{
    (void)dev, (void)tag, (void)out_lba;
    return -ZSLAB_EINVAL; /* nothing was ever started */
}

const struct zslab_zdev_ops zdev_model_refusing_async_ops = {
    MODEL_OPS,
    .append_start = ops_append_start_refused,
    .append_wait = ops_append_wait_refused,
};
