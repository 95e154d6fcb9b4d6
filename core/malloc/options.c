/* SPDX-License-Identifier: MIT */
/*
 * options.c - the ZSLAB_* environment variables, read once when the
 * process-wide instance is created.  docs/malloc.md lists them.
 *
 * Only syntax is checked here (a number, a known word); the ranges are the
 * core's, and zslab_create() names a field it refuses.  A bad value is named
 * with the variable and the rule, and the default stays: a replacement malloc
 * must not stop a program that would run without it.
 */
#include <stdint.h>
#include <string.h>

#include "shim.h"

/* A decimal number; with @suffixes, optionally followed by K (KiB), M (MiB)
 * or G (GiB). */
static bool parse_number(const char *s, bool suffixes, uint64_t *out)
{
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    unsigned shift = 0;
    switch (suffixes ? *s : '\0') {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    case '\0':
        break;
    default:
        return false;
    }
    if (shift)
        s++;
    if (*s != '\0')
        return false;
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

typedef struct reader {
    zslab_shim_getenv_fn get;
    zslab_shim_warn_fn warn;
    int bad;
} reader_t;

static void complain(reader_t *r, const char *name, const char *value, const char *rule,
                     const char *fallback)
{
    char msg[ZSLAB_SHIM_MESSAGE_BYTES];
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, msg, sizeof(msg));
    _zslab_shim_text_str(&t, "zslab-malloc: ");
    _zslab_shim_text_str(&t, name);
    _zslab_shim_text_str(&t, "='");
    _zslab_shim_text_str(&t, value);
    _zslab_shim_text_str(&t, "': ");
    _zslab_shim_text_str(&t, rule);
    _zslab_shim_text_str(&t, "; the default (");
    _zslab_shim_text_str(&t, fallback);
    _zslab_shim_text_str(&t, ") is used");
    r->bad++;
    if (r->warn)
        r->warn(msg);
}

/* One of two words: sets *@choice to 0 or 1; unset leaves it. */
static void read_word(reader_t *r, const char *name, const char *word0, const char *word1,
                      int *choice)
{
    const char *v = r->get(name);
    if (!v)
        return;
    if (strcmp(v, word0) == 0) {
        *choice = 0;
    } else if (strcmp(v, word1) == 0) {
        *choice = 1;
    } else {
        char rule[64];
        zslab_shim_text_t t;
        _zslab_shim_text_init(&t, rule, sizeof(rule));
        _zslab_shim_text_str(&t, "must be ");
        _zslab_shim_text_str(&t, word0);
        _zslab_shim_text_str(&t, " or ");
        _zslab_shim_text_str(&t, word1);
        complain(r, name, v, rule, *choice ? word1 : word0);
    }
}

/* A number within [0, @max]; unset leaves *@out. */
static void read_number(reader_t *r, const char *name, uint64_t max, const char *fallback,
                        uint64_t *out)
{
    const char *v = r->get(name);
    uint64_t n;
    if (!v)
        return;
    if (parse_number(v, true, &n) && n <= max)
        *out = n;
    else
        complain(r, name, v, "must be a number, optionally with K, M or G (binary units)",
                 fallback);
}

int _zslab_shim_options_read(zslab_shim_options_t *o, zslab_shim_getenv_fn get,
                             zslab_shim_warn_fn warn)
{
    reader_t r = {.get = get, .warn = warn, .bad = 0};
    zslab_config_default(&o->cfg);
    o->stats = false;
    o->stats_file = NULL;

    int choice = o->cfg.on_bad_free == ZSLAB_BAD_FREE_REPORT;
    read_word(&r, "ZSLAB_BAD_FREE", "abort", "report", &choice);
    o->cfg.on_bad_free = choice ? ZSLAB_BAD_FREE_REPORT : ZSLAB_BAD_FREE_ABORT;

    choice = 0;
    read_word(&r, "ZSLAB_STATS", "0", "1", &choice);
    o->stats = choice;
    const char *file = get("ZSLAB_STATS_FILE");
    o->stats_file = file && *file ? file : NULL;

    choice = o->cfg.prefault == ZSLAB_PREFAULT_CHUNK;
    read_word(&r, "ZSLAB_PREFAULT", "none", "chunk", &choice);
    o->cfg.prefault = choice ? ZSLAB_PREFAULT_CHUNK : ZSLAB_PREFAULT_NONE;

    uint64_t n = o->cfg.chunk_bytes;
    read_number(&r, "ZSLAB_CHUNK_BYTES", SIZE_MAX, "2M", &n);
    o->cfg.chunk_bytes = (size_t)n;
    n = o->cfg.slab_bytes;
    read_number(&r, "ZSLAB_SLAB_BYTES", SIZE_MAX, "64K", &n);
    o->cfg.slab_bytes = (size_t)n;
    n = o->cfg.class_cache_slabs;
    read_number(&r, "ZSLAB_CLASS_CACHE_SLABS", UINT32_MAX, "32", &n);
    o->cfg.class_cache_slabs = (uint32_t)n;

    const char *node = get("ZSLAB_NUMA_NODE");
    if (node && strcmp(node, "any") != 0) {
        n = 0;
        if (parse_number(node, false, &n) && n <= INT32_MAX)
            o->cfg.numa_node = (int)n;
        else
            complain(&r, "ZSLAB_NUMA_NODE", node, "must be a node number or any", "any");
    }
    return r.bad;
}
