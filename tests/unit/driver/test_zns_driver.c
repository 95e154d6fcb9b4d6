/* SPDX-License-Identifier: MIT */
/*
 * test_zns_driver.c - libzns against the fake controller: open and identify,
 * report zones (encoding, pagination, filter, FULL wp), zone management
 * encoding, status decoding and naming, the zdev ops table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnvme.h>

#include "test_common.h"
#include "zns_internal.h"

static struct zns_dev dev;

static void open_takes_nsid_and_geometry_with_units(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    assert_int_equal(fake_setup(&cfg), 0);
    fake.nsid = 7;
    assert_int_equal(zns_open(&dev, "/dev/null", false), 0);
    const struct zns_geometry *g = &dev.geo;
    assert_int_equal(g->nsid, 7);
    assert_int_equal(g->lba_bytes, LBA_4K);
    assert_int_equal(g->ns_lbas, NR_ZONES * ZONE_LBAS);
    assert_int_equal(g->zone_size_lbas, ZONE_LBAS);
    assert_int_equal(g->zone_size_bytes, (uint64_t)ZONE_LBAS * LBA_4K);
    assert_int_equal(g->zone_cap_lbas, ZONE_CAP);
    assert_int_equal(g->zone_cap_bytes, (uint64_t)ZONE_CAP * LBA_4K);
    assert_int_equal(g->nr_zones, NR_ZONES);
    assert_int_equal(g->max_open_zones, MAX_OPEN);     /* MOR 2 is 0-based */
    assert_int_equal(g->max_active_zones, MAX_ACTIVE); /* MAR 3 is 0-based */
    assert_int_equal(g->zasl_bytes, ZASL_BYTES);
    assert_int_equal(g->mdts_bytes, MDTS_BYTES);
    assert_int_equal(g->max_io_bytes, MDTS_BYTES);
    assert_int_equal(g->min_page_bytes, 4096);
    /* Every identify and the first report carried the device's nsid. */
    for (unsigned i = 0; i < fake.nr_log; i++)
        if (fake.log[i].opcode != OPC_IDENTIFY || (fake.log[i].cdw10 & 0xff) == 0x00 ||
            (fake.log[i].cdw10 & 0xff) == 0x05)
            assert_int_equal(fake.log[i].nsid, 7);
    close_fake(&dev);
}

static void open_encodes_identify_cns_and_csi(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    assert_int_equal(fake_setup(&cfg), 0);
    assert_int_equal(zns_open(&dev, "/dev/null", false), 0);
    unsigned seen = 0;
    for (unsigned i = 0; i < fake.nr_log; i++) {
        const struct fake_cmd *c = &fake.log[i];
        if (c->opcode != OPC_IDENTIFY)
            continue;
        assert_int_equal(c->request, NVME_IOCTL_ADMIN_CMD);
        assert_int_equal(c->data_len, 4096);
        uint32_t cns = c->cdw10 & 0xff, csi = c->cdw11 >> 24;
        if (cns == 0x01 || cns == 0x00)
            assert_int_equal(csi, 0);
        else if (cns == 0x05 || cns == 0x06)
            assert_int_equal(csi, 2); /* the Zoned Namespace command set */
        else
            fail_msg("unexpected CNS 0x%x", cns);
        seen |= 1u << cns;
    }
    assert_int_equal(seen, (1u << 0) | (1u << 1) | (1u << 5) | (1u << 6));
    close_fake(&dev);
}

static void open_limits_zero_based_all_ones_is_unlimited(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    cfg.geo.max_open = 0;
    cfg.geo.max_active = 0;
    cfg.geo.zasl_bytes = 0;
    cfg.geo.mdts_bytes = 0;
    assert_int_equal(fake_setup(&cfg), 0);
    assert_int_equal(zns_open(&dev, "/dev/null", false), 0);
    assert_int_equal(dev.geo.max_open_zones, 0);
    assert_int_equal(dev.geo.max_active_zones, 0);
    assert_int_equal(dev.geo.mdts_bytes, 0);
    /* No ZASL and no MDTS: what the host maps into one command is the limit,
     * 126 pages when no queue can be read (Linux NVMe PCI: 127 segments). */
    uint32_t host_bytes = 126u * (uint32_t)sysconf(_SC_PAGESIZE);
    assert_int_equal(_zns_host_max_io_bytes(dev.fd), host_bytes);
    assert_int_equal(dev.geo.zasl_bytes, host_bytes);
    assert_int_equal(dev.geo.max_io_bytes, host_bytes);
    close_fake(&dev);
}

