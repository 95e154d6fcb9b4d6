/* SPDX-License-Identifier: MIT */
/*
 * test_options.c - the ZSLAB_* variables read into a config (unit-malloc-san;
 * unit-malloc checks the same through child processes): every variable, its
 * units, and a message naming each bad value while the default stays.
 */
#include "malloc_test.h"

#include <string.h>

#define MAX_VARS     16
#define MAX_WARNINGS 16

static const char *vars[MAX_VARS][2];
static char warnings[MAX_WARNINGS][ZSLAB_SHIM_MESSAGE_BYTES];
static int warning_count;

static char *fake_getenv(const char *name)
{
    for (int i = 0; i < MAX_VARS && vars[i][0]; i++)
        if (strcmp(vars[i][0], name) == 0)
            return (char *)vars[i][1];
    return NULL;
}

static void record_warning(const char *msg)
{
    if (warning_count < MAX_WARNINGS)
        strncpy(warnings[warning_count], msg, ZSLAB_SHIM_MESSAGE_BYTES - 1);
    warning_count++;
}

/* Reads the options from the NULL-terminated name, value, ... list. */
static int read_with(zslab_shim_options_t *o, ...)
{
    memset(vars, 0, sizeof(vars));
    memset(warnings, 0, sizeof(warnings));
    warning_count = 0;
    va_list ap;
    va_start(ap, o);
    for (int i = 0; i < MAX_VARS; i++) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        vars[i][0] = name;
        vars[i][1] = va_arg(ap, const char *);
    }
    va_end(ap);
    return _zslab_shim_options_read(o, fake_getenv, record_warning);
}

/* Field by field: the structs' padding bytes are not theirs to compare. */
static void assert_config_equal(const zslab_config_t *a, const zslab_config_t *b)
{
    assert_int_equal(a->chunk_bytes, b->chunk_bytes);
    assert_int_equal(a->slab_bytes, b->slab_bytes);
    assert_int_equal(a->class_cache_slabs, b->class_cache_slabs);
    assert_int_equal(a->cache_max_slabs, b->cache_max_slabs);
    assert_int_equal(a->decay_ms, b->decay_ms);
    assert_int_equal(a->thread_cache_bytes, b->thread_cache_bytes);
    assert_int_equal(a->spare_slabs, b->spare_slabs);
    assert_int_equal(a->reserve_bytes, b->reserve_bytes);
    assert_int_equal(a->prefault, b->prefault);
    assert_int_equal(a->on_bad_free, b->on_bad_free);
    assert_int_equal(a->numa_node, b->numa_node);
}

static void no_variable_gives_the_core_defaults(void **state)
{
    (void)state;
    zslab_shim_options_t o;
    zslab_config_t d;
    zslab_config_default(&d);
    assert_int_equal(read_with(&o, NULL), 0);
    assert_config_equal(&o.cfg, &d);
    assert_false(o.stats);
    assert_null(o.stats_file);
}

static void every_variable_sets_its_field(void **state)
{
    (void)state;
    zslab_shim_options_t o;
    assert_int_equal(
        read_with(&o, "ZSLAB_BAD_FREE", "report", "ZSLAB_STATS", "1", "ZSLAB_STATS_FILE", "/tmp/s",
                  "ZSLAB_PREFAULT", "chunk", "ZSLAB_CHUNK_BYTES", "4M", "ZSLAB_SLAB_BYTES", "128k",
                  "ZSLAB_CLASS_CACHE_SLABS", "7", "ZSLAB_NUMA_NODE", "1", "ZSLAB_CACHE_MAX_SLABS",
                  "64", "ZSLAB_DECAY_MS", "250", "ZSLAB_THREAD_CACHE_BYTES", "8K",
                  "ZSLAB_SPARE_SLABS", "2", "ZSLAB_RESERVE_BYTES", "32M", NULL),
        0);
    assert_int_equal(o.cfg.on_bad_free, ZSLAB_BAD_FREE_REPORT);
    assert_true(o.stats);
    assert_string_equal(o.stats_file, "/tmp/s");
    assert_int_equal(o.cfg.prefault, ZSLAB_PREFAULT_CHUNK);
    assert_int_equal(o.cfg.chunk_bytes, 4u << 20);
    assert_int_equal(o.cfg.slab_bytes, 128u << 10);
    assert_int_equal(o.cfg.class_cache_slabs, 7);
    assert_int_equal(o.cfg.numa_node, 1);
    assert_int_equal(o.cfg.cache_max_slabs, 64);
    assert_int_equal(o.cfg.decay_ms, 250);
    assert_int_equal(o.cfg.thread_cache_bytes, 8u << 10);
    assert_int_equal(o.cfg.spare_slabs, 2);
    assert_int_equal(o.cfg.reserve_bytes, 32u << 20);
    assert_int_equal(warning_count, 0);
}

