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
    zslab_config_t *cfg;
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

/* One of @n words: sets *@choice to its index; unset leaves it. */
static void read_word(reader_t *r, const char *name, const char *const *words, int n, int *choice)
{
    const char *v = r->get(name);
    if (!v)
        return;
    for (int i = 0; i < n; i++) {
        if (strcmp(v, words[i]) == 0) {
            *choice = i;
            return;
        }
    }
    char rule[96];
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, rule, sizeof(rule));
    _zslab_shim_text_str(&t, "must be ");
    for (int i = 0; i < n; i++) {
        _zslab_shim_text_str(&t, words[i]);
        _zslab_shim_text_str(&t, i + 2 < n ? ", " : i + 1 < n ? " or " : "");
    }
    complain(r, name, v, rule, words[*choice]);
}

/* @v as the variables are written: bytes with the largest binary unit that
 * divides them (2M, 64K), a count plainly. */
static void put_value(zslab_shim_text_t *t, uint64_t v, bool bytes)
{
    static const char units[] = "GMK";
    for (int i = 0; bytes && v && i < 3; i++) {
        unsigned shift = 30u - 10u * (unsigned)i;
        if (v % ((uint64_t)1 << shift) == 0) {
            char unit[2] = {units[i], '\0'};
            _zslab_shim_text_u64(t, v >> shift);
            _zslab_shim_text_str(t, unit);
            return;
        }
    }
    _zslab_shim_text_u64(t, v);
}

/* A number within [0, @max] (@bytes: with an optional K, M or G); unset
 * leaves *@out, whose value is the default a bad value keeps. */
static void read_number(reader_t *r, const char *name, uint64_t max, bool bytes, uint64_t *out)
{
    const char *v = r->get(name);
    uint64_t n;
    if (!v)
        return;
    if (parse_number(v, bytes, &n) && n <= max) {
        *out = n;
        return;
    }
    char fallback[32];
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, fallback, sizeof(fallback));
    put_value(&t, *out, bytes);
    complain(r, name, v,
             bytes ? "must be a number, optionally with K, M or G (binary units)"
                   : "must be a whole number",
             fallback);
}

/* A number field of the config, bytes or a count. */
#define READ_FIELD(r, name, field, max, bytes)                                                     \
    do {                                                                                           \
        uint64_t n_ = (r)->cfg->field;                                                             \
        read_number((r), (name), (max), (bytes), &n_);                                             \
        (r)->cfg->field = n_;                                                                      \
    } while (0)

int _zslab_shim_options_read(zslab_shim_options_t *o, zslab_shim_getenv_fn get,
                             zslab_shim_warn_fn warn)
{
    static const char *const bad_free_words[] = {"abort", "report"};
    static const char *const stats_words[] = {"0", "1"};
    /* In enum zslab_prefault order. */
    static const char *const prefault_words[] = {"none", "chunk", "ahead"};
    _Static_assert(ZSLAB_PREFAULT_NONE == 0 && ZSLAB_PREFAULT_CHUNK == 1 &&
                       ZSLAB_PREFAULT_AHEAD == 2,
                   "prefault_words follows enum zslab_prefault");
    reader_t r = {.get = get, .warn = warn, .bad = 0, .cfg = &o->cfg};
    zslab_config_default(&o->cfg);
    o->stats = false;
    o->stats_file = NULL;

    int choice = o->cfg.on_bad_free == ZSLAB_BAD_FREE_REPORT;
    read_word(&r, "ZSLAB_BAD_FREE", bad_free_words, 2, &choice);
    o->cfg.on_bad_free = choice ? ZSLAB_BAD_FREE_REPORT : ZSLAB_BAD_FREE_ABORT;

    choice = 0;
    read_word(&r, "ZSLAB_STATS", stats_words, 2, &choice);
    o->stats = choice;
    const char *file = get("ZSLAB_STATS_FILE");
    o->stats_file = file && *file ? file : NULL;

    choice = (int)o->cfg.prefault;
    read_word(&r, "ZSLAB_PREFAULT", prefault_words, 3, &choice);
    o->cfg.prefault = (zslab_prefault_t)choice;

    READ_FIELD(&r, "ZSLAB_CHUNK_BYTES", chunk_bytes, SIZE_MAX, true);
    READ_FIELD(&r, "ZSLAB_SLAB_BYTES", slab_bytes, SIZE_MAX, true);
    READ_FIELD(&r, "ZSLAB_CLASS_CACHE_SLABS", class_cache_slabs, UINT32_MAX, false);
    READ_FIELD(&r, "ZSLAB_CACHE_MAX_SLABS", cache_max_slabs, UINT32_MAX, false);
    READ_FIELD(&r, "ZSLAB_DECAY_MS", decay_ms, UINT32_MAX, false);
    READ_FIELD(&r, "ZSLAB_THREAD_CACHE_BYTES", thread_cache_bytes, SIZE_MAX, true);
    READ_FIELD(&r, "ZSLAB_SPARE_SLABS", spare_slabs, UINT32_MAX, false);
    READ_FIELD(&r, "ZSLAB_RESERVE_BYTES", reserve_bytes, SIZE_MAX, true);

    const char *node = get("ZSLAB_NUMA_NODE");
    if (node && strcmp(node, "any") != 0) {
        uint64_t n = 0;
        if (parse_number(node, false, &n) && n <= INT32_MAX)
            o->cfg.numa_node = (int)n;
        else
            complain(&r, "ZSLAB_NUMA_NODE", node, "must be a node number or any", "any");
    }
    return r.bad;
}
