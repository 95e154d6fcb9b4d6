/* SPDX-License-Identifier: MIT */
/*
 * test_zdev_model.c - the in-memory ZNS model on its own: transitions,
 * limits, write pointer rules, capacity, ZASL, Select All, report filters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "zdev_model.h"

#define LBA  512u
#define ZSZE 32u /* zone size, LBAs */
#define ZCAP 24u /* zone capacity, LBAs */
#define NZ   8u
#define ZASL (8u * LBA)

static struct zdev_model m;
static unsigned char data[ZSZE * LBA];

static struct zdev_model_config config(uint32_t max_open, uint32_t max_active, bool auto_close)
{
    return (struct zdev_model_config){.geo.lba_bytes = LBA,
                                      .geo.zone_size_lbas = ZSZE,
                                      .geo.zone_cap_lbas = ZCAP,
                                      .geo.nr_zones = NZ,
                                      .geo.max_open = max_open,
                                      .geo.max_active = max_active,
                                      .geo.zasl_bytes = ZASL,
                                      .geo.mdts_bytes = 0,
                                      .auto_close = auto_close,
                                      .keep_data = true};
}

static void init(uint32_t max_open, uint32_t max_active, bool auto_close)
{
    struct zdev_model_config cfg = config(max_open, max_active, auto_close);
    assert_int_equal(zdev_model_init(&m, &cfg), 0);
}

static uint8_t state_of(uint32_t zone)
{
    return m.zones[zone].state;
}

static int teardown(void **state)
{
    (void)state;
    zdev_model_destroy(&m);
    return 0;
}

static void init_refuses_impossible_geometry(void **state)
{
    (void)state;
    struct zdev_model_config cfg = config(0, 0, false);
    cfg.geo.zone_cap_lbas = ZSZE + 1;
    assert_int_equal(zdev_model_init(&m, &cfg), -EINVAL);
    cfg = config(0, 0, false);
    cfg.geo.lba_bytes = 1000;
    assert_int_equal(zdev_model_init(&m, &cfg), -EINVAL);
    init(0, 0, false);
}

static void write_only_at_wp_opens_implicitly_and_fills_at_capacity(void **state)
{
    (void)state;
    init(0, 0, false);
    assert_int_equal(zdev_model_write(&m, 1, data, LBA), ZSLAB_NVME_SC_ZONE_INVALID_WRITE);
    assert_int_equal(state_of(0), ZSLAB_ZONE_EMPTY);
    assert_int_equal(zdev_model_write(&m, 0, data, 4 * LBA), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_IMP_OPEN);
    assert_int_equal(m.zones[0].wp_lba, 4);
    assert_int_equal(zdev_model_write(&m, 4, data, (ZCAP - 3) * LBA), ZSLAB_NVME_SC_ZONE_BOUNDARY);
    assert_int_equal(zdev_model_write(&m, 4, data, (ZCAP - 4) * LBA), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_FULL);
    assert_int_equal(m.nr_open, 0);
    assert_int_equal(m.nr_active, 0);
    assert_int_equal(zdev_model_write(&m, ZCAP, data, LBA), ZSLAB_NVME_SC_ZONE_FULL);
    struct zslab_zone z;
    uint32_t nr = 1;
    assert_int_equal(zdev_model_report(&m, 0, 0, &z, &nr), 0);
    assert_true(z.wp_lba == ZSLAB_ZONE_WP_NONE);
    assert_int_equal(zdev_model_write(&m, NZ * ZSZE - 1, data, 2 * LBA), ZDEV_MODEL_SC_LBA_RANGE);
    assert_int_equal(zdev_model_write(&m, 0, data, 3), -EINVAL);
}

