/* SPDX-License-Identifier: MIT */
/*
 * record.c - the on-device record format (docs/on-device-format.md): byte
 * order, the header's checks and its CRCs.  These functions are the recovery
 * parser: they take arbitrary bytes and accept only a record whose every field
 * is consistent and whose CRCs verify (tests/fuzz/fuzz_store.c fuzzes them).
 *
 * A record ends with a trailer (magic, the header CRC, the seq) in its last
 * 16 bytes, so a record cut short by power loss is known from its first and
 * last LBA alone, also in a zone that was finished since (and has no write
 * pointer to compare with).
 */
#include "store.h"

uint64_t _zslab_zst_le64(const uint8_t *p)
{
    return (uint64_t)_zslab_zst_le32(p) | (uint64_t)_zslab_zst_le32(p + 4) << 32;
}

uint32_t _zslab_zst_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

void _zslab_zst_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void _zslab_zst_put_le64(uint8_t *p, uint64_t v)
{
    _zslab_zst_put_le32(p, (uint32_t)v);
    _zslab_zst_put_le32(p + 4, (uint32_t)(v >> 32));
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint32_t _zslab_zst_rec_header_bytes(uint32_t nr)
{
    return ZST_HDR_BYTES + nr * ZST_ENTRY_BYTES;
}

static int bad(const char **why, const char *reason)
{
    *why = reason;
    return -ZSLAB_EBADMSG;
}

/*
 * Decodes and checks the fixed header (the first ZST_HDR_BYTES of @buf).
 * Return: 0; 1 when the bytes are all zero (nothing was written there);
 * -ZSLAB_EPROTO for a newer format version; -ZSLAB_EBADMSG with @why.
 */
int _zslab_zst_rec_decode(const uint8_t *buf, uint32_t lba_bytes, zst_rec_t *r, const char **why)
{
    if (_zslab_mem_find_not(buf, 0, ZST_HDR_BYTES) == ZST_HDR_BYTES)
        return 1;
    if (_zslab_zst_le32(buf + ZST_H_MAGIC) != ZST_MAGIC)
        return bad(why, "no record magic");
    uint16_t version = le16(buf + ZST_H_VERSION);
    if (version > ZSLAB_STORE_FORMAT_VERSION) {
        *why = "newer format version";
        return -ZSLAB_EPROTO;
    }
    if (version == 0)
        return bad(why, "format version 0");
    if (le16(buf + ZST_H_FLAGS) != 0)
        return bad(why, "unknown header flags");
    if (le16(buf + ZST_H_LBA_SHIFT) != zst_log2(lba_bytes))
        return bad(why, "written with another LBA size");
    if (_zslab_mem_find_not(buf + ZST_H_RESERVED, 0, ZST_H_HEADER_CRC - ZST_H_RESERVED) !=
        ZST_H_HEADER_CRC - ZST_H_RESERVED)
        return bad(why, "reserved header bytes are not zero");
    r->record_bytes = _zslab_zst_le32(buf + ZST_H_RECORD_BYTES);
    r->nr = _zslab_zst_le32(buf + ZST_H_NR_ENTRIES);
    r->seq = _zslab_zst_le64(buf + ZST_H_SEQ);
    r->store_id = _zslab_zst_le64(buf + ZST_H_STORE_ID);
    r->payload_off = _zslab_zst_le32(buf + ZST_H_PAYLOAD_OFF);
    r->payload_bytes = _zslab_zst_le32(buf + ZST_H_PAYLOAD_BYTES);
    r->cls = le16(buf + ZST_H_CLASS);
    r->version = version;
    r->payload_crc = _zslab_zst_le32(buf + ZST_H_PAYLOAD_CRC);
    if (r->record_bytes < lba_bytes || r->record_bytes % lba_bytes ||
        r->record_bytes > ZSLAB_STORE_MAX_SLAB_BYTES)
        return bad(why, "record length is not a whole number of LBAs within the slab limit");
    if (r->seq == 0)
        return bad(why, "sequence number 0");
    if (r->cls > ZST_CLASS_MAX && r->cls != ZST_CLASS_TOMB)
        return bad(why, "unknown size class");
    if (r->nr > (r->record_bytes - ZST_HDR_BYTES) / ZST_ENTRY_BYTES ||
        r->payload_off < _zslab_zst_rec_header_bytes(r->nr) || r->payload_off % ZST_ALIGN ||
        r->payload_bytes % ZST_ALIGN || r->payload_off > r->record_bytes - ZST_TRAILER_BYTES ||
        r->payload_bytes > r->record_bytes - ZST_TRAILER_BYTES - r->payload_off)
        return bad(why, "entries or payload do not fit the record");
    return 0;
}

void _zslab_zst_rec_entry(const uint8_t *buf, uint32_t i, uint64_t *id, uint32_t *len)
{
    const uint8_t *e = buf + ZST_HDR_BYTES + (size_t)i * ZST_ENTRY_BYTES;
    *id = _zslab_zst_le64(e);
    *len = _zslab_zst_le32(e + 8);
}

static uint32_t header_crc(const uint8_t *buf, uint32_t header_bytes)
{
    static const uint8_t zero[4];
    uint32_t crc = zslab_store_crc32c(0, buf, ZST_H_HEADER_CRC);
    crc = zslab_store_crc32c(crc, zero, sizeof(zero));
    return zslab_store_crc32c(crc, buf + ZST_HDR_BYTES, header_bytes - ZST_HDR_BYTES);
}

/*
 * The header CRC (fixed part and entries) and the entries against the
 * header: lengths that add up to the payload, each in its size class (or,
 * from version 2, a smaller one).
 * @avail bytes of @buf are readable; the entries must be among them.
 */
int _zslab_zst_rec_check_header(const uint8_t *buf, size_t avail, const zst_rec_t *r,
                                uint32_t max_object, const char **why)
{
    uint32_t hb = _zslab_zst_rec_header_bytes(r->nr);
    if (avail < hb)
        return bad(why, "header cut short");
    if (header_crc(buf, hb) != _zslab_zst_le32(buf + ZST_H_HEADER_CRC))
        return bad(why, "header CRC mismatch");
    uint64_t sum = 0;
    for (uint32_t i = 0; i < r->nr; i++) {
        uint64_t id;
        uint32_t len;
        _zslab_zst_rec_entry(buf, i, &id, &len);
        if (len > max_object)
            return bad(why, "object longer than the largest object");
        /* version 1: every object of the record's class; 2: of it or a
         * smaller one (the room at the end of a record is filled) */
        uint16_t c = _zslab_zst_class_of(len);
        if (r->cls == ZST_CLASS_TOMB ? len != ZST_TOMB_BYTES
                                     : (c > r->cls || (r->version < 2 && c != r->cls)))
            return bad(why, "object length outside the record's size class");
        sum += zst_round_up(len, ZST_ALIGN);
    }
    if (sum != r->payload_bytes)
        return bad(why, "object lengths do not add up to the payload");
    return 0;
}

/* The trailer, in the record's last 16 bytes (@end points past them); @buf
 * holds the header. */
int _zslab_zst_rec_check_trailer(const uint8_t *buf, const uint8_t *end, const zst_rec_t *r,
                                 const char **why)
{
    const uint8_t *t = end - ZST_TRAILER_BYTES;
    if (_zslab_zst_le32(t) != ZST_TRAILER_MAGIC || _zslab_zst_le64(t + 8) != r->seq ||
        _zslab_zst_le32(t + 4) != _zslab_zst_le32(buf + ZST_H_HEADER_CRC))
        return bad(why, "record cut short: its last LBA does not end it (torn write)");
    return 0;
}

/* The payload CRC; @buf holds the whole record. */
int _zslab_zst_rec_check_payload(const uint8_t *buf, const zst_rec_t *r, const char **why)
{
    if (zslab_store_crc32c(0, buf + r->payload_off, r->payload_bytes) != r->payload_crc)
        return bad(why, "payload CRC mismatch");
    return 0;
}

/* Writes the fixed header of a sealed slab and its header CRC; the entries
 * are already in place, the payload CRC is in @r. */
void _zslab_zst_rec_seal(uint8_t *buf, const zst_rec_t *r, uint32_t lba_shift)
{
    _zslab_mem_fill(buf, 0, ZST_HDR_BYTES);
    _zslab_zst_put_le32(buf + ZST_H_MAGIC, ZST_MAGIC);
    put_le16(buf + ZST_H_VERSION, (uint16_t)ZSLAB_STORE_FORMAT_VERSION);
    _zslab_zst_put_le32(buf + ZST_H_RECORD_BYTES, r->record_bytes);
    _zslab_zst_put_le32(buf + ZST_H_NR_ENTRIES, r->nr);
    _zslab_zst_put_le64(buf + ZST_H_SEQ, r->seq);
    _zslab_zst_put_le64(buf + ZST_H_STORE_ID, r->store_id);
    _zslab_zst_put_le32(buf + ZST_H_PAYLOAD_OFF, r->payload_off);
    _zslab_zst_put_le32(buf + ZST_H_PAYLOAD_BYTES, r->payload_bytes);
    put_le16(buf + ZST_H_CLASS, r->cls);
    put_le16(buf + ZST_H_LBA_SHIFT, (uint16_t)lba_shift);
    _zslab_zst_put_le32(buf + ZST_H_PAYLOAD_CRC, r->payload_crc);
    uint32_t crc = header_crc(buf, _zslab_zst_rec_header_bytes(r->nr));
    _zslab_zst_put_le32(buf + ZST_H_HEADER_CRC, crc);
    uint8_t *t = buf + r->record_bytes - ZST_TRAILER_BYTES;
    _zslab_zst_put_le32(t, ZST_TRAILER_MAGIC);
    _zslab_zst_put_le32(t + 4, crc);
    _zslab_zst_put_le64(t + 8, r->seq);
}
