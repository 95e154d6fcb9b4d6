/* SPDX-License-Identifier: MIT */
/*
 * crc32c.c - CRC32C (Castagnoli, reflected polynomial 0x82f63b78), as iSCSI,
 * ext4 and NVMe use it: the SSE4.2 crc32 instruction where the CPU has it
 * (x86-64, found with cpuid), else slice-by-8 tables.  The lab's TCG guest
 * CPU (qemu64) has no SSE4.2, so the tables are what runs there.  Tables and
 * the CPU check are done once, at the first call (a freestanding core has no
 * constructor).  Both ways are checked against RFC 3720's test vectors in
 * tests/unit/store.
 */
#include <stdatomic.h>

#include "store.h"

#define POLY        0x82f63b78u
#define SLICES      8u
#define TABLE_BYTES 256u

static uint32_t table[SLICES][TABLE_BYTES];
static atomic_int table_state; /* 0 none, 1 being computed, 2 ready */
static atomic_int hw_state;    /* 0 not asked yet, 1 SSE4.2 crc32, 2 tables */

static void compute_tables(void)
{
    for (uint32_t b = 0; b < TABLE_BYTES; b++) {
        uint32_t crc = b;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (POLY & (0u - (crc & 1u)));
        table[0][b] = crc;
    }
    for (uint32_t b = 0; b < TABLE_BYTES; b++)
        for (uint32_t k = 1; k < SLICES; k++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
}

static void ensure_tables(void)
{
    if (atomic_load_explicit(&table_state, memory_order_acquire) == 2)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong_explicit(&table_state, &expected, 1, memory_order_acq_rel,
                                                memory_order_acquire)) {
        compute_tables();
        atomic_store_explicit(&table_state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&table_state, memory_order_acquire) != 2)
        ; /* another thread is computing: 2 KiB of work */
}

/* Little-endian 8 bytes; the compiler turns the byte loops into one load and
 * one store on x86 (they are written so, without memcpy, for a freestanding
 * build). */
static inline uint64_t load64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline void store64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    p[4] = (uint8_t)(v >> 32);
    p[5] = (uint8_t)(v >> 40);
    p[6] = (uint8_t)(v >> 48);
    p[7] = (uint8_t)(v >> 56);
}

/* Eight bytes at once (slice-by-8): @v holds them, little-endian. */
static inline uint32_t step8(uint32_t crc, uint64_t v)
{
    uint32_t lo = (uint32_t)v ^ crc, hi = (uint32_t)(v >> 32);
    return table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
           table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
           table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
}

uint32_t _zslab_zst_crc32c_soft(uint32_t crc, const void *buf, size_t len)
{
    ensure_tables();
    const uint8_t *p = buf;
    crc = ~crc;
    for (; len >= SLICES; len -= SLICES, p += SLICES)
        crc = step8(crc, load64(p));
    while (len--)
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

/* The tables' CRC of @src while copying it to @dst (no overlap): one pass. */
static uint32_t soft_copy(uint32_t crc, void *dst, const void *src, size_t len)
{
    ensure_tables();
    const uint8_t *p = src;
    uint8_t *d = dst;
    crc = ~crc;
    for (; len >= SLICES; len -= SLICES, p += SLICES, d += SLICES) {
        uint64_t v = load64(p);
        store64(d, v);
        crc = step8(crc, v);
    }
    while (len--) {
        *d++ = *p;
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    }
    return ~crc;
}

/* ---- the crc32 instruction --------------------------------------------------- */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SSE42_ECX_BIT (1u << 20) /* cpuid leaf 1, ecx: SSE4.2 */

static bool cpu_has_sse42(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c & SSE42_ECX_BIT) != 0;
}

__attribute__((target("sse4.2"))) static uint32_t hw_crc(uint32_t crc, uint8_t *dst,
                                                         const uint8_t *p, size_t len)
{
    uint64_t c = ~crc;
    for (; len >= SLICES; len -= SLICES, p += SLICES) {
        uint64_t v = load64(p);
        if (dst) {
            store64(dst, v);
            dst += SLICES;
        }
        c = __builtin_ia32_crc32di(c, v);
    }
    uint32_t c32 = (uint32_t)c;
    while (len--) {
        if (dst)
            *dst++ = *p;
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    }
    return ~c32;
}

static bool use_hw(void)
{
    int st = atomic_load_explicit(&hw_state, memory_order_relaxed);
    if (st == 0) {
        st = cpu_has_sse42() ? 1 : 2;
        atomic_store_explicit(&hw_state, st, memory_order_relaxed);
    }
    return st == 1;
}
#else
static bool use_hw(void)
{
    return false;
}
static uint32_t hw_crc(uint32_t crc, uint8_t *dst, const uint8_t *p, size_t len)
{
    (void)dst;
    return _zslab_zst_crc32c_soft(crc, p, len); /* never called */
}
#endif

uint32_t zslab_store_crc32c(uint32_t crc, const void *buf, size_t len)
{
    return use_hw() ? hw_crc(crc, NULL, buf, len) : _zslab_zst_crc32c_soft(crc, buf, len);
}

/* zslab_store_crc32c() of @src while copying it to @dst (no overlap): one pass. */
uint32_t _zslab_zst_crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len)
{
    return use_hw() ? hw_crc(crc, dst, src, len) : soft_copy(crc, dst, src, len);
}