static void append_goes_to_wp_within_zasl(void **state)
{
    (void)state;
    init(0, 0, false);
    uint64_t lba = 0;
    assert_int_equal(zdev_model_append(&m, ZSZE, data, 3 * LBA, &lba), 0);
    assert_int_equal(lba, ZSZE);
    assert_int_equal(zdev_model_append(&m, ZSZE, data, 2 * LBA, &lba), 0);
    assert_int_equal(lba, ZSZE + 3);
    assert_int_equal(zdev_model_append(&m, ZSZE + 1, data, LBA, &lba), ZDEV_MODEL_SC_INVALID_FIELD);
    assert_int_equal(zdev_model_append(&m, ZSZE, data, ZASL + LBA, &lba),
                     ZDEV_MODEL_SC_INVALID_FIELD);
    for (int i = 0; i < 2; i++)
        assert_int_equal(zdev_model_append(&m, ZSZE, data, ZASL, &lba), 0);
    /* 21 LBAs written, 3 left: 8 more cross the capacity. */
    assert_int_equal(zdev_model_append(&m, ZSZE, data, ZASL, &lba), ZSLAB_NVME_SC_ZONE_BOUNDARY);
}

static void open_limit_without_auto_close_is_too_many_open(void **state)
{
    (void)state;
    init(2, 0, false);
    assert_int_equal(zdev_model_write(&m, 0, data, LBA), 0);
    assert_int_equal(zdev_model_manage(&m, ZSZE, ZSLAB_ZONE_OPEN, false), 0);
    assert_int_equal(zdev_model_write(&m, 2 * ZSZE, data, LBA), ZSLAB_NVME_SC_TOO_MANY_OPEN);
    assert_int_equal(zdev_model_manage(&m, 2 * ZSZE, ZSLAB_ZONE_OPEN, false),
                     ZSLAB_NVME_SC_TOO_MANY_OPEN);
    assert_int_equal(state_of(2), ZSLAB_ZONE_EMPTY);
    /* Writing to an already open zone needs nothing new. */
    assert_int_equal(zdev_model_write(&m, 1, data, LBA), 0);
}

static void auto_close_makes_room_by_closing_the_oldest_implicit_zone(void **state)
{
    (void)state;
    init(2, 0, true);
    assert_int_equal(zdev_model_write(&m, ZSZE, data, LBA), 0); /* zone 1, first */
    assert_int_equal(zdev_model_write(&m, 0, data, LBA), 0);    /* zone 0, second */
    assert_int_equal(zdev_model_write(&m, 2 * ZSZE, data, LBA), 0);
    assert_int_equal(state_of(1), ZSLAB_ZONE_CLOSED);
    assert_int_equal(state_of(0), ZSLAB_ZONE_IMP_OPEN);
    assert_int_equal(state_of(2), ZSLAB_ZONE_IMP_OPEN);
    /* Explicitly open zones are never closed for room. */
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OPEN, false), 0);
    assert_int_equal(zdev_model_manage(&m, 2 * ZSZE, ZSLAB_ZONE_OPEN, false), 0);
    assert_int_equal(zdev_model_write(&m, 3 * ZSZE, data, LBA), ZSLAB_NVME_SC_TOO_MANY_OPEN);
}

static void active_limit_counts_closed_zones(void **state)
{
    (void)state;
    init(0, 2, false);
    assert_int_equal(zdev_model_write(&m, 0, data, LBA), 0);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_CLOSE, false), 0);
    assert_int_equal(zdev_model_manage(&m, ZSZE, ZSLAB_ZONE_OPEN, false), 0);
    assert_int_equal(m.nr_active, 2);
    assert_int_equal(zdev_model_write(&m, 2 * ZSZE, data, LBA), ZSLAB_NVME_SC_TOO_MANY_ACTIVE);
    /* A closed zone comes back without a new active slot. */
    assert_int_equal(zdev_model_write(&m, 1, data, LBA), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_IMP_OPEN);
    assert_int_equal(zdev_model_manage(&m, ZSZE, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(m.nr_active, 1);
    assert_int_equal(zdev_model_write(&m, 2 * ZSZE, data, LBA), 0);
}

static void invalid_transitions_are_named(void **state)
{
    (void)state;
    init(0, 0, false);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_CLOSE, false),
                     ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OPEN, false),
                     ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_CLOSE, false),
                     ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OFFLINE_ACTION, false),
                     ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_RESET, false), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_EMPTY);
    assert_int_equal(m.zones[0].wp_lba, 0);
    assert_int_equal(zdev_model_manage(&m, 1, ZSLAB_ZONE_RESET, false),
                     ZDEV_MODEL_SC_INVALID_FIELD);
    assert_int_equal(zdev_model_manage(&m, NZ * ZSZE, ZSLAB_ZONE_RESET, false),
                     ZDEV_MODEL_SC_LBA_RANGE);
    assert_int_equal(zdev_model_manage(&m, 0, 9, false), ZDEV_MODEL_SC_INVALID_FIELD);
}

