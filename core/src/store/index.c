/* SPDX-License-Identifier: MIT */
/*
 * index.c - the store's index: id -> loc, a Robin Hood hash table with
 * linear probing and backward-shift deletion, 16 bytes a slot.
 *
 * Memory per live object is bounded: the table grows when it is 7/8 full and
 * shrinks when it holds more than 24 bytes per live object (about 2/3 full),
 * each time to 3/4 full, so a live object costs between 16 / (7/8) = 18.3 and
 * 24 bytes (more only below MIN_SLOTS, and for a moment while a resize holds
 * both tables).  Capacities are not powers of two: a slot is picked by the high
 * half of hash x capacity, so 3/4 can be hit exactly.
 *
 * A val of 0 marks an empty slot; callers never store 0.
 */
#include "store.h"

#define MIN_SLOTS            1024u
#define GROW_NUM             7u /* grow above 7/8 full */
#define GROW_DEN             8u
#define MAX_BYTES_PER_OBJECT 24u /* shrink above this */
#define TARGET_NUM           4u  /* to 3/4 full: capacity = count x 4/3 */
#define TARGET_DEN           3u
#define HALF_BITS            32u
#define LOW_HALF_MASK        0xffffffffu

static uint64_t hash(uint64_t key)
{
    /* splitmix64's finalizer: every key bit moves every hash bit */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    return key ^ (key >> 31);
}

/* (a x b) >> 64: one multiply where the compiler has a 128-bit type (gcc and
 * clang on 64-bit targets; it needs no library call there), else four. */
static uint64_t mul_high(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    return (uint64_t)(((u128)a * b) >> 64);
#else
    uint64_t a_lo = a & LOW_HALF_MASK, a_hi = a >> HALF_BITS;
    uint64_t b_lo = b & LOW_HALF_MASK, b_hi = b >> HALF_BITS;
    uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    uint64_t mid = (lo_lo >> HALF_BITS) + (hi_lo & LOW_HALF_MASK) + lo_hi;
    return hi_hi + (hi_lo >> HALF_BITS) + (mid >> HALF_BITS);
#endif
}

static uint64_t home(const zst_index_t *ix, uint64_t key)
{
    return mul_high(hash(key), ix->cap);
}

static uint64_t next(const zst_index_t *ix, uint64_t i)
{
    return i + 1 == ix->cap ? 0 : i + 1;
}

/* How far slot @i is from the home of the key it holds. */
static uint64_t distance(const zst_index_t *ix, uint64_t i)
{
    uint64_t h = home(ix, ix->slots[i].key);
    return i >= h ? i - h : i + ix->cap - h;
}

static zst_ient_t *alloc_slots(zslab_t *z, uint64_t cap)
{
    size_t bytes = (size_t)cap * sizeof(zst_ient_t);
    zst_ient_t *slots = zslab_alloc_aligned(z, bytes, sizeof(zst_ient_t));
    if (slots)
        zst_zero(slots, bytes);
    return slots;
}

/* Robin Hood placement of a key known to be absent, from slot @i at distance
 * @d from its home, where find() stopped (or from its home); there is a free
 * slot. */
static void place_from(zst_index_t *ix, uint64_t i, uint64_t d, uint64_t key, uint64_t val)
{
    for (;;) {
        zst_ient_t *slot = &ix->slots[i];
        if (slot->val == 0) {
            slot->key = key;
            slot->val = val;
            ix->count++;
            return;
        }
        uint64_t sd = distance(ix, i);
        if (sd < d) {
            uint64_t k = slot->key, v = slot->val;
            slot->key = key;
            slot->val = val;
            key = k;
            val = v;
            d = sd;
        }
        i = next(ix, i);
        d++;
    }
}

static void place(zst_index_t *ix, uint64_t key, uint64_t val)
{
    place_from(ix, home(ix, key), 0, key, val);
}

