/* SPDX-License-Identifier: MIT */
/*
 * greedy_sim.c - what greedy reclaim should cost: an object-level simulation
 * of a zoned log with the store's policy, the expected value `make
 * bench-zone` holds the store's measured write amplification against.
 *
 * N zones of C bytes; objects of uniform random sizes in [min, max] are
 * appended to one head zone (a zone's tail that the next object does not
 * fit is lost, as the store finishes such a zone); once live bytes reach
 * U% of N x C, every put first deletes a uniformly random live object; when
 * fewer than R zones are empty, the FULL zone with the fewest live bytes is
 * the victim: its live objects are written again, then it is reset.  After a
 * warm-up of W x capacity of user writes, write amplification = (user bytes
 * + migrated bytes) / user bytes over the next W x capacity.  It models no
 * record headers, entries or padding: the store's format overhead comes on
 * top (its cache-mode write amplification measures it).
 *
 * usage: greedy-sim --zones N --zone-bytes C --utilization U (a percentage, may
 *        have decimals) [--min-size B]
 *        [--max-size B] [--reserve R] [--rounds W] [--seed S] [--json]
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct obj {
    uint32_t zone;
    uint32_t size;
    uint32_t live_pos; /* index in the live array */
    bool alive;
};

struct zone {
    uint64_t used, live;
    uint32_t *objs; /* ids of objects written here (dead ones too) */
    uint32_t nr, cap;
    bool full;
};

static struct {
    uint32_t zones, reserve, rounds;
    double util_pct;
    uint64_t zone_bytes, min_size, max_size, seed;
    bool json;
} opt = {.reserve = 2, .rounds = 4, .min_size = 128, .max_size = 4096, .seed = 1};

static struct obj *objs;
static uint32_t nr_objs, cap_objs;
static uint32_t *live; /* ids of live objects */
static uint32_t nr_live;
static struct zone *zones;
static uint32_t head, nr_free;
static uint64_t live_bytes, user_bytes, moved_bytes, rng;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void *grow(void *p, uint32_t *cap, size_t elem)
{
    *cap = *cap ? *cap * 2 : 1024;
    p = realloc(p, (size_t)*cap * elem);
    if (!p) {
        fprintf(stderr, "greedy-sim: out of memory\n");
        exit(1);
    }
    return p;
}

/* The next empty zone becomes the head (reclaim keeps one for it). */
static void new_head(void)
{
    zones[head].full = true;
    for (uint32_t i = 0; i < opt.zones; i++)
        if (!zones[i].full && zones[i].used == 0 && i != head) {
            head = i;
            nr_free--;
            return;
        }
    fprintf(stderr, "greedy-sim: no empty zone: utilization too high for the reserve\n");
    exit(1);
}

/* Appends object @id to the head zone. */
static void place(uint32_t id)
{
    struct obj *o = &objs[id];
    if (zones[head].used + o->size > opt.zone_bytes)
        new_head();
    struct zone *z = &zones[head];
    if (z->nr == z->cap)
        z->objs = grow(z->objs, &z->cap, sizeof(*z->objs));
    z->objs[z->nr++] = id;
    z->used += o->size;
    z->live += o->size;
    o->zone = head;
}

static void reclaim(void)
{
    int64_t best = -1;
    for (uint32_t i = 0; i < opt.zones; i++)
        if (zones[i].full && (best < 0 || zones[i].live < zones[best].live))
            best = i;
    if (best < 0 || zones[best].live + opt.max_size > opt.zone_bytes) {
        fprintf(stderr, "greedy-sim: no zone to reclaim\n");
        exit(1);
    }
    struct zone *v = &zones[best];
    v->full = false; /* not a victim twice while its objects move */
    uint32_t nr = v->nr;
    uint32_t *ids = v->objs;
    v->objs = NULL;
    v->nr = v->cap = 0;
    for (uint32_t i = 0; i < nr; i++) {
        struct obj *o = &objs[ids[i]];
        if (!o->alive || o->zone != (uint32_t)best)
            continue;
        v->live -= o->size;
        moved_bytes += o->size;
        place(ids[i]);
    }
    free(ids);
    v->used = v->live = 0;
    nr_free++;
}

