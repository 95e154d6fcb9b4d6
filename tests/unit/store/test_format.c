/* SPDX-License-Identifier: MIT */
/*
 * test_format.c - CRC32C against the published test vectors, and the record
 * format's parser: it accepts what the store seals and refuses every field
 * that is out of line.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store.h"

/* RFC 3720 (iSCSI), appendix B.4, and the common check value: through the
 * public function (the crc32 instruction where the CPU has it) and through
 * the tables. */
static void crc32c_matches_the_published_vectors(void **state)
{
    (void)state;
    uint32_t (*const fns[])(uint32_t, const void *, size_t) = {zslab_store_crc32c,
                                                               _zslab_zst_crc32c_soft};
    for (size_t f = 0; f < 2; f++) {
        uint8_t buf[32];
        memset(buf, 0, sizeof(buf));
        assert_int_equal(fns[f](0, buf, 32), 0x8a9136aa);
        memset(buf, 0xff, sizeof(buf));
        assert_int_equal(fns[f](0, buf, 32), 0x62a8ab43);
        for (int i = 0; i < 32; i++)
            buf[i] = (uint8_t)i;
        assert_int_equal(fns[f](0, buf, 32), 0x46dd794e);
        for (int i = 0; i < 32; i++)
            buf[i] = (uint8_t)(31 - i);
        assert_int_equal(fns[f](0, buf, 32), 0x113fdb5c);
        assert_int_equal(fns[f](0, "123456789", 9), 0xe3069283);
        assert_int_equal(fns[f](0, buf, 0), 0);
    }
}

static void crc32c_instruction_and_tables_agree(void **state)
{
    (void)state;
    uint8_t buf[4099];
    fill_object(buf, 3, 1, sizeof(buf));
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len + off <= sizeof(buf); len += 37)
            assert_int_equal(zslab_store_crc32c(0x12345678, buf + off, len),
                             _zslab_zst_crc32c_soft(0x12345678, buf + off, len));
}

static void crc32c_chains_and_copies(void **state)
{
    (void)state;
    uint8_t src[1000], dst[1000];
    fill_object(src, 7, 0, sizeof(src));
    uint32_t whole = zslab_store_crc32c(0, src, sizeof(src));
    for (size_t cut = 0; cut <= sizeof(src); cut += 37) {
        uint32_t c = zslab_store_crc32c(0, src, cut);
        assert_int_equal(zslab_store_crc32c(c, src + cut, sizeof(src) - cut), whole);
        memset(dst, 0, sizeof(dst));
        c = _zslab_zst_crc32c_copy(0, dst, src, cut);
        c = _zslab_zst_crc32c_copy(c, dst + cut, src + cut, sizeof(src) - cut);
        assert_int_equal(c, whole);
        assert_memory_equal(dst, src, sizeof(src));
    }
}

/* A valid record of two objects of one class (lengths 24 and 23): header,
 * entries, payload. */
static size_t make_record(uint8_t *buf, size_t size)
{
    memset(buf, 0, size);
    uint32_t lens[2] = {24, 23};
    uint16_t cls = _zslab_zst_class_of(24);
    assert_int_equal(_zslab_zst_class_of(23), cls);
    uint32_t payload_off = 128, off = payload_off;
    for (int i = 0; i < 2; i++) {
        _zslab_zst_put_le64(buf + ZST_HDR_BYTES + i * ZST_ENTRY_BYTES, 100 + i);
        _zslab_zst_put_le32(buf + ZST_HDR_BYTES + i * ZST_ENTRY_BYTES + 8, lens[i]);
        fill_object(buf + off, 100 + i, 0, lens[i]);
        off += zst_round_up(lens[i], ZST_ALIGN);
    }
    zst_rec_t r = {.seq = 5,
                   .store_id = 42,
                   .record_bytes = LBA_BYTES,
                   .nr = 2,
                   .payload_off = payload_off,
                   .payload_bytes = off - payload_off,
                   .payload_crc = zslab_store_crc32c(0, buf + payload_off, off - payload_off),
                   .cls = cls};
    _zslab_zst_rec_seal(buf, &r, 12);
    return LBA_BYTES;
}