static void read_only_and_offline_zones(void **state)
{
    (void)state;
    init(0, 0, false);
    assert_int_equal(zdev_model_write(&m, 0, data, LBA), 0);
    assert_int_equal(zdev_model_set_state(&m, 0, ZSLAB_ZONE_READ_ONLY), 0);
    assert_int_equal(m.nr_open, 0);
    assert_int_equal(zdev_model_write(&m, 1, data, LBA), ZSLAB_NVME_SC_ZONE_READ_ONLY);
    assert_int_equal(zdev_model_read(&m, 0, data, LBA), 0);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OFFLINE_ACTION, true), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_OFFLINE);
    assert_int_equal(zdev_model_read(&m, 0, data, LBA), ZSLAB_NVME_SC_ZONE_OFFLINE);
    assert_int_equal(zdev_model_write(&m, 1, data, LBA), ZSLAB_NVME_SC_ZONE_OFFLINE);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_RESET, false),
                     ZSLAB_NVME_SC_ZONE_INVALID_STATE);
    assert_int_equal(zdev_model_set_state(&m, 1, ZSLAB_ZONE_FULL), -EINVAL);
}

static void select_all_acts_on_the_zones_it_applies_to(void **state)
{
    (void)state;
    init(0, 0, false);
    assert_int_equal(zdev_model_write(&m, 0, data, LBA), 0);
    assert_int_equal(zdev_model_write(&m, ZSZE, data, LBA), 0);
    assert_int_equal(zdev_model_manage(&m, 2 * ZSZE, ZSLAB_ZONE_OPEN, false), 0);
    assert_int_equal(zdev_model_manage(&m, 3 * ZSZE, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_CLOSE, true), 0);
    assert_int_equal(state_of(0), ZSLAB_ZONE_CLOSED);
    assert_int_equal(state_of(2), ZSLAB_ZONE_CLOSED);
    assert_int_equal(state_of(3), ZSLAB_ZONE_FULL);
    assert_int_equal(state_of(4), ZSLAB_ZONE_EMPTY);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OPEN, true), 0);
    assert_int_equal(state_of(1), ZSLAB_ZONE_EXP_OPEN);
    assert_int_equal(state_of(4), ZSLAB_ZONE_EMPTY);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_FINISH, true), 0);
    assert_int_equal(state_of(2), ZSLAB_ZONE_FULL);
    assert_int_equal(state_of(4), ZSLAB_ZONE_EMPTY);
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_RESET, true), 0);
    for (uint32_t z = 0; z < NZ; z++)
        assert_int_equal(state_of(z), ZSLAB_ZONE_EMPTY);
    assert_int_equal(m.nr_open, 0);
    assert_int_equal(m.nr_active, 0);
}

static void open_all_stops_at_the_limit_in_closed_order(void **state)
{
    (void)state;
    init(2, 0, false);
    for (uint32_t z = 3; z > 0; z--) { /* zones close in the order 3, 2, 1 */
        assert_int_equal(zdev_model_write(&m, z * ZSZE, data, LBA), 0);
        assert_int_equal(zdev_model_manage(&m, z * ZSZE, ZSLAB_ZONE_CLOSE, false), 0);
    }
    assert_int_equal(zdev_model_manage(&m, 0, ZSLAB_ZONE_OPEN, true), ZSLAB_NVME_SC_TOO_MANY_OPEN);
    assert_int_equal(state_of(3), ZSLAB_ZONE_EXP_OPEN);
    assert_int_equal(state_of(2), ZSLAB_ZONE_EXP_OPEN);
    assert_int_equal(state_of(1), ZSLAB_ZONE_CLOSED);
}

