/* SPDX-License-Identifier: MIT */
/*
 * harness.h - what the zone store's unit tests share: a model device of a
 * chosen geometry, a store on it, events collected, and object contents
 * derived from (id, version) so any read can be checked without keeping it.
 */
#ifndef STORE_HARNESS_H
#define STORE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "zdev_model.h"
#include "zslab/zstore.h"

#define LBA_BYTES   4096u
#define MAX_EVENTS  256u
#define EVENT_CHARS 96u

/* The geometry of a test device. */
struct geo {
    uint32_t lba_bytes;
    uint32_t zone_lbas, cap_lbas, nr_zones;
    uint32_t max_open, max_active;
    uint32_t zasl_bytes;
};

/* 16 zones of 256 LBAs with 192 LBAs (768 KiB) of capacity, 4 KiB LBAs,
 * ZASL 64 KiB (so slabs of 48 KiB: 1/16 of the capacity), max open 2, max
 * active 3. */
struct geo geo_default(void);

struct event_log {
    unsigned nr;
    struct {
        zslab_store_event_kind_t kind;
        uint64_t lba;
        char reason[EVENT_CHARS];
    } ev[MAX_EVENTS];
};

/* The test's device, store and events. */
struct rig {
    struct zdev_model m;
    zslab_store_config_t cfg;
    zslab_store_t *s;
    struct event_log log;
    char msg[256];
};

extern struct rig rig;

void rig_device(const struct geo *g);
/* Opens the store on the device with rig.cfg (set by rig_device(), then
 * changed by the test); asserts success. */
void rig_open(void);
/* zslab_store_open() with rig.cfg; returns its code, message in rig.msg. */
int rig_try_open(void);
/* Closes (flushing or not) and frees the device. */
void rig_close(bool flush);
void rig_free(void);
int rig_teardown(void **state);
/* Crash the device and the store: the store is dropped without a flush. */
void rig_crash(enum zdev_model_crash mode, uint64_t keep_lbas, bool close_open);
unsigned rig_events(zslab_store_event_kind_t kind);

/* Deterministic object contents for (@id, @version), @len bytes. */
void fill_object(uint8_t *buf, uint64_t id, uint32_t version, size_t len);
void put_object(uint64_t id, uint32_t version, size_t len);
/* Asserts that get(@id) returns exactly fill_object(id, version, len). */
void expect_object(uint64_t id, uint32_t version, size_t len);
void expect_missing(uint64_t id);
zslab_store_counters_t counters(void);

#endif /* STORE_HARNESS_H */
