/* SPDX-License-Identifier: MIT */
/*
 * zns_io.c - Zone Append, write and read, checked before they are sent; Flush.
 */
#include <errno.h>

#include <libnvme.h>

#include "zns_internal.h"

int zns_append(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
               size_t len_bytes, uint64_t *out_lba)
{
    if (!dev || !buf)
        return -EINVAL;
    int err = dev->skip_checks ? _zns_check_nlb_field(&dev->geo, len_bytes)
                               : _zns_check_append(&dev->geo, zone_start_lba, len_bytes);
    if (err)
        return err;
    __u64 result = 0;
    struct nvme_zns_append_args args = {
        .zslba = zone_start_lba,
        .result = &result,
        .data = (void *)buf,
        .metadata = NULL,
        .args_size = sizeof(args),
        .fd = dev->fd,
        .timeout = NVME_DEFAULT_IOCTL_TIMEOUT,
        .nsid = dev->geo.nsid,
        .data_len = (__u32)len_bytes,
        .nlb = (__u16)(len_bytes / dev->geo.lba_bytes - 1),
    };
    err = _zns_dev_status(nvme_zns_append(&args));
    if (!err && out_lba)
        *out_lba = result;
    return err;
}

uint32_t zns_append_nr_chunks(const struct zns_dev *dev, size_t len_bytes)
{
    if (!dev || dev->geo.zasl_bytes == 0)
        return 0;
    return (uint32_t)((len_bytes + dev->geo.zasl_bytes - 1) / dev->geo.zasl_bytes);
}

int zns_append_split(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                     size_t len_bytes, uint64_t *chunk_lbas, uint32_t max_chunks, uint32_t *nr_done)
{
    if (!dev || !buf || !chunk_lbas || !nr_done)
        return -EINVAL;
    *nr_done = 0;
    int err = _zns_check_len(&dev->geo, len_bytes);
    if (err)
        return err;
    if (zns_append_nr_chunks(dev, len_bytes) > max_chunks)
        return -ENOSPC;
    const unsigned char *at = buf;
    size_t left = len_bytes;
    while (left > 0) {
        size_t chunk = left < dev->geo.zasl_bytes ? left : dev->geo.zasl_bytes;
        err = zns_append(dev, zone_start_lba, at, chunk, &chunk_lbas[*nr_done]);
        if (err)
            return err;
        (*nr_done)++;
        at += chunk;
        left -= chunk;
    }
    return 0;
}

/* One read or write command of at most max_io_bytes. */
static int io_once(const struct zns_dev *dev, uint8_t opcode, uint64_t lba, void *buf,
                   size_t len_bytes)
{
    struct nvme_io_args args = {
        .slba = lba,
        .result = NULL,
        .data = buf,
        .metadata = NULL,
        .args_size = sizeof(args),
        .fd = dev->fd,
        .timeout = NVME_DEFAULT_IOCTL_TIMEOUT,
        .nsid = dev->geo.nsid,
        .data_len = (__u32)len_bytes,
        .nlb = (__u16)(len_bytes / dev->geo.lba_bytes - 1),
    };
    return _zns_dev_status(nvme_io(&args, opcode));
}

/* Sends [lba, lba + len) in max_io_bytes pieces, in order; checks are done. */
static int io_split(const struct zns_dev *dev, uint8_t opcode, uint64_t lba, void *buf,
                    size_t len_bytes)
{
    unsigned char *at = buf;
    while (len_bytes > 0) {
        size_t chunk = len_bytes < dev->geo.max_io_bytes ? len_bytes : dev->geo.max_io_bytes;
        int err = io_once(dev, opcode, lba, at, chunk);
        if (err)
            return err;
        lba += chunk / dev->geo.lba_bytes;
        at += chunk;
        len_bytes -= chunk;
    }
    return 0;
}

/* The capacity of the zone that holds @lba: reported only if it may vary. */
static int zone_cap_of(const struct zns_dev *dev, uint64_t lba, uint64_t *cap_lbas)
{
    *cap_lbas = dev->geo.zone_cap_lbas;
    if (!dev->geo.variable_zone_cap || lba >= dev->geo.ns_lbas)
        return 0;
    struct zslab_zone zone;
    int err = zns_report_zone(dev, lba, &zone);
    if (!err)
        *cap_lbas = zone.cap_lbas;
    return err;
}

int zns_write(const struct zns_dev *dev, uint64_t lba, const void *buf, size_t len_bytes)
{
    if (!dev || !buf)
        return -EINVAL;
    uint64_t cap_lbas = 0;
    int err = dev->skip_checks ? 0 : zone_cap_of(dev, lba, &cap_lbas);
    if (!err)
        err = dev->skip_checks ? _zns_check_len(&dev->geo, len_bytes)
                               : _zns_check_write(&dev->geo, lba, len_bytes, cap_lbas);
    if (err)
        return err;
    return io_split(dev, nvme_cmd_write, lba, (void *)buf, len_bytes);
}

int zns_write_at_wp(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                    size_t len_bytes, uint64_t *out_lba)
{
    if (!dev || !buf)
        return -EINVAL;
    int err = _zns_check_zone_start(&dev->geo, zone_start_lba);
    if (err)
        return err;
    struct zslab_zone zone;
    err = zns_report_zone(dev, zone_start_lba, &zone);
    if (err)
        return err;
    if (zone.wp_lba == ZSLAB_ZONE_WP_NONE)
        return zone.state == ZSLAB_ZONE_FULL      ? ZSLAB_NVME_SC_ZONE_FULL
               : zone.state == ZSLAB_ZONE_OFFLINE ? ZSLAB_NVME_SC_ZONE_OFFLINE
                                                  : ZSLAB_NVME_SC_ZONE_READ_ONLY;
    err = dev->skip_checks ? _zns_check_len(&dev->geo, len_bytes)
                           : _zns_check_write(&dev->geo, zone.wp_lba, len_bytes, zone.cap_lbas);
    if (err)
        return err;
    err = io_split(dev, nvme_cmd_write, zone.wp_lba, (void *)buf, len_bytes);
    if (!err && out_lba)
        *out_lba = zone.wp_lba;
    return err;
}

int zns_read(const struct zns_dev *dev, uint64_t lba, void *buf, size_t len_bytes)
{
    if (!dev || !buf)
        return -EINVAL;
    int err = dev->skip_checks ? _zns_check_len(&dev->geo, len_bytes)
                               : _zns_check_read(&dev->geo, lba, len_bytes);
    if (err)
        return err;
    return io_split(dev, nvme_cmd_read, lba, buf, len_bytes);
}

int zns_flush(const struct zns_dev *dev)
{
    if (!dev)
        return -EINVAL;
    return _zns_dev_status(nvme_flush(dev->fd, dev->geo.nsid));
}
