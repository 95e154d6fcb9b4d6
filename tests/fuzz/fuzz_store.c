/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store.c - libFuzzer target on the zone store's recovery parser.
 *
 * The input is the contents of up to four zones of a model device (512-byte
 * LBAs, 128 KiB zones): byte 0 says how many zones are used and which are
 * finished (so scanned to their capacity, not to a write pointer), the rest is
 * split evenly among them and written from each zone's start.  The store is
 * opened on it (recovery), every object it then holds is read, the store is
 * closed (it may write tombstones for lost objects) and opened again, read
 * only, checking payloads and then headers only (verify_payload false: the
 * scanner reads each record's header and trailer, so there an object may
 * come from a record whose payload CRC fails, but never from one whose
 * header or trailer does not verify).
 *
 * It must never crash (ASan, UBSan, the store's asserts), and every object it
 * returns must be the bytes of an entry of a record that verifies by this
 * file's own parser and CRC32C (written apart from core/src/store on purpose):
 * magic, version, header CRC, trailer, payload CRC.
 *
 * A custom mutator recomputes the CRCs of records it finds after libFuzzer
 * mutated them (half of the time), so mutations of header fields reach the
 * checks behind the CRCs.  `fuzz_store_seeds DIR` writes a starting corpus of
 * zone images made by the store itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "zslab/zstore.h"

#define HDR     64u
#define ENTRY   12u
#define TRAILER 16u

/* ---- an independent reader of the format -------------------------------- */

static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t header_crc(const uint8_t *rec, uint32_t hb)
{
    static const uint8_t zero[4];
    uint32_t crc = crc32c_bitwise(0, rec, 60);
    crc = crc32c_bitwise(crc, zero, 4);
    return crc32c_bitwise(crc, rec + HDR, hb - HDR);
}

/* False while checking a headers-only open (verify_payload false): the
 * store then trusts a record whose header and trailer verify, and only
 * zslab_store_verify() checks its payload CRC (docs/zone-store.md). */
static bool payload_checked = true;

/* A record at @rec with @room bytes after it that verifies completely (its
 * payload CRC too while payload_checked): returns its length, or 0. */
static uint32_t valid_record(const uint8_t *rec, size_t room)
{
    uint32_t version = (uint32_t)(rec[4] | rec[5] << 8);
    if (room < LBA || rd32(rec) != 0x424c535au || version < 1 || version > 2)
        return 0;
    uint32_t bytes = rd32(rec + 8), nr = rd32(rec + 12), off = rd32(rec + 32), pb = rd32(rec + 36);
    if (bytes < LBA || bytes % LBA || bytes > room || nr > (bytes - HDR) / ENTRY)
        return 0;
    uint32_t hb = HDR + nr * ENTRY;
    if (off < hb || (uint64_t)off + pb + TRAILER > bytes)
        return 0;
    if (header_crc(rec, hb) != rd32(rec + 60))
        return 0;
    const uint8_t *t = rec + bytes - TRAILER;
    if (rd32(t) != 0x454c535au || rd32(t + 4) != rd32(rec + 60) || rd64(t + 8) != rd64(rec + 16))
        return 0;
    if (payload_checked && crc32c_bitwise(0, rec + off, pb) != rd32(rec + 44))
        return 0;
    return bytes;
}

/* Whether some verified record of the image holds entry (@id, @data, @len). */
static bool held_by_a_valid_record(const uint8_t *img, size_t img_bytes, uint64_t id,
                                   const uint8_t *data, size_t len)
{
    for (size_t pos = 0; pos + LBA <= img_bytes; pos += LBA) {
        const uint8_t *rec = img + pos;
        size_t room = ZONE_DATA - pos % ZONE_DATA;
        if (!valid_record(rec, room) || rd32(rec + 40) == 0xffffu)
            continue;
        uint32_t nr = rd32(rec + 12), off = rd32(rec + 32);
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t l = rd32(rec + HDR + i * ENTRY + 8);
            if (rd64(rec + HDR + i * ENTRY) == id && l == len && memcmp(rec + off, data, len) == 0)
                return true;
            off += (l + 7) / 8 * 8;
        }
    }
    return false;
}

/* ---- the target ------------------------------------------------------------ */

static struct zdev_model m;
static const uint8_t *image;
static size_t image_bytes;
static zslab_store_t *store;

#define MAX_IDS 8192u

struct collect {
    uint64_t ids[MAX_IDS];
    size_t n;
};

static int collect_id(void *arg, uint64_t id, size_t len)
{
    (void)len;
    struct collect *c = arg;
    if (c->n < MAX_IDS)
        c->ids[c->n++] = id;
    return 0;
}

