/* SPDX-License-Identifier: MIT */
/*
 * test_recovery.c - recovery after each crash mode of the model: every object
 * acknowledged by a completed flush comes back byte-exact, none comes back
 * after an acknowledged delete; zones left open are resumed or finished; a
 * record that fails a check is reported by its LBA and skipped, and exactly
 * that one; a newer format version and foreign data are refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store.h"

#define OBJ_BYTES 3000u

static void put_range(uint64_t first, uint64_t n, uint32_t version)
{
    for (uint64_t id = first; id < first + n; id++)
        put_object(id, version, OBJ_BYTES + id % 500);
}

static void expect_range(uint64_t first, uint64_t n, uint32_t version)
{
    for (uint64_t id = first; id < first + n; id++)
        expect_object(id, version, OBJ_BYTES + id % 500);
}

static void expect_range_missing(uint64_t first, uint64_t n)
{
    for (uint64_t id = first; id < first + n; id++)
        expect_missing(id);
}

/* The LBAs where records start in zone @zone of the model (walked through
 * their headers), at most @max of them. */
static unsigned records_of_zone(uint32_t zone, uint64_t *lbas, unsigned max)
{
    const struct zdev_model_zone *z = &rig.m.zones[zone];
    uint64_t lba = (uint64_t)zone * rig.m.cfg.geo.zone_size_lbas;
    unsigned n = 0;
    while (lba < z->wp_lba && n < max) {
        zst_rec_t r;
        const char *why = NULL;
        const uint8_t *p = rig.m.data + lba * rig.m.cfg.geo.lba_bytes;
        if (_zslab_zst_rec_decode(p, rig.m.cfg.geo.lba_bytes, &r, &why) != 0)
            break;
        lbas[n++] = lba;
        lba += r.record_bytes / rig.m.cfg.geo.lba_bytes;
    }
    return n;
}

static void open_default(void)
{
    struct geo g = geo_default();
    rig_device(&g);
    rig_open();
}

static void drop_unflushed_keeps_exactly_what_a_flush_acknowledged(void **state)
{
    (void)state;
    open_default();
    put_range(0, 100, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    assert_int_equal(zslab_store_delete(rig.s, 5), 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    put_range(100, 200, 0); /* many slabs reach the device, none is flushed */
    put_range(0, 5, 1);
    assert_int_equal(zslab_store_delete(rig.s, 6), 0);
    assert_true(counters().device_appends > counters().device_flushes);
    rig_crash(ZDEV_MODEL_CRASH_DROP_UNFLUSHED, 0, true);
    rig_open();
    expect_range(0, 5, 0);
    expect_missing(5);
    expect_range(6, 94, 0);
    expect_range_missing(100, 200);
    assert_int_equal(counters().corrupt_slabs, 0);
    assert_int_equal(counters().live_objects.current, 99);
    /* and it goes on: puts after recovery, another crash */
    put_range(300, 50, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    rig_crash(ZDEV_MODEL_CRASH_DROP_UNFLUSHED, 0, false);
    rig_open();
    expect_range(300, 50, 0);
    expect_range(6, 94, 0);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void zones_left_open_are_resumed_or_finished(void **state)
{
    (void)state;
    open_default();
    put_range(0, 120, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    uint32_t open_before = rig.m.nr_open;
    assert_int_equal(open_before, 1);
    /* a power cycle without shutdown: the head stays implicitly open */
    rig_crash(ZDEV_MODEL_CRASH_KEEP, 0, false);
    assert_int_equal(rig.m.nr_open, 1);
    rig_open();
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_RESUMED), 1);
    assert_int_equal(counters().zones_left_open, 1);
    expect_range(0, 120, 0);
    put_range(120, 40, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    /* an orderly one: closed, then resumed */
    rig_crash(ZDEV_MODEL_CRASH_KEEP, 0, true);
    rig_open();
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_RESUMED), 1);
    expect_range(0, 160, 0);
    rig_close(true);
    /* two zones open with records (a copy of the head's, as a zone that was
     * retiring when the power went): one is resumed, the other finished */
    uint32_t head = 0;
    while (rig.m.zones[head].state != ZSLAB_ZONE_CLOSED &&
           rig.m.zones[head].state != ZSLAB_ZONE_IMP_OPEN)
        head++;
    uint64_t zl = rig.m.cfg.geo.zone_size_lbas;
    uint32_t other = 15, lbas = (uint32_t)(rig.m.zones[head].wp_lba - head * zl);
    assert_int_equal(rig.m.zones[other].state, ZSLAB_ZONE_EMPTY);
    assert_int_equal(zdev_model_write(&rig.m, other * zl, rig.m.data + head * zl * LBA_BYTES,
                                      (size_t)lbas * LBA_BYTES),
                     0);
    rig_open();
    assert_int_equal(counters().zones_left_open, 2);
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_RESUMED), 1);
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_FINISHED), 1);
    expect_range(0, 160, 0);
    put_range(200, 10, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    rig_close(true);
    rig_open();
    expect_range(0, 160, 0);
    expect_range(200, 10, 0);
    assert_int_equal(rig.m.limit_statuses, 0);
}

