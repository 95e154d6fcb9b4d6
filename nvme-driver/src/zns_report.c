/* SPDX-License-Identifier: MIT */
/*
 * zns_report.c - Report Zones, paginated, with the descriptor decoding.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include <libnvme.h>

#include "zns_internal.h"

static bool state_has_wp(enum zslab_zone_state state)
{
    return state != ZSLAB_ZONE_FULL && state != ZSLAB_ZONE_READ_ONLY && state != ZSLAB_ZONE_OFFLINE;
}

/* The state is the high nibble of ZS; devices report wp ~0 where it has none. */
static void decode_desc(const struct nvme_zns_desc *desc, struct zslab_zone *zone)
{
    zone->state = (enum zslab_zone_state)(desc->zs >> 4);
    zone->type = desc->zt & 0xf;
    zone->attrs = desc->za;
    zone->start_lba = le64toh(desc->zslba);
    zone->cap_lbas = le64toh(desc->zcap);
    zone->wp_lba = state_has_wp(zone->state) ? le64toh(desc->wp) : ZSLAB_ZONE_WP_NONE;
}

/* One Report Zones command of up to @ask descriptors; returns how many came. */
static int report_page(const struct zns_dev *dev, uint64_t slba, enum zns_report_filter filter,
                       struct nvme_zone_report *page, uint32_t ask, uint32_t *got)
{
    uint32_t len = sizeof(*page) + ask * sizeof(struct nvme_zns_desc);
    int err = _zns_dev_status(
        nvme_zns_report_zones(dev->fd, dev->geo.nsid, slba, (enum nvme_zns_report_options)filter,
                              false, true, len, page, NVME_DEFAULT_IOCTL_TIMEOUT, NULL));
    if (err)
        return err;
    uint64_t nr = le64toh(page->nr_zones);
    *got = nr < ask ? (uint32_t)nr : ask;
    return 0;
}

int zns_report_zones(const struct zns_dev *dev, uint64_t from_lba, enum zns_report_filter filter,
                     struct zslab_zone *zones, uint32_t *nr_zones)
{
    if (!dev || !zones || !nr_zones || (unsigned)filter > ZNS_REPORT_OFFLINE)
        return -EINVAL;
    uint32_t want = *nr_zones;
    *nr_zones = 0;
    if (from_lba >= dev->geo.ns_lbas)
        return -ERANGE;
    if (want == 0)
        return 0;
    uint32_t batch = dev->report_batch_zones ? dev->report_batch_zones : 1;
    if (batch > want)
        batch = want;
    struct nvme_zone_report *page =
        calloc(1, sizeof(*page) + (size_t)batch * sizeof(struct nvme_zns_desc));
    if (!page)
        return -ENOMEM;
    uint32_t filled = 0;
    uint64_t slba = from_lba;
    int err = 0;
    while (filled < want) {
        uint32_t ask = want - filled < batch ? want - filled : batch;
        uint32_t got = 0;
        err = report_page(dev, slba, filter, page, ask, &got);
        if (err)
            break;
        for (uint32_t i = 0; i < got; i++)
            decode_desc(&page->entries[i], &zones[filled + i]);
        filled += got;
        if (got < ask || got == 0)
            break;
        slba = zones[filled - 1].start_lba + dev->geo.zone_size_lbas;
        if (slba >= dev->geo.ns_lbas)
            break;
    }
    free(page);
    *nr_zones = filled;
    return err;
}

int zns_report_zone(const struct zns_dev *dev, uint64_t lba, struct zslab_zone *zone)
{
    uint32_t nr = 1;
    int err = zns_report_zones(dev, lba, ZNS_REPORT_ALL, zone, &nr);
    if (!err && nr != 1)
        err = -EIO; /* the device reported no zone for an LBA it has */
    return err;
}
