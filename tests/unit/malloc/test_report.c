/* SPDX-License-Identifier: MIT */
/*
 * test_report.c - the ZSLAB_STATS text (unit-malloc-san): the instance's
 * total, the shim's counters and one line per used class, cut cleanly when
 * the buffer is short.
 */
#include "malloc_test.h"

#include <string.h>

#define TEXT_BYTES 16384

static void the_text_holds_the_total_the_shim_and_the_used_classes(void **state)
{
    (void)state;
    zslab_t *z;
    assert_int_equal(zslab_create(NULL, &z), ZSLAB_OK);
    void *a = zslab_alloc(z, 128), *b = zslab_alloc(z, 128), *c = zslab_alloc(z, 40000);
    zslab_free(z, b);
    static char text[TEXT_BYTES];
    size_t len = _zslab_shim_stats_format(z, "probe", text, sizeof(text));
    assert_int_equal(len, strlen(text));
    assert_non_null(strstr(text, "zslab-malloc: counters of pid "));
    assert_non_null(strstr(text, " (probe)\n"));
    assert_non_null(strstr(text, "\nalloc_calls: 3\n"));
    assert_non_null(strstr(text, "\nlarge_allocs: 1\n"));
    assert_non_null(strstr(text, "\nshim_malloc_calls: "));
    /* The core derives bytes_in_use when it is read, and its peak is the
     * highest a read has seen (docs/allocator.md): here 128 or 256. */
    const char *line = strstr(text, "\nclass 128 B: alloc_calls 2, free_calls 1, slow_path_hits 1, "
                                    "cache_hits 0, slabs_in_use 1 (peak 1), bytes_in_use peak ");
    assert_non_null(line);
    assert_true(strstr(line, "peak 128\n") || strstr(line, "peak 256\n"));
    assert_null(strstr(text, "class 8 B")); /* unused classes are left out */
    zslab_free(z, a);
    zslab_free(z, c);
    zslab_destroy(z);
}

static void a_short_buffer_gets_a_cut_terminated_text(void **state)
{
    (void)state;
    zslab_t *z;
    assert_int_equal(zslab_create(NULL, &z), ZSLAB_OK);
    static char full[TEXT_BYTES];
    size_t len = _zslab_shim_stats_format(z, "probe", full, sizeof(full));
    const size_t cuts[] = {1, 10, 60, 300, len, len + 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        char cut[TEXT_BYTES];
        memset(cut, '#', sizeof(cut));
        assert_int_equal(_zslab_shim_stats_format(z, "probe", cut, cuts[i]), len);
        assert_int_equal(strlen(cut), cuts[i] - 1 < len ? cuts[i] - 1 : len);
        assert_memory_equal(cut, full, strlen(cut));
        assert_int_equal(cut[cuts[i]], '#'); /* nothing written past the buffer */
    }
    zslab_destroy(z);
}

static void numbers_print_in_full(void **state)
{
    (void)state;
    char buf[64];
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, buf, sizeof(buf));
    _zslab_shim_text_u64(&t, 0);
    _zslab_shim_text_str(&t, " ");
    _zslab_shim_text_u64(&t, UINT64_MAX);
    assert_string_equal(buf, "0 18446744073709551615");
}

int run_report_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_text_holds_the_total_the_shim_and_the_used_classes),
        cmocka_unit_test(a_short_buffer_gets_a_cut_terminated_text),
        cmocka_unit_test(numbers_print_in_full),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