static void a_torn_last_record_is_reported_and_its_zone_finished(void **state)
{
    (void)state;
    open_default();
    put_range(0, 40, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    put_range(40, 30, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    /* puts until one fills a slab: its append is the last write */
    uint64_t appends = counters().device_appends, id = 70;
    while (counters().device_appends == appends)
        put_object(id++, 0, 4000);
    uint64_t torn = rig.m.last_lba;
    assert_true(rig.m.last_nlbas > 2);
    rig_crash(ZDEV_MODEL_CRASH_TEAR_LAST, 2, false);
    rig_open();
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_CORRUPT_SLAB), 1);
    unsigned i = 0;
    while (rig.log.ev[i].kind != ZSLAB_STORE_EVENT_CORRUPT_SLAB)
        i++;
    assert_int_equal(rig.log.ev[i].lba, torn);
    assert_non_null(strstr(rig.log.ev[i].reason, "torn"));
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_ZONE_FINISHED), 1);
    expect_range(0, 70, 0);
    /* appends go on elsewhere, and the next open is clean of it */
    put_range(100, 30, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    rig_close(true);
    rig_open();
    expect_range(0, 70, 0);
    expect_range(100, 30, 0);
}

static void a_corrupt_payload_is_exactly_that_slab_and_stays_dead(void **state)
{
    (void)state;
    open_default();
    put_range(0, 60, 0); /* versions 0 of 0..59 */
    assert_int_equal(zslab_store_flush(rig.s), 0);
    put_range(0, 60, 1); /* versions 1, in later records */
    assert_int_equal(zslab_store_flush(rig.s), 0);
    uint64_t recs[64];
    unsigned n = 0;
    for (uint32_t z = 0; z < 4; z++)
        n += records_of_zone(z, recs + n, 64 - n);
    assert_true(n >= 6);
    uint64_t victim = recs[n - 2]; /* a record of versions 1 */
    assert_int_equal(zdev_model_poke(&rig.m, victim + 1, 100, 0x01), 0);
    rig_close(true);
    rig_open();
    assert_int_equal(rig_events(ZSLAB_STORE_EVENT_CORRUPT_SLAB), 1);
    assert_int_equal(rig.log.ev[0].kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB ||
                         rig.log.ev[1].kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB,
                     1);
    for (unsigned i = 0; i < rig.log.nr; i++)
        if (rig.log.ev[i].kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB) {
            assert_int_equal(rig.log.ev[i].lba, victim);
            assert_string_equal(rig.log.ev[i].reason, "payload CRC mismatch");
        }
    zslab_store_counters_t c = counters();
    assert_int_equal(c.corrupt_slabs, 1);
    assert_true(c.objects_lost > 0 && c.objects_lost < 60);
    /* the lost objects are missing; never their older version */
    uint64_t lost = 0;
    for (uint64_t id = 0; id < 60; id++) {
        size_t len;
        uint8_t buf[OBJ_BYTES + 500];
        int err = zslab_store_get(rig.s, id, buf, sizeof(buf), &len);
        if (err == -ZSLAB_ENOENT) {
            lost++;
            continue;
        }
        expect_object(id, 1, OBJ_BYTES + id % 500);
    }
    assert_int_equal(lost, c.objects_lost);
    rig_close(true);
    rig_open();
    for (uint64_t id = 0, still = 0; id < 60; id++) {
        size_t len;
        if (zslab_store_size(rig.s, id, &len) == -ZSLAB_ENOENT)
            still++;
        if (id == 59)
            assert_int_equal(still, lost);
    }
    uint64_t corrupt = 0;
    assert_int_equal(zslab_store_verify(rig.s, &corrupt), -ZSLAB_EBADMSG);
    assert_int_equal(corrupt, 1);
}

