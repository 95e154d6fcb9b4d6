/* SPDX-License-Identifier: MIT */
/*
 * zns_mgmt.c - Zone Management Send: one primitive, named wrappers.
 */
#include <errno.h>

#include <libnvme.h>

#include "zns_internal.h"

static bool action_is_known(enum zslab_zone_action action)
{
    switch (action) {
    case ZSLAB_ZONE_CLOSE:
    case ZSLAB_ZONE_FINISH:
    case ZSLAB_ZONE_OPEN:
    case ZSLAB_ZONE_RESET:
    case ZSLAB_ZONE_OFFLINE_ACTION:
        return true;
    }
    return false;
}

int zns_zone_mgmt(const struct zns_dev *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                  bool all_zones)
{
    if (!dev || !action_is_known(action))
        return -EINVAL;
    if (all_zones) {
        zone_start_lba = 0;
    } else {
        int err = _zns_check_zone_start(&dev->geo, zone_start_lba);
        if (err)
            return err;
    }
    struct nvme_zns_mgmt_send_args args = {
        .slba = zone_start_lba,
        .result = NULL,
        .data = NULL,
        .args_size = sizeof(args),
        .fd = dev->fd,
        .timeout = NVME_DEFAULT_IOCTL_TIMEOUT,
        .nsid = dev->geo.nsid,
        .zsa = (enum nvme_zns_send_action)action,
        .data_len = 0,
        .select_all = all_zones,
        .zsaso = 0,
    };
    return _zns_dev_status(nvme_zns_mgmt_send(&args));
}

int zns_zone_open(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, ZSLAB_ZONE_OPEN, all_zones);
}

int zns_zone_close(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, ZSLAB_ZONE_CLOSE, all_zones);
}

int zns_zone_finish(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, ZSLAB_ZONE_FINISH, all_zones);
}

int zns_zone_reset(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, ZSLAB_ZONE_RESET, all_zones);
}

int zns_zone_offline(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones)
{
    return zns_zone_mgmt(dev, zone_start_lba, ZSLAB_ZONE_OFFLINE_ACTION, all_zones);
}