static void open_zasl_zero_means_mdts(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    cfg.geo.zasl_bytes = 0;
    assert_int_equal(fake_setup(&cfg), 0);
    assert_int_equal(zns_open(&dev, "/dev/null", false), 0);
    assert_int_equal(dev.geo.zasl_bytes, MDTS_BYTES);
    close_fake(&dev);
}

static void open_caps_zasl_at_mdts(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    cfg.geo.zasl_bytes = 4 * MDTS_BYTES;
    assert_int_equal(fake_setup(&cfg), 0);
    assert_int_equal(zns_open(&dev, "/dev/null", false), 0);
    assert_int_equal(dev.geo.zasl_bytes, MDTS_BYTES);
    close_fake(&dev);
}

static void open_refuses_what_is_not_a_zoned_nvme_namespace(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    assert_int_equal(fake_setup(&cfg), 0);
    fake.zoned = false;
    assert_int_equal(zns_open(&dev, "/dev/null", false), -EMEDIUMTYPE);
    assert_string_equal(zns_strerror(-EMEDIUMTYPE), "Not a zoned namespace");
    fake.zoned = true;
    fake.lba_ms = 8;
    assert_int_equal(zns_open(&dev, "/dev/null", false), -EOPNOTSUPP);
    fake.lba_ms = 0;
    fake.armed = false; /* /dev/null as it is: NVME_IOCTL_ID fails */
    assert_int_equal(zns_open(&dev, "/dev/null", false), -ENOTTY);
    assert_string_equal(zns_strerror(-ENOTTY), "Not an NVMe namespace device");
    fake.armed = true;
    assert_int_equal(zns_open(&dev, "/nonexistent/ng0n1", false), -ENOENT);
    char path[] = "/tmp/zns-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(zns_open(&dev, path, false), -ENOTTY); /* a regular file */
    unlink(path);
    assert_int_equal(dev.fd, -1);
    fake_teardown();
}

static void report_encodes_mgmt_recv_dwords(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    struct zslab_zone zones[2];
    uint32_t nr = 2;
    assert_int_equal(zns_report_zones(&dev, 3 * ZONE_LBAS + 5, ZNS_REPORT_EMPTY, zones, &nr), 0);
    assert_int_equal(fake.nr_log, 1);
    const struct fake_cmd *c = &fake.log[0];
    assert_int_equal(c->request, NVME_IOCTL_IO_CMD);
    assert_int_equal(c->opcode, OPC_RECV);
    assert_int_equal(c->nsid, 1);
    assert_int_equal(c->cdw10, 3 * ZONE_LBAS + 5); /* SLBA low */
    assert_int_equal(c->cdw11, 0);                 /* SLBA high */
    assert_int_equal(c->data_len, 64 + 2 * 64);
    assert_int_equal(c->cdw12, (64 + 2 * 64) / 4 - 1); /* NUMD, 0-based dwords */
    /* ZRA 0 (report), ZRASF 1 (empty) in bits 15:8, partial report bit 16. */
    assert_int_equal(c->cdw13, 0x0 | (0x1 << 8) | (1u << 16));
    assert_int_equal(nr, 2);
    assert_int_equal(zones[0].start_lba, 3 * ZONE_LBAS);
    assert_int_equal(zones[1].start_lba, 4 * ZONE_LBAS);
    close_fake(&dev);
}