static void a_corrupt_header_is_skipped_and_the_next_records_found(void **state)
{
    (void)state;
    open_default();
    put_range(0, 60, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    uint64_t recs[16];
    unsigned n = records_of_zone(0, recs, 16);
    assert_true(n >= 3);
    assert_int_equal(zdev_model_poke(&rig.m, recs[1], 20, 0x40), 0); /* its seq */
    rig_close(false);
    rig_open();
    assert_int_equal(counters().corrupt_slabs, 1);
    for (unsigned i = 0; i < rig.log.nr; i++)
        if (rig.log.ev[i].kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB) {
            assert_int_equal(rig.log.ev[i].lba, recs[1]);
            assert_string_equal(rig.log.ev[i].reason, "header CRC mismatch");
        }
    /* the records after it were found: most objects are there */
    uint64_t present = 0;
    for (uint64_t id = 0; id < 60; id++) {
        size_t len;
        present += zslab_store_size(rig.s, id, &len) == 0;
    }
    assert_true(present >= 60 - 25 && present < 60);
    assert_int_equal(counters().slabs_scanned + 1, n + (counters().slabs_scanned + 1 - n));
}

static void a_newer_format_version_is_refused_naming_both(void **state)
{
    (void)state;
    open_default();
    put_range(0, 10, 0);
    rig_close(true);
    uint8_t *h = rig.m.data;
    h[ZST_H_VERSION] = ZSLAB_STORE_FORMAT_VERSION + 1;
    assert_int_equal(rig_try_open(), -ZSLAB_EPROTO);
    assert_non_null(strstr(rig.msg, "format version 3"));
    assert_non_null(strstr(rig.msg, "reads versions 1 to 2"));
    assert_non_null(strstr(rig.msg, "LBA 0x0"));
}

static void foreign_data_is_not_a_store(void **state)
{
    (void)state;
    struct geo g = geo_default();
    rig_device(&g);
    uint8_t junk[2 * LBA_BYTES];
    fill_object(junk, 1, 2, sizeof(junk));
    assert_int_equal(zdev_model_write(&rig.m, 3 * g.zone_lbas, junk, sizeof(junk)), 0);
    assert_int_equal(rig_try_open(), -ZSLAB_EEXIST);
    assert_non_null(strstr(rig.msg, "not a store"));
    /* formatting the range makes it a new store */
    assert_int_equal(zslab_store_format(&rig.cfg, rig.msg, sizeof(rig.msg)), 0);
    rig_open();
    put_range(0, 10, 0);
    assert_int_equal(zslab_store_flush(rig.s), 0);
    rig_close(true);
    /* junk in one zone of a store: reported, the rest recovered */
    assert_int_equal(zdev_model_write(&rig.m, 9 * g.zone_lbas, junk, sizeof(junk)), 0);
    rig_open();
    assert_int_equal(counters().corrupt_slabs, 1);
    assert_int_equal(rig.log.ev[0].lba, 9 * g.zone_lbas);
    expect_range(0, 10, 0);
}

static void a_read_error_while_recovering_fails_the_open(void **state)
{
    (void)state;
    open_default();
    put_range(0, 30, 0);
    rig_close(true);
    zdev_model_fail(
        &rig.m, &(struct zdev_model_fault){.op = ZDEV_MODEL_OP_READ, .times = 1, .status = 0x281});
    assert_int_equal(rig_try_open(), 0x281);
    assert_non_null(strstr(rig.msg, "read zone at LBA"));
    assert_non_null(strstr(rig.msg, "NVMe status 0x281"));
    rig_open();
    expect_range(0, 30, 0);
}

static void headers_only_recovery_reads_less(void **state)
{
    (void)state;
    open_default();
    put_range(0, 200, 0);
    rig_close(true);
    rig_open();
    zslab_store_counters_t full = counters();
    rig_close(false);
    rig.cfg.verify_payload = false;
    rig_open();
    zslab_store_counters_t headers = counters();
    assert_int_equal(headers.slabs_scanned, full.slabs_scanned);
    assert_true(headers.slabs_verified < full.slabs_verified);
    assert_true(headers.device_read_bytes * 4 < full.device_read_bytes);
    /* One read per record (and one per zone): a record's trailer comes with
     * the next one's header (two reads per record without that). */
    assert_true(headers.slabs_scanned >= 8);
    assert_true(headers.device_reads * 3 <= headers.slabs_scanned * 4);
    expect_range(0, 200, 0);
    print_message(
        "recovery: %llu records, %llu bytes read with payloads, %llu headers only "
        "(%llu reads)\n",
        (unsigned long long)full.slabs_scanned, (unsigned long long)full.device_read_bytes,
        (unsigned long long)headers.device_read_bytes, (unsigned long long)headers.device_reads);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(drop_unflushed_keeps_exactly_what_a_flush_acknowledged,
                                  rig_teardown),
        cmocka_unit_test_teardown(zones_left_open_are_resumed_or_finished, rig_teardown),
        cmocka_unit_test_teardown(a_torn_last_record_is_reported_and_its_zone_finished,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_corrupt_payload_is_exactly_that_slab_and_stays_dead,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_corrupt_header_is_skipped_and_the_next_records_found,
                                  rig_teardown),
        cmocka_unit_test_teardown(a_newer_format_version_is_refused_naming_both, rig_teardown),
        cmocka_unit_test_teardown(foreign_data_is_not_a_store, rig_teardown),
        cmocka_unit_test_teardown(a_read_error_while_recovering_fails_the_open, rig_teardown),
        cmocka_unit_test_teardown(headers_only_recovery_reads_less, rig_teardown),
    };
    return cmocka_run_group_tests_name("store recovery", tests, NULL, NULL);
}
