/* SPDX-License-Identifier: MIT */
/*
 * backend_zslab.c - ZNS-Slab through its public API (zslab.h): one instance
 * with the default config, shared by every thread of the program, as a
 * library user would have it.  Its counters are every field of the
 * ZSLAB_COUNTER_LIST X-macro, so a counter the core adds shows up here
 * without a change.
 */
#include <stdio.h>

#include "backend.h"
#include "zslab/zslab.h"

static zslab_t *instance;

static bool zs_init(void)
{
    int rc = zslab_create(NULL, &instance);
    if (rc != ZSLAB_OK) {
        fprintf(stderr, "anchor-zslab: zslab_create: %s\n", zslab_strerror(rc));
        return false;
    }
    return true;
}

static void *zs_alloc(size_t size)
{
    return zslab_alloc(instance, size);
}

static void zs_free(void *ptr, size_t size)
{
    (void)size;
    zslab_free(instance, ptr);
}

static void zs_free_sized(void *ptr, size_t size)
{
    zslab_free_sized(instance, ptr, size);
}

static size_t zs_trim(void)
{
    return zslab_trim(instance);
}

static void zs_version(char *buf, size_t size)
{
    snprintf(buf, size, "ZNS-Slab %s", ZSLAB_BENCH_VERSION);
}

/* zslab_usable_size() is 0 for a pointer that starts no object of the
 * instance. */
static bool zs_owns(const void *ptr)
{
    return zslab_usable_size(instance, ptr) != 0;
}

#define NAME_COUNTER(name, doc) #name,
#define NAME_GAUGE(name, doc)   #name, #name ".peak",
static const char *const counter_names[] = {ZSLAB_COUNTER_LIST(NAME_COUNTER, NAME_GAUGE)};
#undef NAME_COUNTER
#undef NAME_GAUGE

static void zs_counters_read(uint64_t *v)
{
    zslab_counters_t c;
    size_t i = 0;
    zslab_get_counters(instance, ZSLAB_ALL_CLASSES, &c);
#define READ_COUNTER(name, doc) v[i++] = c.name;
#define READ_GAUGE(name, doc)                                                                      \
    v[i++] = c.name.current;                                                                       \
    v[i++] = c.name.peak;
    ZSLAB_COUNTER_LIST(READ_COUNTER, READ_GAUGE)
#undef READ_COUNTER
#undef READ_GAUGE
}

const struct backend backend = {
    .name = "zslab",
    .api = "zslab_alloc, zslab_free (zslab_free_sized with --sized), zslab_trim",
    .init = zs_init,
    .alloc = zs_alloc,
    .free = zs_free,
    .free_sized = zs_free_sized,
    .trim = zs_trim,
    .version = zs_version,
    .evidence = "zslab_usable_size",
    .owns = zs_owns,
    .counter_count = sizeof(counter_names) / sizeof(counter_names[0]),
    .counter_names = counter_names,
    .counters_read = zs_counters_read,
};