static void report_pages_through_many_zones_with_partial_last_page(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    dev.report_batch_zones = 3;
    struct zslab_zone zones[NR_ZONES + 5];
    uint32_t nr = NR_ZONES + 5;
    assert_int_equal(zns_report_zones(&dev, 0, ZNS_REPORT_ALL, zones, &nr), 0);
    assert_int_equal(nr, NR_ZONES);
    assert_int_equal(fake_count(OPC_RECV), 4); /* 3 + 3 + 3 + 1 */
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(fake.log[i].cdw10, i * 3 * ZONE_LBAS); /* next page's SLBA */
        assert_int_equal(fake.log[i].data_len, 64 + 3 * 64);
    }
    for (uint32_t i = 0; i < NR_ZONES; i++) {
        assert_int_equal(zones[i].start_lba, i * ZONE_LBAS);
        assert_int_equal(zones[i].wp_lba, i * ZONE_LBAS);
        assert_int_equal(zones[i].cap_lbas, ZONE_CAP);
        assert_int_equal(zones[i].state, ZSLAB_ZONE_EMPTY);
        assert_int_equal(zones[i].type, ZSLAB_ZONE_TYPE_SEQWRITE_REQ);
    }
    close_fake(&dev);
}

static void report_stops_at_the_callers_capacity(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    dev.report_batch_zones = 4;
    struct zslab_zone zones[5];
    uint32_t nr = 5;
    assert_int_equal(zns_report_zones(&dev, 2 * ZONE_LBAS, ZNS_REPORT_ALL, zones, &nr), 0);
    assert_int_equal(nr, 5);
    assert_int_equal(zones[4].start_lba, 6 * ZONE_LBAS);
    assert_int_equal(fake.log[1].data_len, 64 + 1 * 64); /* only what is still wanted */
    nr = 5;
    assert_int_equal(zns_report_zones(&dev, NR_ZONES * ZONE_LBAS, ZNS_REPORT_ALL, zones, &nr),
                     -ERANGE);
    assert_int_equal(zns_report_zones(&dev, 0, (enum zns_report_filter)9, zones, &nr), -EINVAL);
    close_fake(&dev);
}

static void report_filters_by_state_across_pages(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    cfg.geo.max_open = 0;
    cfg.geo.max_active = 0;
    open_fake(&dev, &cfg);
    dev.report_batch_zones = 2;
    for (uint32_t z = 1; z < NR_ZONES; z += 2)
        assert_int_equal(zns_zone_finish(&dev, z * ZONE_LBAS, false), 0);
    struct zslab_zone zones[NR_ZONES];
    uint32_t nr = NR_ZONES;
    assert_int_equal(zns_report_zones(&dev, 0, ZNS_REPORT_FULL, zones, &nr), 0);
    assert_int_equal(nr, NR_ZONES / 2);
    for (uint32_t i = 0; i < nr; i++) {
        assert_int_equal(zones[i].start_lba, (2 * i + 1) * ZONE_LBAS);
        assert_int_equal(zones[i].state, ZSLAB_ZONE_FULL);
    }
    nr = NR_ZONES;
    assert_int_equal(zns_report_zones(&dev, 0, ZNS_REPORT_EMPTY, zones, &nr), 0);
    assert_int_equal(nr, NR_ZONES / 2);
    assert_int_equal(zones[1].start_lba, 2 * ZONE_LBAS);
    nr = NR_ZONES;
    assert_int_equal(zns_report_zones(&dev, 0, ZNS_REPORT_CLOSED, zones, &nr), 0);
    assert_int_equal(nr, 0);
    close_fake(&dev);
}

static void report_full_zone_has_no_write_pointer(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    assert_int_equal(zns_zone_finish(&dev, ZONE_LBAS, false), 0);
    struct zslab_zone zone;
    assert_int_equal(zns_report_zone(&dev, ZONE_LBAS + 3, &zone), 0);
    assert_int_equal(zone.state, ZSLAB_ZONE_FULL);
    assert_true(zone.wp_lba == ZSLAB_ZONE_WP_NONE); /* the device said ~0 */
    fake.full_wp_raw = ZONE_LBAS + ZONE_CAP;        /* a device that reports zslba + zcap */
    assert_int_equal(zns_report_zone(&dev, ZONE_LBAS, &zone), 0);
    assert_true(zone.wp_lba == ZSLAB_ZONE_WP_NONE);
    close_fake(&dev);
}