static int resize(zst_index_t *ix, uint64_t cap)
{
    if (cap < MIN_SLOTS)
        cap = MIN_SLOTS;
    zst_ient_t *slots = alloc_slots(ix->z, cap);
    if (!slots)
        return -ZSLAB_ENOMEM;
    zst_ient_t *old = ix->slots;
    uint64_t old_cap = ix->cap;
    ix->slots = slots;
    ix->cap = cap;
    ix->count = 0;
    for (uint64_t i = 0; i < old_cap; i++)
        if (old[i].val)
            place(ix, old[i].key, old[i].val);
    zslab_free(ix->z, old);
    ix->bytes = zslab_usable_size(ix->z, slots);
    return 0;
}

int _zslab_zst_index_init(zst_index_t *ix, zslab_t *z)
{
    ix->z = z;
    ix->count = 0;
    ix->frozen = false;
    ix->cap = MIN_SLOTS;
    ix->slots = alloc_slots(z, MIN_SLOTS);
    ix->bytes = ix->slots ? zslab_usable_size(z, ix->slots) : 0;
    return ix->slots ? 0 : -ZSLAB_ENOMEM;
}

void _zslab_zst_index_fini(zst_index_t *ix)
{
    zslab_free(ix->z, ix->slots);
    ix->slots = NULL;
    ix->cap = ix->count = 0;
}

/* The slot of @key, or -1; a miss leaves in *@stop and *@stop_d the slot and
 * its distance from @key's home where @key would be placed. */
static int64_t find_at(const zst_index_t *ix, uint64_t key, uint64_t *stop, uint64_t *stop_d)
{
    uint64_t i = home(ix, key), d = 0;
    /* the key test first: a slot holding @key is d from its home, so the
     * distance (a hash) is only needed to stop at a miss */
    while (ix->slots[i].val) {
        if (ix->slots[i].key == key)
            return (int64_t)i;
        if (distance(ix, i) < d)
            break;
        i = next(ix, i);
        d++;
    }
    *stop = i;
    *stop_d = d;
    return -1;
}

static int64_t find(const zst_index_t *ix, uint64_t key)
{
    uint64_t stop, stop_d;
    return find_at(ix, key, &stop, &stop_d);
}

uint64_t _zslab_zst_index_get(const zst_index_t *ix, uint64_t key)
{
    int64_t i = find(ix, key);
    return i < 0 ? 0 : ix->slots[i].val;
}

/* Sets @key to @val (not 0); *@old receives the previous val, 0 if none. */
int _zslab_zst_index_set(zst_index_t *ix, uint64_t key, uint64_t val, uint64_t *old)
{
    zst_assert(val != 0);
    uint64_t stop = 0, stop_d = 0;
    int64_t i = find_at(ix, key, &stop, &stop_d);
    if (old)
        *old = i < 0 ? 0 : ix->slots[i].val;
    if (i >= 0) {
        ix->slots[i].val = val;
        return 0;
    }
    if ((ix->count + 1) * GROW_DEN > ix->cap * GROW_NUM) {
        if (resize(ix, (ix->count + 1) * TARGET_NUM / TARGET_DEN + 1) == 0) {
            place(ix, key, val); /* a new table: find's stop is stale */
            return 0;
        }
        if (ix->count + 1 >= ix->cap)
            return -ZSLAB_ENOMEM; /* a failed grow is fine while a slot is left */
    }
    place_from(ix, stop, stop_d, key, val);
    return 0;
}

bool _zslab_zst_index_del(zst_index_t *ix, uint64_t key, uint64_t *old)
{
    int64_t found = find(ix, key);
    if (found < 0)
        return false;
    uint64_t i = (uint64_t)found;
    if (old)
        *old = ix->slots[i].val;
    for (uint64_t j = next(ix, i); ix->slots[j].val && distance(ix, j) > 0; j = next(ix, j)) {
        ix->slots[i].key = ix->slots[j].key;
        ix->slots[i].val = ix->slots[j].val;
        i = j;
    }
    ix->slots[i].val = 0;
    ix->count--;
    if (!ix->frozen && ix->cap > MIN_SLOTS && ix->bytes > ix->count * MAX_BYTES_PER_OBJECT)
        (void)resize(ix, ix->count * TARGET_NUM / TARGET_DEN + 1); /* may fail: keep the big one */
    return true;
}

size_t _zslab_zst_index_bytes(const zst_index_t *ix)
{
    return ix->bytes;
}