static void report_filters_and_starts_at_the_zone_of_an_lba(void **state)
{
    (void)state;
    init(0, 0, false);
    assert_int_equal(zdev_model_manage(&m, 2 * ZSZE, ZSLAB_ZONE_FINISH, false), 0);
    assert_int_equal(zdev_model_manage(&m, 5 * ZSZE, ZSLAB_ZONE_FINISH, false), 0);
    struct zslab_zone z[NZ];
    uint32_t nr = NZ;
    assert_int_equal(zdev_model_report(&m, 3 * ZSZE + 7, 5, z, &nr), 0);
    assert_int_equal(nr, 1);
    assert_int_equal(z[0].start_lba, 5 * ZSZE);
    nr = 3;
    assert_int_equal(zdev_model_report(&m, ZSZE, 0, z, &nr), 0);
    assert_int_equal(nr, 3);
    assert_int_equal(z[2].start_lba, 3 * ZSZE);
    assert_int_equal(z[2].cap_lbas, ZCAP);
    nr = NZ;
    assert_int_equal(zdev_model_report(&m, NZ * ZSZE, 0, z, &nr), ZDEV_MODEL_SC_LBA_RANGE);
    assert_int_equal(zdev_model_report(&m, 0, 8, z, &nr), -EINVAL);
}

static void data_reads_back_and_reset_clears_it(void **state)
{
    (void)state;
    init(0, 0, false);
    unsigned char in[4 * LBA], out[4 * LBA];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 13);
    assert_int_equal(zdev_model_write(&m, ZSZE, in, sizeof(in)), 0);
    assert_int_equal(zdev_model_read(&m, ZSZE, out, sizeof(out)), 0);
    assert_memory_equal(in, out, sizeof(in));
    assert_int_equal(zdev_model_read(&m, ZSZE - 1, out, 2 * LBA), ZSLAB_NVME_SC_ZONE_BOUNDARY);
    assert_int_equal(zdev_model_manage(&m, ZSZE, ZSLAB_ZONE_RESET, false), 0);
    assert_int_equal(zdev_model_read(&m, ZSZE, out, sizeof(out)), 0);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0);
}

static void ops_table_drives_the_model(void **state)
{
    (void)state;
    init(3, 4, true);
    const struct zslab_zdev_ops *ops = &zdev_model_ops;
    struct zslab_zdev_geometry geo;
    assert_int_equal(ops->identify(&m, &geo), 0);
    assert_int_equal(geo.zone_cap_lbas, ZCAP);
    assert_int_equal(geo.max_open, 3);
    assert_int_equal(geo.zasl_bytes, ZASL);
    uint64_t lba = 0;
    assert_int_equal(ops->append(&m, 0, data, LBA, &lba), 0);
    assert_int_equal(ops->manage(&m, 0, ZSLAB_ZONE_FINISH, false), 0);
    struct zslab_zone z[2];
    uint32_t nr = 2;
    assert_int_equal(ops->report(&m, 0, z, &nr), 0);
    assert_int_equal(z[0].state, ZSLAB_ZONE_FULL);
    assert_int_equal(ops->read(&m, 0, data, LBA), 0);
}

/* The first byte of each of @n LBAs from @lba, for checking what survived. */
static void lba_marks(uint64_t lba, unsigned n, unsigned char *marks)
{
    unsigned char buf[LBA];
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(zdev_model_read(&m, lba + i, buf, LBA), 0);
        marks[i] = buf[0];
    }
}

static void append_marked(uint64_t zslba, unsigned nlbas, unsigned char mark)
{
    unsigned char buf[4 * LBA];
    memset(buf, mark, sizeof(buf));
    assert_int_equal(zdev_model_append(&m, zslba, buf, nlbas * LBA, NULL), 0);
}