static void put(void)
{
    while (nr_free < opt.reserve)
        reclaim();
    if (nr_objs == cap_objs)
        objs = grow(objs, &cap_objs, sizeof(*objs));
    uint32_t id = nr_objs++;
    objs[id].size = (uint32_t)(opt.min_size + next_rand() % (opt.max_size - opt.min_size + 1));
    objs[id].alive = true;
    place(id);
    live[nr_live] = id;
    objs[id].live_pos = nr_live++;
    live_bytes += objs[id].size;
    user_bytes += objs[id].size;
}

static void delete_random(void)
{
    uint32_t k = (uint32_t)(next_rand() % nr_live), id = live[k];
    struct obj *o = &objs[id];
    o->alive = false;
    zones[o->zone].live -= o->size;
    live_bytes -= o->size;
    live[k] = live[--nr_live];
    objs[live[k]].live_pos = k;
}

static int usage(void)
{
    fprintf(stderr, "usage: greedy-sim --zones N --zone-bytes C --utilization U [--min-size B] "
                    "[--max-size B] [--reserve R] [--rounds W] [--seed S] [--json]\n");
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        uint64_t v = i + 1 < argc ? strtoull(argv[i + 1], NULL, 0) : 0;
        if (!strcmp(argv[i], "--json")) {
            opt.json = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (!strcmp(argv[i], "--zones"))
            opt.zones = (uint32_t)v;
        else if (!strcmp(argv[i], "--zone-bytes"))
            opt.zone_bytes = v;
        else if (!strcmp(argv[i], "--utilization"))
            opt.util_pct = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--min-size"))
            opt.min_size = v;
        else if (!strcmp(argv[i], "--max-size"))
            opt.max_size = v;
        else if (!strcmp(argv[i], "--reserve"))
            opt.reserve = (uint32_t)v;
        else if (!strcmp(argv[i], "--rounds"))
            opt.rounds = (uint32_t)v;
        else if (!strcmp(argv[i], "--seed"))
            opt.seed = v;
        else
            return usage();
        i++;
    }
    if (opt.zones < opt.reserve + 2 || !opt.zone_bytes || opt.util_pct <= 0 || opt.util_pct > 95 ||
        opt.min_size > opt.max_size || opt.max_size > opt.zone_bytes)
        return usage();
    rng = opt.seed * 0x9e3779b97f4a7c15ull | 1;
    zones = calloc(opt.zones, sizeof(*zones));
    uint64_t capacity = opt.zones * opt.zone_bytes;
    live = malloc((size_t)(capacity / (opt.min_size ? opt.min_size : 1) + 2) * sizeof(*live));
    if (!zones || !live)
        return 1;
    nr_free = opt.zones - 1;
    uint64_t target = (uint64_t)((double)capacity * opt.util_pct / 100);
    /* fill, warm up, then measure */
    while (live_bytes + opt.max_size <= target)
        put();
    for (int phase = 0; phase < 2; phase++) {
        uint64_t u0 = user_bytes, m0 = moved_bytes;
        while (user_bytes - u0 < opt.rounds * capacity) {
            while (live_bytes + opt.max_size > target)
                delete_random();
            put();
        }
        if (phase == 1) {
            double wa = (double)(user_bytes - u0 + moved_bytes - m0) / (double)(user_bytes - u0);
            if (opt.json)
                printf("{\"utilization_pct\": %.2f, \"zones\": %u, \"zone_bytes\": %" PRIu64
                       ", \"reserve\": %u, \"write_amp\": %.4f}\n",
                       opt.util_pct, opt.zones, opt.zone_bytes, opt.reserve, wa);
            else
                printf(
                    "greedy write amplification at %.2f%% utilization: %.3f (%u zones of %" PRIu64
                    " bytes, %u kept empty, objects of %" PRIu64 "..%" PRIu64
                    " bytes, uniform random deletes)\n",
                    opt.util_pct, wa, opt.zones, opt.zone_bytes, opt.reserve, opt.min_size,
                    opt.max_size);
        }
    }
    return 0;
}
