/* SPDX-License-Identifier: MIT */
/*
 * sizeclass.c - size classes: 8 B steps up to 64 B, then 8 classes per power
 * of two (2^k + j * 2^(k-3), j = 1..8) up to ZSLAB_MAX_CLASS_BYTES.
 *
 * A request r in (2^k, 2^(k+1)] lands in a class at most 2^(k-3) - 1 bytes
 * above it, so the waste is below 2^(k-3) / 2^k = 12.5% of the request; below
 * 64 B it is under 8 bytes, the alignment granule.
 */
#include "internal.h"

_Static_assert(ZSLAB_SMALL_STEP_BYTES *ZSLAB_SMALL_CLASSES == (1u << ZSLAB_FIRST_POW2_SHIFT),
               "8-byte steps end where the power-of-two groups start");
_Static_assert(ZSLAB_SMALL_CLASSES + (15u - ZSLAB_FIRST_POW2_SHIFT) * ZSLAB_CLASSES_PER_POW2 ==
                   ZSLAB_CLASS_COUNT,
               "ZSLAB_CLASS_COUNT classes reach ZSLAB_MAX_CLASS_BYTES (2^15)");
_Static_assert(ZSLAB_MAX_CLASS_BYTES == 1u << 15, "the largest class is 32 KiB");

uint32_t _zslab_sizeclass_bytes(unsigned class_index)
{
    if (class_index < ZSLAB_SMALL_CLASSES)
        return (class_index + 1) * ZSLAB_SMALL_STEP_BYTES;
    unsigned group = (class_index - ZSLAB_SMALL_CLASSES) / ZSLAB_CLASSES_PER_POW2;
    unsigned j = (class_index - ZSLAB_SMALL_CLASSES) % ZSLAB_CLASSES_PER_POW2 + 1;
    unsigned k = group + ZSLAB_FIRST_POW2_SHIFT;
    return (1u << k) + (j << (k - ZSLAB_CLASSES_LOG2));
}

int zslab_class_of(size_t size)
{
    if (size > ZSLAB_MAX_CLASS_BYTES)
        return ZSLAB_CLASS_NONE;
    return (int)_zslab_sizeclass_index(size);
}

size_t zslab_class_size(int class_index)
{
    if (class_index < 0 || class_index >= ZSLAB_CLASS_COUNT)
        return 0;
    return _zslab_sizeclass_bytes((unsigned)class_index);
}

/* ceil(2^ZSLAB_DIV_SHIFT / object_bytes): offset * recip >> ZSLAB_DIV_SHIFT is
 * offset / object_bytes for every offset inside a slab. */
uint64_t _zslab_sizeclass_recip(unsigned class_index)
{
    uint64_t bytes = _zslab_sizeclass_bytes(class_index);
    return ((UINT64_C(1) << ZSLAB_DIV_SHIFT) + bytes - 1) / bytes;
}