/* Every object the store holds is read, and must be in a verified record. */
static void check_store(void)
{
    static struct collect c;
    static uint8_t buf[ZSLAB_STORE_MAX_SLAB_BYTES];
    c.n = 0;
    zslab_store_for_each(store, collect_id, &c); /* ids first: it holds the lock */
    for (size_t i = 0; i < c.n; i++) {
        size_t len = 0;
        if (zslab_store_get(store, c.ids[i], buf, sizeof(buf), &len) != 0)
            continue; /* a device error is a fine answer; a wrong object is not */
        if (!held_by_a_valid_record(image, image_bytes, c.ids[i], buf, len)) {
            fprintf(stderr, "fuzz_store: object %llu (%zu bytes) is in no record that verifies\n",
                    (unsigned long long)c.ids[i], len);
            abort();
        }
    }
}

/* Writes the input into the zones; returns the zone image as the device has it. */
static void load(const uint8_t *data, size_t size, uint8_t *img)
{
    struct zdev_model_config cfg = fuzz_geometry();
    if (zdev_model_init(&m, &cfg))
        abort();
    memset(img, 0, (size_t)NR_ZONES * ZONE_DATA);
    if (size == 0)
        return;
    uint8_t ctl = data[0];
    unsigned used = 1 + ((ctl >> 4) & 3);
    size_t each = (size - 1) / used;
    if (each > ZONE_DATA)
        each = ZONE_DATA;
    each = each / LBA * LBA;
    for (unsigned z = 0; z < used && each; z++) {
        memcpy(img + (size_t)z * ZONE_DATA, data + 1 + z * each, each);
        if (zdev_model_write(&m, (uint64_t)z * ZONE_LBAS, data + 1 + z * each, each))
            abort();
        if (ctl & (1u << z))
            zdev_model_manage(&m, (uint64_t)z * ZONE_LBAS, ZSLAB_ZONE_FINISH, false);
    }
}

static int open_store(bool read_only, bool verify_payload)
{
    static zslab_t *alloc; /* one allocator for every run: creating one maps a chunk */
    if (!alloc && zslab_create(NULL, &alloc) != ZSLAB_OK)
        abort();
    zslab_store_config_t cfg;
    zslab_store_config_default(&cfg);
    cfg.alloc = alloc;
    cfg.ops = &zdev_model_ops;
    cfg.dev = &m;
    cfg.slab_bytes = SLAB_BYTES;
    cfg.read_only = read_only;
    cfg.verify_payload = verify_payload;
    char msg[256];
    return zslab_store_open(&cfg, &store, msg, sizeof(msg));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t img[NR_ZONES * ZONE_DATA];
    load(data, size, img);
    image = img;
    image_bytes = sizeof(img);
    if (open_store(false, true) == 0) {
        check_store();
        zslab_store_close(store, true);
        /* what was written since (tombstones) may have changed the image */
        for (unsigned z = 0; z < NR_ZONES; z++)
            zdev_model_read(&m, (uint64_t)z * ZONE_LBAS, img + (size_t)z * ZONE_DATA, ZONE_DATA);
        if (open_store(true, true) == 0) {
            check_store();
            zslab_store_close(store, false);
        }
        /* headers only: the scanner's other way through the same image */
        if (open_store(true, false) == 0) {
            payload_checked = false;
            check_store();
            payload_checked = true;
            zslab_store_close(store, false);
        }
    }
    zdev_model_destroy(&m);
    return 0;
}

/* ---- the custom mutator: CRCs made right again ------------------------------ */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static void fix_records(uint8_t *zone, size_t bytes)
{
    for (size_t pos = 0; pos + LBA <= bytes; pos += LBA) {
        uint8_t *rec = zone + pos;
        if (rd32(rec) != 0x424c535au)
            continue;
        uint32_t len = rd32(rec + 8), nr = rd32(rec + 12), off = rd32(rec + 32),
                 pb = rd32(rec + 36);
        uint32_t hb = HDR + nr * ENTRY;
        if (len < LBA || len % LBA || len > bytes - pos || nr > (len - HDR) / ENTRY ||
            (uint64_t)off + pb > len)
            continue;
        wr32(rec + 44, crc32c_bitwise(0, rec + off, pb));
        wr32(rec + 60, header_crc(rec, hb));
        uint8_t *t = rec + len - TRAILER;
        wr32(t, 0x454c535au);
        memcpy(t + 4, rec + 60, 4);
        memcpy(t + 8, rec + 16, 8);
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (size > 1 && seed % 2) {
        unsigned used = 1 + ((data[0] >> 4) & 3);
        size_t each = (size - 1) / used;
        each = (each > ZONE_DATA ? ZONE_DATA : each) / LBA * LBA;
        for (unsigned z = 0; z < used && each; z++)
            fix_records(data + 1 + z * each, each);
    }
    return size;
}
