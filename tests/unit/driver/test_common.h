/* SPDX-License-Identifier: MIT */
/*
 * test_common.h - what the driver test files share: cmocka, the fake
 * controller and a default geometry.
 */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_nvme.h"
#include "zns.h"

#define LBA_4K       4096u
#define ZONE_LBAS    64u /* zone size of the default geometry, LBAs */
#define ZONE_CAP     48u /* zone capacity, LBAs: smaller than the size */
#define NR_ZONES     10u
#define MAX_OPEN     3u
#define MAX_ACTIVE   4u
#define ZASL_BYTES   (4u * LBA_4K)
#define MDTS_BYTES   (8u * LBA_4K)
#define OPC_FLUSH    0x00
#define OPC_WRITE    0x01
#define OPC_READ     0x02
#define OPC_IDENTIFY 0x06
#define OPC_SEND     0x79
#define OPC_RECV     0x7a
#define OPC_APPEND   0x7d

/* The default geometry: 10 zones of 64 LBAs, capacity 48, 4 KiB LBAs. */
static inline struct zdev_model_config default_config(void)
{
    return (struct zdev_model_config){
        .geo.lba_bytes = LBA_4K,
        .geo.zone_size_lbas = ZONE_LBAS,
        .geo.zone_cap_lbas = ZONE_CAP,
        .geo.nr_zones = NR_ZONES,
        .geo.max_open = MAX_OPEN,
        .geo.max_active = MAX_ACTIVE,
        .geo.zasl_bytes = ZASL_BYTES,
        .geo.mdts_bytes = MDTS_BYTES,
        .auto_close = false,
        .keep_data = true,
    };
}

/* Arms the fake with @cfg and opens it; the log then starts empty. */
static inline void open_fake(struct zns_dev *dev, const struct zdev_model_config *cfg)
{
    assert_int_equal(fake_setup(cfg), 0);
    assert_int_equal(zns_open(dev, "/dev/null", true), 0);
    fake.nr_log = 0;
}

static inline void close_fake(struct zns_dev *dev)
{
    assert_int_equal(zns_close(dev), 0);
    fake_teardown();
}

int run_io_tests(void);

#endif /* TEST_COMMON_H */
