/* SPDX-License-Identifier: MIT */
/*
 * fake_nvme.h - the ioctl boundary of the driver tests.  The test program
 * defines ioctl(), which the dynamic linker binds libnvme.so's calls to
 * (the executable comes first in symbol lookup), as libnvme's own tests mock
 * the kernel.  Commands are recorded, then served by a zdev_model device.
 */
#ifndef FAKE_NVME_H
#define FAKE_NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "zdev_model.h"

#define FAKE_LOG_MAX 4096
#define FAKE_DNR     0x4000 /* the Do Not Retry bit the kernel passes on */

/**
 * struct fake_cmd - one command as the kernel would have received it.
 * @request: the ioctl request (NVME_IOCTL_*).
 * @opcode..@cdw15, @data_len: the passthrough command's fields.
 */
struct fake_cmd {
    unsigned long request;
    uint8_t opcode;
    uint32_t nsid;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
    uint32_t data_len;
};

/**
 * struct fake_nvme - the fake controller and namespace.
 * @armed:        answer ioctls; when false every ioctl fails with ENOTTY.
 * @nsid:         namespace id NVME_IOCTL_ID returns.
 * @zoned:        the namespace answers the ZNS identify (else Invalid Field).
 * @mdts:         Identify Controller MDTS (2^n 4 KiB pages; 0 = none).
 * @zasl:         ZNS Identify Controller ZASL (2^n 4 KiB pages; 0 = MDTS).
 * @lba_ms:       metadata bytes per LBA in the LBA format.
 * @mor, @mar:    raw 0-based MOR and MAR (~0 = no limit).
 * @next_status:  if non-zero, the next I/O command returns it (once).
 * @next_errno:   if non-zero, the next I/O ioctl fails with it (once).
 * @full_wp_raw:  if non-zero, the wp FULL zones report (instead of ~0).
 * @model:        the device behind the commands.
 * @log, @nr_log: the commands received.
 */
struct fake_nvme {
    bool armed;
    uint32_t nsid;
    bool zoned;
    uint8_t mdts;
    uint8_t zasl;
    uint16_t lba_ms;
    uint32_t mor, mar;
    int next_status;
    int next_errno;
    uint64_t full_wp_raw;
    struct zdev_model model;
    struct fake_cmd log[FAKE_LOG_MAX];
    unsigned nr_log;
};

extern struct fake_nvme fake;

/* Arm the fake with a model of @cfg (limits copied to MOR/MAR/ZASL). */
int fake_setup(const struct zdev_model_config *cfg);
void fake_teardown(void);
/* The last command with @opcode, or NULL. */
const struct fake_cmd *fake_last(uint8_t opcode);
/* How many commands with @opcode were received. */
unsigned fake_count(uint8_t opcode);

#endif /* FAKE_NVME_H */
