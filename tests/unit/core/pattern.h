/* SPDX-License-Identifier: MIT */
/* pattern.h - fill an object with bytes derived from its address, and check
 * them: an object that overlaps another, or is written after free, shows. */
#ifndef ZSLAB_TEST_PATTERN_H
#define ZSLAB_TEST_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Large objects get their head and tail patterned, not every page. */
#define PATTERN_HEAD_BYTES 4096u
#define PATTERN_TAIL_BYTES 64u

static inline uint8_t pattern_byte(const void *obj, size_t i)
{
    uint64_t a = (uint64_t)(uintptr_t)obj;
    return (uint8_t)((a >> 3) * 131u + (a >> 17) + i * 7u);
}

static inline bool pattern_walk(uint8_t *obj, size_t bytes, bool fill)
{
    for (size_t i = 0; i < bytes; i++) {
        if (i == PATTERN_HEAD_BYTES && bytes > PATTERN_HEAD_BYTES + PATTERN_TAIL_BYTES)
            i = bytes - PATTERN_TAIL_BYTES;
        if (fill)
            obj[i] = pattern_byte(obj, i);
        else if (obj[i] != pattern_byte(obj, i))
            return false;
    }
    return true;
}

static inline void pattern_fill(void *obj, size_t bytes)
{
    pattern_walk(obj, bytes, true);
}

static inline bool pattern_intact(void *obj, size_t bytes)
{
    return pattern_walk(obj, bytes, false);
}

/* xorshift64*: seeded, reproducible. */
static inline uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

#endif /* ZSLAB_TEST_PATTERN_H */
