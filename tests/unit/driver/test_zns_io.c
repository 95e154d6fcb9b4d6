/* SPDX-License-Identifier: MIT */
/*
 * test_zns_io.c - libzns append, write and read against the fake controller:
 * encoded dwords, ZASL refusal and splitting, MDTS splitting, the boundary
 * and capacity checks made before sending, and the device's statuses; the
 * io_uring append's command and status decoding against the ioctl's, and its
 * refusal on a node without NVMe passthrough.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libnvme.h>
#include <linux/nvme_ioctl.h>

#include "test_common.h"
#include "zns_internal.h"

static struct zns_dev dev;
static unsigned char buf[16 * LBA_4K];
static unsigned char back[16 * LBA_4K];

static int setup(void **state)
{
    (void)state;
    struct zdev_model_config cfg = default_config();
    open_fake(&dev, &cfg);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 7 + i / LBA_4K);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close_fake(&dev);
    return 0;
}

static void append_encodes_dwords_and_returns_the_lba(void **state)
{
    (void)state;
    uint64_t lba = 0;
    assert_int_equal(zns_append(&dev, 2 * ZONE_LBAS, buf, 3 * LBA_4K, &lba), 0);
    assert_int_equal(lba, 2 * ZONE_LBAS);
    const struct fake_cmd *c = fake_last(OPC_APPEND);
    assert_non_null(c);
    assert_int_equal(c->request, NVME_IOCTL_IO64_CMD); /* 64-bit result: the LBA */
    assert_int_equal(c->nsid, 1);
    assert_int_equal(c->cdw10, 2 * ZONE_LBAS);
    assert_int_equal(c->cdw11, 0);
    assert_int_equal(c->cdw12, 3 - 1); /* NLB is 0-based, no control flags */
    assert_int_equal(c->cdw13, 0);
    assert_int_equal(c->cdw14, 0);
    assert_int_equal(c->cdw15, 0);
    assert_int_equal(c->data_len, 3 * LBA_4K);
    assert_int_equal(zns_append(&dev, 2 * ZONE_LBAS, buf, LBA_4K, &lba), 0);
    assert_int_equal(lba, 2 * ZONE_LBAS + 3);
    assert_int_equal(zns_read(&dev, 2 * ZONE_LBAS, back, 3 * LBA_4K), 0);
    assert_memory_equal(back, buf, 3 * LBA_4K);
}

static void append_over_zasl_is_refused_before_sending(void **state)
{
    (void)state;
    unsigned before = fake.nr_log;
    int err = zns_append(&dev, 0, buf, ZASL_BYTES + LBA_4K, NULL);
    assert_int_equal(err, -E2BIG);
    assert_string_equal(zns_strerror(err), "Larger than the Zone Append Size Limit (ZASL)");
    assert_int_equal(zns_append(&dev, 0, buf, 100, NULL), -EINVAL);    /* not LBA-aligned */
    assert_int_equal(zns_append(&dev, 0, buf, 0, NULL), -EINVAL);      /* empty */
    assert_int_equal(zns_append(&dev, 5, buf, LBA_4K, NULL), -EINVAL); /* not a zone start */
    assert_int_equal(zns_append(&dev, NR_ZONES * ZONE_LBAS, buf, LBA_4K, NULL), -ERANGE);
    assert_int_equal(fake.nr_log, before);
}

