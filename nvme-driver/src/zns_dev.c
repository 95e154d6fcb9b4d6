/* SPDX-License-Identifier: MIT */
/*
 * zns_dev.c - open, identify and close a zoned namespace.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libnvme.h>

#include "zns_internal.h"

/*
 * ZASL and MDTS are powers of two in units of CAP.MPSMIN.  Linux refuses any
 * controller whose MPSMIN is above 4 KiB (nvme_enable_ctrl), and CAP is not
 * readable through the namespace node, so on Linux the unit is 4 KiB.
 */
#define ZNS_LINUX_MIN_PAGE_BYTES 4096u
/* Report pages: 1024 descriptors (64 KiB, as nvme-cli), fewer under MDTS. */
#define ZNS_REPORT_BATCH_MAX 1024u
#define ZNS_ZOC_VZCAP        0x1u /* ZNS Identify Namespace, ZOC bit 0 */
#define ZNS_OZCS_RAZB        0x1u /* ZNS Identify Namespace, OZCS bit 0 */

int _zns_dev_status(int libnvme_ret)
{
    if (libnvme_ret < 0)
        return errno ? -errno : -EIO;
    if (libnvme_ret > 0 && (libnvme_ret & ZNS_STATUS_MASK) != 0)
        return libnvme_ret & ZNS_STATUS_MASK;
    return libnvme_ret;
}

/* 2^exp units of the minimum page size, capped at UINT32_MAX bytes. */
static uint32_t pow2_pages_bytes(uint8_t exp, uint32_t page_bytes)
{
    uint64_t bytes = (uint64_t)page_bytes << (exp > 20 ? 20 : exp);
    return bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

static uint32_t min_nonzero_u32(uint32_t a, uint32_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

/* MOR and MAR are 0-based, with all ones meaning no limit. */
static uint32_t zero_based_limit(uint32_t raw)
{
    return raw == UINT32_MAX ? 0 : raw + 1;
}

static int identify_lba_format(struct zns_dev *dev, uint8_t *lbaf_index)
{
    struct nvme_id_ns ns;
    int err = _zns_dev_status(nvme_identify_ns(dev->fd, dev->geo.nsid, &ns));
    if (err)
        return err;
    nvme_id_ns_flbas_to_lbaf_inuse(ns.flbas, lbaf_index);
    const struct nvme_lbaf *lbaf = &ns.lbaf[*lbaf_index];
    if (le16toh(lbaf->ms) != 0)
        return -EOPNOTSUPP;
    if (lbaf->ds < 9 || lbaf->ds > 16)
        return -EOPNOTSUPP;
    dev->geo.lba_bytes = 1u << lbaf->ds;
    dev->geo.ns_lbas = le64toh(ns.nsze);
    return 0;
}

static int identify_zns_ns(struct zns_dev *dev, uint8_t lbaf_index)
{
    struct nvme_zns_id_ns zns;
    int err = _zns_dev_status(nvme_zns_identify_ns(dev->fd, dev->geo.nsid, &zns));
    if (err > 0)
        return -EMEDIUMTYPE; /* a conventional namespace refuses CSI 2 */
    if (err)
        return err;
    uint64_t zsze = le64toh(zns.lbafe[lbaf_index].zsze);
    if (zsze == 0)
        return -EMEDIUMTYPE;
    struct zns_geometry *geo = &dev->geo;
    geo->zone_size_lbas = zsze;
    geo->zone_size_bytes = zsze * geo->lba_bytes;
    geo->nr_zones = (uint32_t)(geo->ns_lbas / zsze);
    geo->max_open_zones = zero_based_limit(le32toh(zns.mor));
    geo->max_active_zones = zero_based_limit(le32toh(zns.mar));
    geo->variable_zone_cap = le16toh(zns.zoc) & ZNS_ZOC_VZCAP;
    geo->read_across_zones = le16toh(zns.ozcs) & ZNS_OZCS_RAZB;
    return 0;
}

static int identify_limits(struct zns_dev *dev)
{
    struct nvme_id_ctrl ctrl;
    struct nvme_zns_id_ctrl zctrl;
    struct zns_geometry *geo = &dev->geo;
    int err = _zns_dev_status(nvme_identify_ctrl(dev->fd, &ctrl));
    if (err)
        return err;
    err = _zns_dev_status(nvme_zns_identify_ctrl(dev->fd, &zctrl));
    if (err)
        return err;
    geo->min_page_bytes = ZNS_LINUX_MIN_PAGE_BYTES;
    geo->mdts_bytes = ctrl.mdts ? pow2_pages_bytes(ctrl.mdts, geo->min_page_bytes) : 0;
    uint32_t nlb_max_bytes = ZNS_MAX_NLB_LBAS * geo->lba_bytes;
    uint32_t max_io = min_nonzero_u32(geo->mdts_bytes, nlb_max_bytes);
    max_io = min_nonzero_u32(max_io, _zns_host_max_io_bytes(dev->fd));
    geo->max_io_bytes = max_io - max_io % geo->lba_bytes;
    uint32_t zasl = zctrl.zasl ? pow2_pages_bytes(zctrl.zasl, geo->min_page_bytes) : 0;
    /* Every command obeys MDTS and the host's limit; QEMU refuses a ZASL above MDTS. */
    geo->zasl_bytes = min_nonzero_u32(min_nonzero_u32(zasl, geo->mdts_bytes), geo->max_io_bytes);
    return 0;
}

static void size_report_batch(struct zns_dev *dev)
{
    const uint32_t desc_bytes = sizeof(struct nvme_zns_desc);
    uint32_t fit = (dev->geo.max_io_bytes - sizeof(struct nvme_zone_report)) / desc_bytes;
    dev->report_batch_zones = fit < ZNS_REPORT_BATCH_MAX ? fit : ZNS_REPORT_BATCH_MAX;
    if (dev->report_batch_zones == 0)
        dev->report_batch_zones = 1;
}

static int identify(struct zns_dev *dev)
{
    uint8_t lbaf_index = 0;
    int err = identify_lba_format(dev, &lbaf_index);
    if (!err)
        err = identify_zns_ns(dev, lbaf_index);
    if (!err)
        err = identify_limits(dev);
    if (err)
        return err;
    size_report_batch(dev);
    struct zslab_zone first;
    err = zns_report_zone(dev, 0, &first);
    if (err)
        return err;
    dev->geo.zone_cap_lbas = first.cap_lbas;
    dev->geo.zone_cap_bytes = first.cap_lbas * dev->geo.lba_bytes;
    return 0;
}

int zns_open(struct zns_dev *dev, const char *path, bool writable)
{
    if (!dev || !path)
        return -EINVAL;
    memset(dev, 0, sizeof(*dev));
    dev->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (dev->fd < 0)
        return -errno;
    struct stat st;
    int err = 0;
    if (fstat(dev->fd, &st) != 0)
        err = -errno;
    else if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        err = -ENOTTY;
    else if (nvme_get_nsid(dev->fd, &dev->geo.nsid) != 0 || dev->geo.nsid == 0)
        err = -ENOTTY; /* e.g. the controller node /dev/nvme0, or /dev/null */
    if (!err)
        err = identify(dev);
    if (err) {
        close(dev->fd);
        dev->fd = -1;
    }
    return err;
}

int zns_close(struct zns_dev *dev)
{
    if (!dev || dev->fd < 0)
        return -EINVAL;
    zns_async_close(dev);
    int err = close(dev->fd) ? -errno : 0;
    dev->fd = -1;
    return err;
}