static void crash_drops_every_write_since_the_last_flush(void **state)
{
    (void)state;
    init(0, 0, false);
    append_marked(0, 2, 0x11);
    append_marked(ZSZE, 1, 0x22);
    assert_int_equal(zdev_model_flush(&m), 0);
    append_marked(0, 3, 0x33);
    append_marked(2 * ZSZE, 2, 0x44);
    assert_int_equal(zdev_model_manage(&m, 3 * ZSZE, ZSLAB_ZONE_OPEN, false), 0);
    zdev_model_crash(&m, ZDEV_MODEL_CRASH_DROP_UNFLUSHED, 0, true);
    unsigned char marks[5];
    lba_marks(0, 5, marks);
    assert_memory_equal(marks, ((unsigned char[]){0x11, 0x11, 0, 0, 0}), 5);
    assert_int_equal(m.zones[0].wp_lba, 2);
    assert_int_equal(state_of(0), ZSLAB_ZONE_CLOSED); /* data survived: closed */
    assert_int_equal(state_of(1), ZSLAB_ZONE_CLOSED);
    assert_int_equal(state_of(2), ZSLAB_ZONE_EMPTY); /* lost all it had */
    assert_int_equal(m.zones[2].wp_lba, 2 * ZSZE);
    assert_int_equal(state_of(3), ZSLAB_ZONE_EMPTY); /* opened without data */
    assert_int_equal(m.nr_open, 0);
    assert_int_equal(m.nr_active, 2);
    /* after the crash what is left is durable: a second crash loses nothing */
    zdev_model_crash(&m, ZDEV_MODEL_CRASH_DROP_UNFLUSHED, 0, true);
    assert_int_equal(m.zones[0].wp_lba, 2);
}

static void crash_without_shutdown_leaves_open_zones_open(void **state)
{
    (void)state;
    init(4, 4, false);
    append_marked(0, 2, 0x11);
    assert_int_equal(zdev_model_flush(&m), 0);
    zdev_model_crash(&m, ZDEV_MODEL_CRASH_KEEP, 0, false);
    assert_int_equal(state_of(0), ZSLAB_ZONE_IMP_OPEN);
    assert_int_equal(m.nr_open, 1);
    assert_int_equal(m.nr_active, 1);
    append_marked(0, 1, 0x22); /* and appends go on after the data */
    assert_int_equal(m.zones[0].wp_lba, 3);
}

static void crash_tears_the_last_write_to_a_prefix(void **state)
{
    (void)state;
    init(0, 0, false);
    append_marked(0, 1, 0x11);
    append_marked(0, 4, 0x22);
    zdev_model_crash(&m, ZDEV_MODEL_CRASH_TEAR_LAST, 1, true);
    unsigned char marks[5];
    lba_marks(0, 5, marks);
    assert_memory_equal(marks, ((unsigned char[]){0x11, 0x22, 0, 0, 0}), 5);
    assert_int_equal(m.zones[0].wp_lba, 2);
    /* a tear that fills the zone's capacity leaves it CLOSED, not FULL */
    zdev_model_destroy(&m);
    init(0, 0, false);
    for (unsigned i = 0; i < ZCAP / 4; i++)
        append_marked(ZSZE, 4, (unsigned char)i);
    assert_int_equal(state_of(1), ZSLAB_ZONE_FULL);
    zdev_model_crash(&m, ZDEV_MODEL_CRASH_TEAR_LAST, 2, true);
    assert_int_equal(state_of(1), ZSLAB_ZONE_CLOSED);
    assert_int_equal(m.zones[1].wp_lba, ZSZE + ZCAP - 2);
}