static int parse(const uint8_t *buf, const char **why)
{
    zst_rec_t r;
    int rc = _zslab_zst_rec_decode(buf, LBA_BYTES, &r, why);
    if (rc)
        return rc;
    rc = _zslab_zst_rec_check_header(buf, LBA_BYTES, &r, ZSLAB_STORE_MAX_OBJECT_BYTES_LIMIT, why);
    if (!rc)
        rc = _zslab_zst_rec_check_trailer(buf, buf + r.record_bytes, &r, why);
    return rc ? rc : _zslab_zst_rec_check_payload(buf, &r, why);
}

static void a_sealed_record_parses_back(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES];
    make_record(buf, sizeof(buf));
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    assert_int_equal(r.seq, 5);
    assert_int_equal(r.store_id, 42);
    assert_int_equal(r.nr, 2);
    assert_int_equal(parse(buf, &why), 0);
    uint64_t id;
    uint32_t len;
    _zslab_zst_rec_entry(buf, 1, &id, &len);
    assert_int_equal(id, 101);
    assert_int_equal(len, 23);
    /* the magic is the bytes "ZSLB" */
    assert_memory_equal(buf, "ZSLB", 4);
}

static void a_record_cut_short_is_known_by_its_trailer(void **state)
{
    (void)state;
    uint8_t buf[2 * LBA_BYTES];
    make_record(buf, sizeof(buf));
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    /* the record were two LBAs long and its second never written */
    r.record_bytes = 2 * LBA_BYTES;
    assert_int_equal(_zslab_zst_rec_check_trailer(buf, buf + r.record_bytes, &r, &why),
                     -ZSLAB_EBADMSG);
    assert_non_null(strstr(why, "torn"));
    r.record_bytes = LBA_BYTES;
    assert_int_equal(_zslab_zst_rec_check_trailer(buf, buf + r.record_bytes, &r, &why), 0);
    r.seq++;
    assert_int_equal(_zslab_zst_rec_check_trailer(buf, buf + r.record_bytes, &r, &why),
                     -ZSLAB_EBADMSG);
}

/* Class c holds (2^(c+2), 2^(c+3)] bytes; class 0 up to 8. */
static void size_classes_are_powers_of_two(void **state)
{
    (void)state;
    static const struct {
        uint32_t len;
        uint16_t cls;
    } cases[] = {{0, 0},    {1, 0},     {8, 0},      {9, 1},       {16, 1},      {17, 2},
                 {4096, 9}, {4097, 10}, {65536, 13}, {262144, 15}, {262145, 16}, {524287, 16}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(_zslab_zst_class_of(cases[i].len), cases[i].cls);
}

static void zeros_are_no_record(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES] = {0};
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 1);
}

/* Flipping any single bit of the header, entries, payload or trailer is
 * caught. */
static void every_flipped_bit_is_caught(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES];
    size_t used = 128 + 24 + 24;
    for (size_t byte = 0; byte < LBA_BYTES; byte++) {
        if (byte == used)
            byte = LBA_BYTES - ZST_TRAILER_BYTES; /* zero padding is not covered */
        for (int bit = 0; bit < 8; bit++) {
            make_record(buf, sizeof(buf));
            buf[byte] ^= (uint8_t)(1u << bit);
            const char *why = NULL;
            int rc = parse(buf, &why);
            if (byte >= ZST_HDR_BYTES + 2 * ZST_ENTRY_BYTES && byte < 128)
                continue; /* the gap between entries and payload is not covered */
            if (rc == 0)
                fail_msg("flip of byte %zu bit %d was not caught", byte, bit);
            assert_true(rc == -ZSLAB_EBADMSG || rc == -ZSLAB_EPROTO);
            assert_non_null(why);
        }
    }
}

static void a_newer_version_is_refused_as_such(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES];
    make_record(buf, sizeof(buf));
    buf[ZST_H_VERSION] = ZSLAB_STORE_FORMAT_VERSION + 1;
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), -ZSLAB_EPROTO);
    assert_string_equal(why, "newer format version");
}