static void the_other_words_and_units(void **state)
{
    (void)state;
    zslab_shim_options_t o;
    assert_int_equal(read_with(&o, "ZSLAB_BAD_FREE", "abort", "ZSLAB_STATS", "0", "ZSLAB_PREFAULT",
                               "ahead", "ZSLAB_CHUNK_BYTES", "1G", "ZSLAB_SLAB_BYTES", "65536",
                               "ZSLAB_NUMA_NODE", "any", "ZSLAB_STATS_FILE", "", NULL),
                     0);
    assert_int_equal(o.cfg.on_bad_free, ZSLAB_BAD_FREE_ABORT);
    assert_int_equal(o.cfg.prefault, ZSLAB_PREFAULT_AHEAD);
    assert_false(o.stats);
    assert_null(o.stats_file); /* empty: stderr */
    assert_int_equal(o.cfg.chunk_bytes, (size_t)1 << 30);
    assert_int_equal(o.cfg.slab_bytes, 65536);
    assert_int_equal(o.cfg.numa_node, ZSLAB_NODE_ANY);
    assert_int_equal(read_with(&o, "ZSLAB_PREFAULT", "none", NULL), 0);
    assert_int_equal(o.cfg.prefault, ZSLAB_PREFAULT_NONE);
}

static void each_bad_value_is_named_and_its_default_kept(void **state)
{
    (void)state;
    zslab_shim_options_t o;
    zslab_config_t d;
    zslab_config_default(&d);
    assert_int_equal(read_with(&o, "ZSLAB_BAD_FREE", "ignore", "ZSLAB_STATS", "yes",
                               "ZSLAB_PREFAULT", "", "ZSLAB_CHUNK_BYTES", "2MB", "ZSLAB_SLAB_BYTES",
                               "-64K", "ZSLAB_CLASS_CACHE_SLABS", "99999999999", "ZSLAB_NUMA_NODE",
                               "1K", "ZSLAB_DECAY_MS", "1s", NULL),
                     8);
    assert_config_equal(&o.cfg, &d);
    assert_false(o.stats);
    assert_string_equal(warnings[0], "zslab-malloc: ZSLAB_BAD_FREE='ignore': must be abort or "
                                     "report; the default (abort) is used");
    assert_string_equal(warnings[1],
                        "zslab-malloc: ZSLAB_STATS='yes': must be 0 or 1; the default (0) is used");
    assert_string_equal(warnings[2], "zslab-malloc: ZSLAB_PREFAULT='': must be none, chunk or "
                                     "ahead; the default (ahead) is used");
    assert_string_equal(warnings[3], "zslab-malloc: ZSLAB_CHUNK_BYTES='2MB': must be a number, "
                                     "optionally with K, M or G (binary units); the default (2M) "
                                     "is used");
    assert_non_null(strstr(warnings[4], "ZSLAB_SLAB_BYTES='-64K'"));
    assert_non_null(strstr(warnings[5], "ZSLAB_CLASS_CACHE_SLABS='99999999999'"));
    assert_string_equal(warnings[6], "zslab-malloc: ZSLAB_DECAY_MS='1s': must be a whole number; "
                                     "the default (1000) is used");
    assert_string_equal(warnings[7], "zslab-malloc: ZSLAB_NUMA_NODE='1K': must be a node number "
                                     "or any; the default (any) is used");
}

static void a_number_that_overflows_is_refused(void **state)
{
    (void)state;
    zslab_shim_options_t o;
    assert_int_equal(read_with(&o, "ZSLAB_CHUNK_BYTES", "18446744073709551616", NULL), 1);
    assert_int_equal(read_with(&o, "ZSLAB_CHUNK_BYTES", "17179869184G", NULL), 1);
    assert_int_equal(o.cfg.chunk_bytes, ZSLAB_DEFAULT_CHUNK_BYTES);
}

static void a_long_value_is_cut_not_overflowed(void **state)
{
    (void)state;
    static char value[4096];
    memset(value, 'x', sizeof(value) - 1);
    zslab_shim_options_t o;
    assert_int_equal(read_with(&o, "ZSLAB_PREFAULT", value, NULL), 1);
    assert_int_equal(strlen(warnings[0]), ZSLAB_SHIM_MESSAGE_BYTES - 1);
}

int run_options_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_variable_gives_the_core_defaults),
        cmocka_unit_test(every_variable_sets_its_field),
        cmocka_unit_test(the_other_words_and_units),
        cmocka_unit_test(each_bad_value_is_named_and_its_default_kept),
        cmocka_unit_test(a_number_that_overflows_is_refused),
        cmocka_unit_test(a_long_value_is_cut_not_overflowed),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
