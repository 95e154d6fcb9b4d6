/* SPDX-License-Identifier: MIT */
/*
 * zns_internal.h - what the driver's files share, by defining file:
 *   zns_check.c  range checks done before a command is sent;
 *   zns_dev.c    status conversion;
 *   zns_host.c   the host kernel's limit on one command;
 *   zns_uring.c  the io_uring command encoding and status decoding.
 * Names are _zns_<module>_<verb>; none of them is public API.
 */
#ifndef ZNS_INTERNAL_H
#define ZNS_INTERNAL_H

#include "zns.h"

/* The NLB field of read, write and append is 16 bits, 0-based. */
#define ZNS_MAX_NLB_LBAS 65536u
/* Mask of the status code type and status code in a completion status. */
#define ZNS_STATUS_MASK 0x7ffu

/* zns_check.c */
int _zns_check_len(const struct zns_geometry *geo, size_t len_bytes);
int _zns_check_nlb_field(const struct zns_geometry *geo, size_t len_bytes);
int _zns_check_zone_start(const struct zns_geometry *geo, uint64_t lba);
int _zns_check_write(const struct zns_geometry *geo, uint64_t lba, size_t len_bytes,
                     uint64_t zone_cap_lbas);
int _zns_check_read(const struct zns_geometry *geo, uint64_t lba, size_t len_bytes);
int _zns_check_append(const struct zns_geometry *geo, uint64_t zone_start_lba, size_t len_bytes);

/* zns_dev.c */
int _zns_dev_status(int libnvme_ret);

/* zns_host.c */
uint32_t _zns_host_max_io_bytes(int fd);

/* zns_uring.c */
struct nvme_uring_cmd;
void _zns_uring_encode_append(struct nvme_uring_cmd *cmd, const struct zns_geometry *geo,
                              uint64_t zone_start_lba, const void *buf, size_t len_bytes);
int _zns_uring_status(int res);

#endif /* ZNS_INTERNAL_H */