static void fields_out_of_line_are_named(void **state)
{
    (void)state;
    struct {
        size_t off;
        uint32_t value;
        const char *why;
    } cases[] = {
        {ZST_H_MAGIC, 0x12345678, "no record magic"},
        {ZST_H_RECORD_BYTES, 100, "record length is not a whole number of LBAs"},
        {ZST_H_RECORD_BYTES, 2 * ZSLAB_STORE_MAX_SLAB_BYTES, "record length"},
        {ZST_H_NR_ENTRIES, 5000, "entries or payload do not fit the record"},
        {ZST_H_PAYLOAD_OFF, 60, "entries or payload do not fit the record"},
        {ZST_H_CLASS, 200, "unknown size class"},
        {ZST_H_LBA_SHIFT, 9, "written with another LBA size"},
        {ZST_H_RESERVED, 1, "reserved header bytes are not zero"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[LBA_BYTES];
        make_record(buf, sizeof(buf));
        if (cases[i].off == ZST_H_CLASS || cases[i].off == ZST_H_LBA_SHIFT)
            buf[cases[i].off] = (uint8_t)cases[i].value;
        else
            _zslab_zst_put_le32(buf + cases[i].off, cases[i].value);
        zst_rec_t r;
        const char *why = "";
        assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), -ZSLAB_EBADMSG);
        if (strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, why, cases[i].why);
    }
}

/* Entries that disagree with the header are refused even with a good CRC. */
static void entries_must_add_up_and_stay_in_class(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES];
    make_record(buf, sizeof(buf));
    /* a length of another class, then the header CRC made right again */
    _zslab_zst_put_le32(buf + ZST_HDR_BYTES + 8, 1000);
    assert_true(_zslab_zst_class_of(1000) != _zslab_zst_class_of(24));
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    r.payload_bytes += 976;
    _zslab_zst_rec_seal(buf, &r, 12);
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    assert_int_equal(_zslab_zst_rec_check_header(buf, LBA_BYTES, &r, 1u << 18, &why),
                     -ZSLAB_EBADMSG);
    assert_string_equal(why, "object length outside the record's size class");
    make_record(buf, sizeof(buf));
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    r.payload_bytes += 8;
    _zslab_zst_rec_seal(buf, &r, 12);
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    assert_int_equal(_zslab_zst_rec_check_header(buf, LBA_BYTES, &r, 1u << 18, &why),
                     -ZSLAB_EBADMSG);
    assert_string_equal(why, "object lengths do not add up to the payload");
}

/* Version 2 records fill their end with objects of smaller classes; a
 * version 1 record holds its class only. */
static void smaller_classes_from_version_2_only(void **state)
{
    (void)state;
    uint8_t buf[LBA_BYTES];
    make_record(buf, sizeof(buf));
    _zslab_zst_put_le32(buf + ZST_HDR_BYTES + 8, 12); /* 24 -> 12 bytes: class 1 < 2 */
    assert_true(_zslab_zst_class_of(12) < _zslab_zst_class_of(24));
    zst_rec_t r;
    const char *why = NULL;
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    r.payload_bytes -= 8;
    _zslab_zst_rec_seal(buf, &r, 12);
    assert_int_equal(_zslab_zst_rec_decode(buf, LBA_BYTES, &r, &why), 0);
    assert_int_equal(r.version, 2);
    assert_int_equal(_zslab_zst_rec_check_header(buf, LBA_BYTES, &r, 1u << 18, &why), 0);
    r.version = 1;
    assert_int_equal(_zslab_zst_rec_check_header(buf, LBA_BYTES, &r, 1u << 18, &why),
                     -ZSLAB_EBADMSG);
    assert_string_equal(why, "object length outside the record's size class");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32c_matches_the_published_vectors),
        cmocka_unit_test(crc32c_chains_and_copies),
        cmocka_unit_test(crc32c_instruction_and_tables_agree),
        cmocka_unit_test(a_sealed_record_parses_back),
        cmocka_unit_test(zeros_are_no_record),
        cmocka_unit_test(size_classes_are_powers_of_two),
        cmocka_unit_test(a_record_cut_short_is_known_by_its_trailer),
        cmocka_unit_test(every_flipped_bit_is_caught),
        cmocka_unit_test(a_newer_version_is_refused_as_such),
        cmocka_unit_test(fields_out_of_line_are_named),
        cmocka_unit_test(entries_must_add_up_and_stay_in_class),
        cmocka_unit_test(smaller_classes_from_version_2_only),
    };
    return cmocka_run_group_tests_name("store format", tests, NULL, NULL);
}
