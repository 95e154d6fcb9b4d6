/* SPDX-License-Identifier: MIT */
/*
 * fake_nvme.c - ioctl() for the driver tests: decodes NVMe passthrough
 * commands the way a controller does and runs them on a zdev_model.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <libnvme.h>

#include "fake_nvme.h"

#define PAGE_SHIFT_4K     12
#define OPC_IDENTIFY      0x06
#define CNS_NS            0x00
#define CNS_CTRL          0x01
#define CNS_CSI_NS        0x05
#define CNS_CSI_CTRL      0x06
#define CSI_ZNS           0x02
#define SC_INVALID_FIELD  0x02
#define REPORT_HDR_BYTES  64
#define REPORT_DESC_BYTES 64

struct fake_nvme fake;
/* One controller: commands from many threads are served one at a time. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

int fake_setup(const struct zdev_model_config *cfg)
{
    memset(&fake, 0, sizeof(fake));
    fake.armed = true;
    fake.nsid = 1;
    fake.zoned = true;
    fake.mor = cfg->geo.max_open ? cfg->geo.max_open - 1 : UINT32_MAX;
    fake.mar = cfg->geo.max_active ? cfg->geo.max_active - 1 : UINT32_MAX;
    for (uint32_t b = cfg->geo.mdts_bytes >> PAGE_SHIFT_4K; b > 1; b >>= 1)
        fake.mdts++;
    for (uint32_t b = cfg->geo.zasl_bytes >> PAGE_SHIFT_4K; b > 1; b >>= 1)
        fake.zasl++;
    return zdev_model_init(&fake.model, cfg);
}

void fake_teardown(void)
{
    zdev_model_destroy(&fake.model);
    fake.armed = false;
}

const struct fake_cmd *fake_last(uint8_t opcode)
{
    for (unsigned i = fake.nr_log; i-- > 0;)
        if (fake.log[i].opcode == opcode)
            return &fake.log[i];
    return NULL;
}

unsigned fake_count(uint8_t opcode)
{
    unsigned n = 0;
    for (unsigned i = 0; i < fake.nr_log; i++)
        n += fake.log[i].opcode == opcode;
    return n;
}

static void record(unsigned long request, const struct nvme_passthru_cmd *c)
{
    if (fake.nr_log == FAKE_LOG_MAX)
        return;
    fake.log[fake.nr_log++] = (struct fake_cmd){
        .request = request,
        .opcode = c->opcode,
        .nsid = c->nsid,
        .cdw10 = c->cdw10,
        .cdw11 = c->cdw11,
        .cdw12 = c->cdw12,
        .cdw13 = c->cdw13,
        .cdw14 = c->cdw14,
        .cdw15 = c->cdw15,
        .data_len = c->data_len,
    };
}

static uint8_t log2_u32(uint32_t v)
{
    uint8_t n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

static int identify(const struct nvme_passthru_cmd *c)
{
    uint8_t cns = c->cdw10 & 0xff, csi = c->cdw11 >> 24;
    void *data = (void *)(uintptr_t)c->addr;
    const struct zdev_model_config *cfg = &fake.model.cfg;
    memset(data, 0, c->data_len);
    if (cns == CNS_CTRL) {
        ((struct nvme_id_ctrl *)data)->mdts = fake.mdts;
    } else if (cns == CNS_NS) {
        struct nvme_id_ns *ns = data;
        ns->nsze = htole64((uint64_t)cfg->geo.nr_zones * cfg->geo.zone_size_lbas);
        ns->lbaf[0].ds = log2_u32(cfg->geo.lba_bytes);
        ns->lbaf[0].ms = htole16(fake.lba_ms);
    } else if (cns == CNS_CSI_NS && csi == CSI_ZNS) {
        if (!fake.zoned)
            return SC_INVALID_FIELD | FAKE_DNR;
        struct nvme_zns_id_ns *zns = data;
        zns->mor = htole32(fake.mor);
        zns->mar = htole32(fake.mar);
        zns->lbafe[0].zsze = htole64(cfg->geo.zone_size_lbas);
    } else if (cns == CNS_CSI_CTRL && csi == CSI_ZNS) {
        ((struct nvme_zns_id_ctrl *)data)->zasl = fake.zasl;
    } else {
        return SC_INVALID_FIELD | FAKE_DNR;
    }
    return 0;
}

static int report(const struct nvme_passthru_cmd *c)
{
    uint64_t slba = c->cdw10 | (uint64_t)c->cdw11 << 32;
    uint32_t len = (c->cdw12 + 1) * 4;
    unsigned filter = (c->cdw13 >> 8) & 0xff;
    bool partial = (c->cdw13 >> 16) & 1;
    uint32_t room = (len - REPORT_HDR_BYTES) / REPORT_DESC_BYTES;
    uint32_t all = fake.model.cfg.geo.nr_zones;
    struct zslab_zone *zones = calloc(all, sizeof(*zones));
    if (!zones)
        return -ENOMEM;
    int sc = zdev_model_report(&fake.model, slba, filter, zones, &all);
    if (sc) {
        free(zones);
        return sc | FAKE_DNR;
    }
    struct nvme_zone_report *r = (void *)(uintptr_t)c->addr;
    memset(r, 0, len);
    uint32_t n = all < room ? all : room;
    r->nr_zones = htole64(partial ? n : all);
    for (uint32_t i = 0; i < n; i++) {
        struct nvme_zns_desc *d = &r->entries[i];
        d->zt = zones[i].type;
        d->zs = (uint8_t)(zones[i].state << 4);
        d->zcap = htole64(zones[i].cap_lbas);
        d->zslba = htole64(zones[i].start_lba);
        d->wp = htole64(zones[i].wp_lba); /* ~0 where none, as QEMU */
        if (zones[i].state == ZSLAB_ZONE_FULL && fake.full_wp_raw)
            d->wp = htole64(fake.full_wp_raw);
    }
    free(zones);
    return 0;
}