static void mgmt_encodes_action_slba_and_select_all(void **state)
{
    (void)state;
    /* Zones of 2^31 LBAs put zone 3 above 2^32: the SLBA high dword counts. */
    struct zdev_model_config cfg = default_config();
    cfg.geo.zone_size_lbas = 1ull << 31;
    cfg.geo.zone_cap_lbas = 1ull << 31;
    cfg.geo.nr_zones = 4;
    cfg.keep_data = false;
    open_fake(&dev, &cfg);
    const uint64_t zone3 = 3ull << 31;
    static const struct {
        int (*fn)(const struct zns_dev *, uint64_t, bool);
        uint32_t zsa;
    } actions[] = {{zns_zone_open, 0x3},
                   {zns_zone_close, 0x1},
                   {zns_zone_finish, 0x2},
                   {zns_zone_reset, 0x4},
                   {zns_zone_offline, 0x5}};
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        fake.nr_log = 0;
        actions[i].fn(&dev, zone3, false);
        assert_int_equal(fake.nr_log, 1);
        const struct fake_cmd *c = &fake.log[0];
        assert_int_equal(c->request, NVME_IOCTL_IO_CMD);
        assert_int_equal(c->opcode, OPC_SEND);
        assert_int_equal(c->nsid, 1);
        assert_int_equal(c->cdw10, (uint32_t)zone3);
        assert_int_equal(c->cdw11, (uint32_t)(zone3 >> 32));
        assert_int_equal(c->cdw13, actions[i].zsa); /* ZSA bits 7:0, Select All bit 8 clear */
        assert_int_equal(c->data_len, 0);
        fake.nr_log = 0;
        actions[i].fn(&dev, zone3 + 1, true); /* the LBA is ignored with Select All */
        assert_int_equal(fake.log[0].cdw10, 0);
        assert_int_equal(fake.log[0].cdw11, 0);
        assert_int_equal(fake.log[0].cdw13, actions[i].zsa | 1u << 8);
    }
    close_fake(&dev);
}

static void mgmt_checks_zone_start_before_sending(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    assert_int_equal(zns_zone_open(&dev, ZONE_LBAS + 1, false), -EINVAL);
    assert_int_equal(zns_zone_reset(&dev, NR_ZONES * ZONE_LBAS, false), -ERANGE);
    assert_int_equal(zns_zone_mgmt(&dev, 0, (enum zslab_zone_action)0x9, false), -EINVAL);
    assert_int_equal(fake.nr_log, 0);
    close_fake(&dev);
}