static void fail_makes_the_chosen_command_fail_without_effect(void **state)
{
    (void)state;
    init(0, 0, false);
    zdev_model_fail(&m, &(struct zdev_model_fault){
                            .op = ZDEV_MODEL_OP_APPEND, .skip = 1, .times = 2, .status = -EIO});
    append_marked(0, 1, 0x11);
    assert_int_equal(zdev_model_append(&m, 0, data, LBA, NULL), -EIO);
    assert_int_equal(zdev_model_append(&m, 0, data, LBA, NULL), -EIO);
    assert_int_equal(m.zones[0].wp_lba, 1);
    append_marked(0, 1, 0x22);
    assert_int_equal(m.zones[0].wp_lba, 2);
    assert_int_equal(m.calls[ZDEV_MODEL_OP_APPEND], 4);
    /* through the ops table too: flush and report */
    zdev_model_fail(
        &m, &(struct zdev_model_fault){.op = ZDEV_MODEL_OP_FLUSH, .times = 1, .status = 0x6});
    assert_int_equal(zdev_model_ops.flush(&m), 0x6);
    assert_int_equal(zdev_model_ops.flush(&m), 0);
    zdev_model_fail(&m, &(struct zdev_model_fault){
                            .op = ZDEV_MODEL_OP_ANY, .times = UINT32_MAX, .status = -EIO});
    struct zslab_zone z[1];
    uint32_t nr = 1;
    assert_int_equal(zdev_model_ops.report(&m, 0, z, &nr), -EIO);
    assert_int_equal(zdev_model_ops.read(&m, 0, data, LBA), -EIO);
    assert_int_equal(zdev_model_ops.read(&m, 0, data, LBA), -EIO);
}

static void poke_flips_stored_bits_and_limits_are_counted(void **state)
{
    (void)state;
    init(1, 1, false);
    append_marked(0, 1, 0x11);
    assert_int_equal(zdev_model_poke(&m, 0, 7, 0x80), 0);
    unsigned char buf[LBA];
    assert_int_equal(zdev_model_read(&m, 0, buf, LBA), 0);
    assert_int_equal(buf[7], 0x91);
    assert_int_equal(buf[6], 0x11);
    assert_int_equal(zdev_model_poke(&m, 0, LBA, 1), -EINVAL);
    assert_int_equal(m.limit_statuses, 0);
    assert_int_equal(zdev_model_append(&m, ZSZE, data, LBA, NULL), ZSLAB_NVME_SC_TOO_MANY_ACTIVE);
    assert_int_equal(m.limit_statuses, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(init_refuses_impossible_geometry, teardown),
        cmocka_unit_test_teardown(write_only_at_wp_opens_implicitly_and_fills_at_capacity,
                                  teardown),
        cmocka_unit_test_teardown(append_goes_to_wp_within_zasl, teardown),
        cmocka_unit_test_teardown(open_limit_without_auto_close_is_too_many_open, teardown),
        cmocka_unit_test_teardown(auto_close_makes_room_by_closing_the_oldest_implicit_zone,
                                  teardown),
        cmocka_unit_test_teardown(active_limit_counts_closed_zones, teardown),
        cmocka_unit_test_teardown(invalid_transitions_are_named, teardown),
        cmocka_unit_test_teardown(read_only_and_offline_zones, teardown),
        cmocka_unit_test_teardown(select_all_acts_on_the_zones_it_applies_to, teardown),
        cmocka_unit_test_teardown(open_all_stops_at_the_limit_in_closed_order, teardown),
        cmocka_unit_test_teardown(report_filters_and_starts_at_the_zone_of_an_lba, teardown),
        cmocka_unit_test_teardown(data_reads_back_and_reset_clears_it, teardown),
        cmocka_unit_test_teardown(ops_table_drives_the_model, teardown),
        cmocka_unit_test_teardown(crash_drops_every_write_since_the_last_flush, teardown),
        cmocka_unit_test_teardown(crash_without_shutdown_leaves_open_zones_open, teardown),
        cmocka_unit_test_teardown(crash_tears_the_last_write_to_a_prefix, teardown),
        cmocka_unit_test_teardown(fail_makes_the_chosen_command_fail_without_effect, teardown),
        cmocka_unit_test_teardown(poke_flips_stored_bits_and_limits_are_counted, teardown),
    };
    return cmocka_run_group_tests_name("zdev model", tests, NULL, NULL);
}