static void append_split_sends_zasl_chunks_in_order(void **state)
{
    (void)state;
    size_t len = 3 * ZASL_BYTES + 2 * LBA_4K; /* 14 LBAs: 4 + 4 + 4 + 2 */
    assert_int_equal(zns_append_nr_chunks(&dev, len), 4);
    uint64_t lbas[4];
    uint32_t done = 0;
    assert_int_equal(zns_append_split(&dev, ZONE_LBAS, buf, len, lbas, 3, &done), -ENOSPC);
    assert_int_equal(done, 0);
    assert_int_equal(fake_count(OPC_APPEND), 0);
    assert_int_equal(zns_append_split(&dev, ZONE_LBAS, buf, len, lbas, 4, &done), 0);
    assert_int_equal(done, 4);
    assert_int_equal(fake_count(OPC_APPEND), 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(lbas[i], ZONE_LBAS + 4 * i);
    assert_int_equal(fake_last(OPC_APPEND)->cdw12, 2 - 1);
    assert_int_equal(zns_read(&dev, ZONE_LBAS, back, len), 0);
    assert_memory_equal(back, buf, len);
}

static void append_split_stops_at_the_first_failure(void **state)
{
    (void)state;
    /* 48 LBAs of capacity: 11 chunks of 4 fit, the 13th finds the zone full. */
    size_t len = 13 * ZASL_BYTES;
    unsigned char *big = calloc(1, len);
    uint64_t lbas[13];
    uint32_t done = 0;
    int err = zns_append_split(&dev, 0, big, len, lbas, 13, &done);
    free(big);
    assert_int_equal(err, ZSLAB_NVME_SC_ZONE_FULL);
    assert_int_equal(done, ZONE_CAP / 4);
}

static void write_encodes_dwords_and_splits_at_mdts(void **state)
{
    (void)state;
    assert_int_equal(zns_write(&dev, 3 * ZONE_LBAS, buf, 12 * LBA_4K), 0);
    assert_int_equal(fake_count(OPC_WRITE), 2); /* MDTS 8 LBAs: 8 + 4 */
    const struct fake_cmd *first = &fake.log[fake.nr_log - 2], *second = fake_last(OPC_WRITE);
    assert_int_equal(first->request, NVME_IOCTL_IO_CMD);
    assert_int_equal(first->opcode, OPC_WRITE);
    assert_int_equal(first->nsid, 1);
    assert_int_equal(first->cdw10, 3 * ZONE_LBAS);
    assert_int_equal(first->cdw11, 0);
    assert_int_equal(first->cdw12, 8 - 1);
    assert_int_equal(first->cdw13, 0);
    assert_int_equal(first->cdw14, 0);
    assert_int_equal(first->cdw15, 0);
    assert_int_equal(first->data_len, MDTS_BYTES);
    assert_int_equal(second->cdw10, 3 * ZONE_LBAS + 8);
    assert_int_equal(second->cdw12, 4 - 1);
    assert_int_equal(second->data_len, 4 * LBA_4K);
    assert_int_equal(zns_read(&dev, 3 * ZONE_LBAS, back, 12 * LBA_4K), 0);
    assert_memory_equal(back, buf, 12 * LBA_4K);
    const struct fake_cmd *rd = fake_last(OPC_READ);
    assert_int_equal(rd->request, NVME_IOCTL_IO_CMD);
    assert_int_equal(rd->cdw10, 3 * ZONE_LBAS + 8);
    assert_int_equal(rd->cdw12, 4 - 1);
}

static void write_checks_range_before_sending(void **state)
{
    (void)state;
    unsigned before = fake.nr_log;
    assert_int_equal(zns_write(&dev, ZONE_LBAS - 2, buf, 4 * LBA_4K), -EXDEV);
    assert_int_equal(zns_write(&dev, ZONE_CAP - 2, buf, 4 * LBA_4K), -ENOSPC);
    assert_int_equal(zns_write(&dev, NR_ZONES * ZONE_LBAS - 1, buf, 2 * LBA_4K), -ERANGE);
    assert_int_equal(zns_write(&dev, UINT64_MAX - 1, buf, 4 * LBA_4K), -ERANGE);
    assert_int_equal(zns_write(&dev, 0, buf, LBA_4K + 1), -EINVAL);
    assert_int_equal(zns_read(&dev, ZONE_LBAS - 1, back, 2 * LBA_4K), -EXDEV);
    assert_int_equal(zns_read(&dev, NR_ZONES * ZONE_LBAS, back, LBA_4K), -ERANGE);
    assert_int_equal(fake.nr_log, before);
    /* Up to the capacity is fine; the zone is then FULL. */
    assert_int_equal(zns_write(&dev, 0, buf, 8 * LBA_4K), 0);
    for (uint64_t lba = 8; lba < ZONE_CAP; lba += 8)
        assert_int_equal(zns_write(&dev, lba, buf, 8 * LBA_4K), 0);
    struct zslab_zone zone;
    assert_int_equal(zns_report_zone(&dev, 0, &zone), 0);
    assert_int_equal(zone.state, ZSLAB_ZONE_FULL);
}

static void write_not_at_wp_gets_the_devices_status(void **state)
{
    (void)state;
    assert_int_equal(zns_write(&dev, 0, buf, LBA_4K), 0);
    int err = zns_write(&dev, 4, buf, LBA_4K);
    assert_int_equal(err, ZSLAB_NVME_SC_ZONE_INVALID_WRITE);
    assert_string_equal(zns_strerror(err), "Zone Invalid Write");
    assert_int_equal(zns_zone_finish(&dev, 0, false), 0);
    err = zns_append(&dev, 0, buf, LBA_4K, NULL);
    assert_int_equal(err, ZSLAB_NVME_SC_ZONE_FULL);
    assert_string_equal(zns_strerror(err), "Zone Is Full");
}

static void write_at_wp_reports_then_writes_there(void **state)
{
    (void)state;
    assert_int_equal(zns_append(&dev, ZONE_LBAS, buf, 2 * LBA_4K, NULL), 0);
    uint64_t lba = 0;
    assert_int_equal(zns_write_at_wp(&dev, ZONE_LBAS, buf, LBA_4K, &lba), 0);
    assert_int_equal(lba, ZONE_LBAS + 2);
    assert_int_equal(fake_last(OPC_WRITE)->cdw10, ZONE_LBAS + 2);
    assert_int_equal(zns_write_at_wp(&dev, ZONE_LBAS + 1, buf, LBA_4K, &lba), -EINVAL);
    assert_int_equal(zns_zone_finish(&dev, ZONE_LBAS, false), 0);
    unsigned writes = fake_count(OPC_WRITE);
    assert_int_equal(zns_write_at_wp(&dev, ZONE_LBAS, buf, LBA_4K, &lba), ZSLAB_NVME_SC_ZONE_FULL);
    assert_int_equal(fake_count(OPC_WRITE), writes);
}

static void limits_come_back_as_named_statuses(void **state)
{
    (void)state;
    for (uint32_t z = 0; z < MAX_OPEN; z++)
        assert_int_equal(zns_append(&dev, z * ZONE_LBAS, buf, LBA_4K, NULL), 0);
    int err = zns_append(&dev, MAX_OPEN * ZONE_LBAS, buf, LBA_4K, NULL);
    assert_int_equal(err, ZSLAB_NVME_SC_TOO_MANY_OPEN);
    assert_int_equal(zns_zone_close(&dev, 0, false), 0);
    assert_int_equal(zns_append(&dev, MAX_OPEN * ZONE_LBAS, buf, LBA_4K, NULL), 0);
    assert_int_equal(zns_zone_close(&dev, ZONE_LBAS, false), 0);
    err = zns_append(&dev, (MAX_OPEN + 1) * ZONE_LBAS, buf, LBA_4K, NULL);
    assert_int_equal(err, ZSLAB_NVME_SC_TOO_MANY_ACTIVE);
    assert_string_equal(zns_strerror(err), "Too Many Active Zones");
}

#define APPEND_THREADS 4

static void *append_one_lba_each(void *arg)
{
    uint64_t *lbas = arg;
    for (unsigned i = 0; i < ZONE_CAP / APPEND_THREADS; i++)
        if (zns_append(&dev, 0, buf, LBA_4K, &lbas[i]) != 0)
            lbas[i] = UINT64_MAX;
    return NULL;
}

static void concurrent_appends_to_one_zone_get_distinct_lbas(void **state)
{
    (void)state;
    static uint64_t lbas[APPEND_THREADS][ZONE_CAP / APPEND_THREADS];
    pthread_t threads[APPEND_THREADS];
    for (unsigned t = 0; t < APPEND_THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, append_one_lba_each, lbas[t]), 0);
    for (unsigned t = 0; t < APPEND_THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    /* Together the appends cover the zone's capacity exactly once. */
    bool seen[ZONE_CAP] = {false};
    for (unsigned t = 0; t < APPEND_THREADS; t++) {
        for (unsigned i = 0; i < ZONE_CAP / APPEND_THREADS; i++) {
            assert_true(lbas[t][i] < ZONE_CAP);
            assert_false(seen[lbas[t][i]]);
            seen[lbas[t][i]] = true;
        }
    }
    struct zslab_zone zone;
    assert_int_equal(zns_report_zone(&dev, 0, &zone), 0);
    assert_int_equal(zone.state, ZSLAB_ZONE_FULL);
}

static void skip_checks_sends_what_the_checks_refuse(void **state)
{
    (void)state;
    dev.skip_checks = true;
    /* Each reaches the device, which answers with its own status. */
    assert_int_equal(zns_read(&dev, ZONE_LBAS - 1, back, 2 * LBA_4K), ZSLAB_NVME_SC_ZONE_BOUNDARY);
    assert_int_equal(fake_last(OPC_READ)->cdw10, ZONE_LBAS - 1);
    assert_int_equal(zns_write(&dev, ZONE_CAP - 1, buf, LBA_4K), ZSLAB_NVME_SC_ZONE_INVALID_WRITE);
    for (uint64_t lba = 0; lba < ZONE_CAP - 8; lba += 8)
        assert_int_equal(zns_write(&dev, lba, buf, 8 * LBA_4K), 0);
    /* Up to 4 LBAs short of the capacity, then one 8-LBA command past it. */
    assert_int_equal(zns_write(&dev, ZONE_CAP - 8, buf, 4 * LBA_4K), 0);
    assert_int_equal(zns_write(&dev, ZONE_CAP - 4, buf, 8 * LBA_4K), ZSLAB_NVME_SC_ZONE_BOUNDARY);
    assert_int_equal(zns_append(&dev, 5, buf, LBA_4K, NULL), ZDEV_MODEL_SC_INVALID_FIELD);
    assert_int_equal(zns_append(&dev, 0, buf, ZASL_BYTES + LBA_4K, NULL),
                     ZDEV_MODEL_SC_INVALID_FIELD);
    assert_int_equal(fake_last(OPC_APPEND)->cdw12, ZASL_BYTES / LBA_4K);
    /* What the command cannot encode is still refused. */
    unsigned before = fake.nr_log;
    assert_int_equal(zns_read(&dev, 0, back, LBA_4K + 1), -EINVAL);
    assert_int_equal(zns_append(&dev, 0, buf, 0, NULL), -EINVAL);
    assert_int_equal(fake.nr_log, before);
    dev.skip_checks = false;
}

/* The io_uring command is the ioctl's: same opcode, namespace, dwords, data. */
static void async_append_encodes_the_ioctls_command(void **state)
{
    (void)state;
    const uint64_t zslbas[] = {2 * ZONE_LBAS, 0x123400000000ull + ZONE_LBAS};
    for (unsigned i = 0; i < 2; i++) {
        struct nvme_uring_cmd cmd;
        memset(&cmd, 0xff, sizeof(cmd));
        _zns_uring_encode_append(&cmd, &dev.geo, zslbas[i], buf, 3 * LBA_4K);
        assert_int_equal(cmd.opcode, 0x7d); /* Zone Append */
        assert_int_equal(cmd.flags, 0);
        assert_int_equal(cmd.nsid, 1);
        assert_int_equal(cmd.cdw2, 0);
        assert_int_equal(cmd.cdw3, 0);
        assert_int_equal(cmd.metadata, 0);
        assert_int_equal(cmd.metadata_len, 0);
        assert_true(cmd.addr == (uint64_t)(uintptr_t)buf);
        assert_int_equal(cmd.data_len, 3 * LBA_4K);
        assert_int_equal(cmd.cdw10, (uint32_t)zslbas[i]);
        assert_int_equal(cmd.cdw11, (uint32_t)(zslbas[i] >> 32));
        assert_int_equal(cmd.timeout_ms, 0); /* the kernel's default, as the ioctls */
        if (i == 0) {
            assert_int_equal(zns_append(&dev, zslbas[i], buf, 3 * LBA_4K, NULL), 0);
            const struct fake_cmd *c = fake_last(OPC_APPEND);
            assert_int_equal(c->opcode, cmd.opcode);
            assert_int_equal(c->nsid, cmd.nsid);
            assert_int_equal(c->cdw10, cmd.cdw10);
            assert_int_equal(c->cdw11, cmd.cdw11);
            assert_int_equal(c->cdw12, cmd.cdw12);
            assert_int_equal(c->cdw13, cmd.cdw13);
            assert_int_equal(c->cdw14, cmd.cdw14);
            assert_int_equal(c->cdw15, cmd.cdw15);
            assert_int_equal(c->data_len, cmd.data_len);
        }
    }
}

/* A completion's res decodes as the ioctl's return: the status without DNR
 * and More, named as ever; -errno passes through. */
static void async_statuses_decode_as_the_ioctls(void **state)
{
    (void)state;
    const int statuses[] = {ZSLAB_NVME_SC_ZONE_FULL,          ZSLAB_NVME_SC_TOO_MANY_ACTIVE,
                            ZSLAB_NVME_SC_TOO_MANY_OPEN,      ZSLAB_NVME_SC_ZONE_BOUNDARY,
                            ZSLAB_NVME_SC_ZONE_INVALID_WRITE, ZDEV_MODEL_SC_INVALID_FIELD,
                            ZSLAB_NVME_SC_ZONE_INVALID_STATE};
    const int bits[] = {0, FAKE_DNR, FAKE_DNR >> 1 /* More */};
    for (unsigned i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        for (unsigned b = 0; b < 3; b++) {
            int res = statuses[i] | bits[b];
            assert_int_equal(_zns_uring_status(res), statuses[i]);
            assert_int_equal(_zns_uring_status(res), _zns_dev_status(res));
        }
    assert_string_equal(zns_strerror(_zns_uring_status(ZSLAB_NVME_SC_ZONE_FULL | FAKE_DNR)),
                        "Zone Is Full");
    assert_int_equal(_zns_uring_status(0), 0);
    assert_int_equal(_zns_uring_status(-EIO), -EIO);
    assert_int_equal(_zns_uring_status(-EINTR), -EINTR);
    /* and the ioctl path returns just that for the device's status */
    fake.next_status = ZSLAB_NVME_SC_ZONE_FULL | FAKE_DNR;
    assert_int_equal(zns_append(&dev, 0, buf, LBA_4K, NULL),
                     _zns_uring_status(ZSLAB_NVME_SC_ZONE_FULL | FAKE_DNR));
}

/* /dev/null (the fake's node) takes no NVMe passthrough: zns_async_open()
 * says why and changes nothing; the asynchronous calls then refuse with
 * -EOPNOTSUPP before sending anything, so the store appends synchronously. */
static void async_open_refuses_a_node_without_passthrough_and_says_why(void **state)
{
    (void)state;
    char why[256] = "";
    int err = zns_async_open(&dev, why, sizeof(why));
    assert_true(err < 0);
    assert_null(dev.async);
    assert_non_null(strstr(why, "io_uring"));
    unsigned before = fake.nr_log;
    uint64_t lba = 0;
    assert_int_equal(zns_append_start(&dev, 0, buf, LBA_4K, 0), -EOPNOTSUPP);
    assert_int_equal(zns_append_wait(&dev, 0, &lba), -EOPNOTSUPP);
    assert_int_equal(zns_zdev_ops.append_start(&dev, 0, buf, LBA_4K, 1), -EOPNOTSUPP);
    assert_int_equal(zns_zdev_ops.append_wait(&dev, 1, &lba), -EOPNOTSUPP);
    assert_int_equal(zns_append_start(&dev, 0, buf, LBA_4K, ZNS_ASYNC_TAGS), -EINVAL);
    assert_int_equal(zns_append_start(NULL, 0, buf, LBA_4K, 0), -EINVAL);
    assert_int_equal(fake.nr_log, before);
    zns_async_close(&dev); /* nothing to close: a no-op */
    assert_int_equal(zns_append(&dev, 0, buf, LBA_4K, &lba), 0);
}

int run_io_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(append_encodes_dwords_and_returns_the_lba, setup, teardown),
        cmocka_unit_test_setup_teardown(append_over_zasl_is_refused_before_sending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(append_split_sends_zasl_chunks_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(append_split_stops_at_the_first_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(write_encodes_dwords_and_splits_at_mdts, setup, teardown),
        cmocka_unit_test_setup_teardown(write_checks_range_before_sending, setup, teardown),
        cmocka_unit_test_setup_teardown(write_not_at_wp_gets_the_devices_status, setup, teardown),
        cmocka_unit_test_setup_teardown(write_at_wp_reports_then_writes_there, setup, teardown),
        cmocka_unit_test_setup_teardown(limits_come_back_as_named_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_appends_to_one_zone_get_distinct_lbas, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(skip_checks_sends_what_the_checks_refuse, setup, teardown),
        cmocka_unit_test_setup_teardown(async_append_encodes_the_ioctls_command, setup, teardown),
        cmocka_unit_test_setup_teardown(async_statuses_decode_as_the_ioctls, setup, teardown),
        cmocka_unit_test_setup_teardown(async_open_refuses_a_node_without_passthrough_and_says_why,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("zns io", tests, NULL, NULL);
}