static void mgmt_returns_named_state_and_limit_statuses(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    assert_int_equal(zns_zone_close(&dev, 0, false), ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    for (uint32_t z = 0; z < MAX_OPEN; z++)
        assert_int_equal(zns_zone_open(&dev, z * ZONE_LBAS, false), 0);
    int err = zns_zone_open(&dev, MAX_OPEN * ZONE_LBAS, false);
    assert_int_equal(err, ZSLAB_NVME_SC_TOO_MANY_OPEN); /* DNR bit stripped */
    assert_string_equal(zns_strerror(err), "Too Many Open Zones");
    close_fake(&dev);
}

static void status_masks_dnr_more_crd_and_maps_errno(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    fake.next_status = 0x4000 | 0x2000 | 0x0800 | ZSLAB_NVME_SC_ZONE_FULL;
    assert_int_equal(zns_zone_finish(&dev, 0, false), ZSLAB_NVME_SC_ZONE_FULL);
    fake.next_errno = EIO;
    assert_int_equal(zns_zone_finish(&dev, 0, false), -EIO);
    fake.next_errno = EINTR;
    struct zslab_zone zone;
    assert_int_equal(zns_report_zone(&dev, 0, &zone), -EINTR);
    close_fake(&dev);
}

static void strerror_names_every_zns_status(void **state)
{
    (void)state;
    static const struct {
        int status;
        const char *name;
    } names[] = {
        {0x1b8, "Zone Boundary Error"},      {0x1b9, "Zone Is Full"},
        {0x1ba, "Zone Is Read Only"},        {0x1bb, "Zone Is Offline"},
        {0x1bc, "Zone Invalid Write"},       {0x1bd, "Too Many Active Zones"},
        {0x1be, "Too Many Open Zones"},      {0x1bf, "Invalid Zone State Transition"},
        {0x002, "Invalid Field in Command"}, {0x080, "LBA Out of Range"},
        {0x001, "Invalid Command Opcode"},   {0x006, "Internal Error"},
        {0x281, "Unrecovered Read Error"},   {0x4000 | 0x1b9, "Zone Is Full"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_string_equal(zns_strerror(names[i].status), names[i].name);
    assert_string_equal(zns_strerror(0), "Success");
    assert_string_equal(zns_strerror(0x1ff), "Unknown NVMe status");
    assert_string_equal(zns_strerror(-E2BIG), "Larger than the Zone Append Size Limit (ZASL)");
    assert_non_null(strstr(zns_strerror(-EXDEV), "zone boundary"));
    assert_non_null(strstr(zns_strerror(-ENOSPC), "zone capacity"));
    assert_string_equal(zns_strerror(-EIO), strerror(EIO));
    assert_string_equal(zns_strerror(-ENOENT), "No such file or directory");
}

static void state_and_action_names(void **state)
{
    (void)state;
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_EMPTY), "EMPTY");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_IMP_OPEN), "IMP_OPENED");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_EXP_OPEN), "EXP_OPENED");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_CLOSED), "CLOSED");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_READ_ONLY), "READONLY");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_FULL), "FULL");
    assert_string_equal(zns_zone_state_name(ZSLAB_ZONE_OFFLINE), "OFFLINE");
    assert_string_equal(zns_zone_state_name((enum zslab_zone_state)0x7), "Unknown");
    assert_string_equal(zns_zone_action_name(ZSLAB_ZONE_RESET), "reset");
    assert_string_equal(zns_zone_action_name((enum zslab_zone_action)0), "unknown");
}