static int io_cmd(const struct nvme_passthru_cmd *c, uint64_t *result)
{
    uint64_t slba = c->cdw10 | (uint64_t)c->cdw11 << 32;
    size_t len = ((c->cdw12 & 0xffff) + 1) * (size_t)fake.model.cfg.geo.lba_bytes;
    void *data = (void *)(uintptr_t)c->addr;
    switch (c->opcode) {
    case nvme_cmd_write:
        return zdev_model_write(&fake.model, slba, data, len);
    case nvme_cmd_read:
        return zdev_model_read(&fake.model, slba, data, len);
    case nvme_zns_cmd_append:
        return zdev_model_append(&fake.model, slba, data, len, result);
    case nvme_zns_cmd_mgmt_send:
        return zdev_model_manage(&fake.model, slba, c->cdw13 & 0xff, (c->cdw13 >> 8) & 1);
    case nvme_zns_cmd_mgmt_recv:
        return report(c);
    case nvme_cmd_flush:
        return zdev_model_flush(&fake.model);
    }
    return 0x01 | FAKE_DNR; /* Invalid Command Opcode */
}

/* Both passthrough layouts share the fields up to timeout_ms: copy them. */
static int passthru(unsigned long request, void *arg)
{
    struct nvme_passthru_cmd c;
    memcpy(&c, arg, offsetof(struct nvme_passthru_cmd, result));
    record(request, &c);
    if (fake.next_errno) {
        errno = fake.next_errno;
        fake.next_errno = 0;
        return -1;
    }
    if (fake.next_status && c.opcode != OPC_IDENTIFY) {
        int status = fake.next_status;
        fake.next_status = 0;
        return status;
    }
    if (request == NVME_IOCTL_ADMIN_CMD)
        return c.opcode == OPC_IDENTIFY ? identify(&c) : (0x01 | FAKE_DNR);
    uint64_t result = 0;
    int sc = io_cmd(&c, &result);
    if (sc < 0) {
        errno = -sc;
        return -1;
    }
    if (request == NVME_IOCTL_IO64_CMD) {
        struct nvme_passthru_cmd64 *c64 = arg;
        c64->result = result;
    } else {
        struct nvme_passthru_cmd *c32 = arg;
        c32->result = (uint32_t)result;
    }
    return sc ? sc | FAKE_DNR : 0;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    (void)fd;
    if (!fake.armed) {
        errno = ENOTTY;
        return -1;
    }
    if (request == NVME_IOCTL_ID)
        return (int)fake.nsid;
    if (request == NVME_IOCTL_ADMIN_CMD || request == NVME_IOCTL_IO_CMD ||
        request == NVME_IOCTL_IO64_CMD) {
        pthread_mutex_lock(&fake_lock);
        int ret = passthru(request, arg);
        int saved_errno = errno;
        pthread_mutex_unlock(&fake_lock);
        errno = saved_errno;
        return ret;
    }
    errno = ENOTTY;
    return -1;
}