static void zdev_ops_map_onto_the_driver(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    const struct zslab_zdev_ops *ops = &zns_zdev_ops;
    struct zslab_zdev_geometry geo;
    assert_int_equal(ops->identify(&dev, &geo), 0);
    assert_int_equal(geo.lba_bytes, LBA_4K);
    assert_int_equal(geo.zone_size_lbas, ZONE_LBAS);
    assert_int_equal(geo.zone_cap_lbas, ZONE_CAP);
    assert_int_equal(geo.nr_zones, NR_ZONES);
    assert_int_equal(geo.max_open, MAX_OPEN);
    assert_int_equal(geo.max_active, MAX_ACTIVE);
    assert_int_equal(geo.zasl_bytes, ZASL_BYTES);
    assert_int_equal(geo.mdts_bytes, MDTS_BYTES);
    unsigned char buf[2 * LBA_4K];
    memset(buf, 0xa5, sizeof(buf));
    uint64_t lba = 0;
    assert_int_equal(ops->append(&dev, ZONE_LBAS, buf, sizeof(buf), &lba), 0);
    assert_int_equal(lba, ZONE_LBAS);
    assert_int_equal(fake_last(OPC_APPEND)->cdw10, ZONE_LBAS);
    unsigned char back[2 * LBA_4K];
    assert_int_equal(ops->read(&dev, ZONE_LBAS, back, sizeof(back)), 0);
    assert_memory_equal(back, buf, sizeof(buf));
    assert_int_equal(ops->manage(&dev, ZONE_LBAS, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(fake_last(OPC_SEND)->cdw13, 0x2);
    struct zslab_zone zones[3];
    uint32_t nr = 3;
    assert_int_equal(ops->report(&dev, 0, zones, &nr), 0);
    assert_int_equal(nr, 3);
    assert_int_equal(zones[1].state, ZSLAB_ZONE_FULL);
    assert_true(zones[1].wp_lba == ZSLAB_ZONE_WP_NONE);
    assert_int_equal(zones[2].wp_lba, 2 * ZONE_LBAS);
    /* flush is the NVMe Flush command, opcode 0, on the namespace */
    assert_int_equal(ops->flush(&dev), 0);
    assert_non_null(fake_last(OPC_FLUSH));
    assert_int_equal(fake_last(OPC_FLUSH)->nsid, 1);
    close_fake(&dev);
}

static void flush_makes_completed_appends_durable_and_reports_status(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    unsigned char buf[LBA_4K];
    memset(buf, 0x5a, sizeof(buf));
    uint64_t lba = 0;
    assert_int_equal(zns_append(&dev, 0, buf, sizeof(buf), &lba), 0);
    assert_int_equal(fake.model.zones[0].flushed_lba, 0);
    assert_int_equal(zns_flush(&dev), 0);
    assert_int_equal(fake_count(OPC_FLUSH), 1);
    assert_int_equal(fake_last(OPC_FLUSH)->cdw10, 0);
    assert_int_equal(fake.model.zones[0].flushed_lba, 1);
    fake.next_status = 0x6; /* Internal Error */
    assert_int_equal(zns_flush(&dev), 0x6);
    assert_int_equal(zns_flush(NULL), -EINVAL);
    close_fake(&dev);
}

static void report_decodes_into_zdev_zones_with_attributes(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    struct zslab_zone zones[2];
    memset(zones, 0xee, sizeof(zones));
    uint32_t nr = 2;
    assert_int_equal(zns_report_zones(&dev, 0, ZNS_REPORT_ALL, zones, &nr), 0);
    assert_int_equal(nr, 2);
    assert_int_equal(zones[1].start_lba, ZONE_LBAS);
    assert_int_equal(zones[1].cap_lbas, ZONE_CAP);
    assert_int_equal(zones[1].state, ZSLAB_ZONE_EMPTY);
    assert_int_equal(zones[1].type, ZSLAB_ZONE_TYPE_SEQWRITE_REQ);
    assert_int_equal(zones[1].attrs, 0);
    close_fake(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_takes_nsid_and_geometry_with_units),
        cmocka_unit_test(open_encodes_identify_cns_and_csi),
        cmocka_unit_test(open_limits_zero_based_all_ones_is_unlimited),
        cmocka_unit_test(open_zasl_zero_means_mdts),
        cmocka_unit_test(open_caps_zasl_at_mdts),
        cmocka_unit_test(open_refuses_what_is_not_a_zoned_nvme_namespace),
        cmocka_unit_test(report_encodes_mgmt_recv_dwords),
        cmocka_unit_test(report_pages_through_many_zones_with_partial_last_page),
        cmocka_unit_test(report_stops_at_the_callers_capacity),
        cmocka_unit_test(report_filters_by_state_across_pages),
        cmocka_unit_test(report_full_zone_has_no_write_pointer),
        cmocka_unit_test(mgmt_encodes_action_slba_and_select_all),
        cmocka_unit_test(mgmt_checks_zone_start_before_sending),
        cmocka_unit_test(mgmt_returns_named_state_and_limit_statuses),
        cmocka_unit_test(status_masks_dnr_more_crd_and_maps_errno),
        cmocka_unit_test(strerror_names_every_zns_status),
        cmocka_unit_test(state_and_action_names),
        cmocka_unit_test(zdev_ops_map_onto_the_driver),
        cmocka_unit_test(flush_makes_completed_appends_durable_and_reports_status),
        cmocka_unit_test(report_decodes_into_zdev_zones_with_attributes),
    };
    int failed = cmocka_run_group_tests_name("zns driver", tests, NULL, NULL);
    return failed | run_io_tests();
}
