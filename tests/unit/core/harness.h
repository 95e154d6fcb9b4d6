/* SPDX-License-Identifier: MIT */
/*
 * harness.h - what the core unit tests share.
 *
 * The test binary links the real core and the real Linux platform, and wraps
 * four platform functions with the linker (--wrap), so a test can:
 *   - read the messages the core logged, and catch a panic (longjmp back);
 *   - count platform map/unmap calls and the bytes still mapped (leaks);
 *   - make the next map calls fail.
 */
#ifndef ZSLAB_TEST_HARNESS_H
#define ZSLAB_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "zslab/platform.h"
#include "zslab/zslab.h"

/* ---- captured messages ---------------------------------------------------- */
void harness_clear_messages(void);
/* Messages logged (any level) or panicked since the last clear. */
int harness_message_count(void);
/* The latest one, "" when none. */
const char *harness_last_message(void);

/* Fails the test unless the latest message holds every given fragment. */
#define assert_message_has(...) harness_assert_message_has(__FILE__, __LINE__, __VA_ARGS__, NULL)
void harness_assert_message_has(const char *file, int line, ...);

/* ---- panics ----------------------------------------------------------------
 * EXPECT_PANIC(stmt) runs stmt and fails the test unless it panicked; the
 * panic message is then harness_last_message(). */
extern jmp_buf *harness_panic_target;
#define EXPECT_PANIC(stmt)                                                                         \
    do {                                                                                           \
        jmp_buf expect_panic_jb_;                                                                  \
        harness_panic_target = &expect_panic_jb_;                                                  \
        if (setjmp(expect_panic_jb_) == 0) {                                                       \
            stmt;                                                                                  \
            harness_panic_target = NULL;                                                           \
            fail_msg("expected a panic from: %s", #stmt);                                          \
        }                                                                                          \
        harness_panic_target = NULL;                                                               \
    } while (0)

/* ---- platform memory -------------------------------------------------------- */
uint64_t harness_map_calls(void);
uint64_t harness_unmap_calls(void);
/* Pages of [p, p + bytes) backed by physical memory now (mincore); @p is
 * page-aligned, @bytes at most 2 MiB. */
size_t harness_resident_pages(const void *p, size_t bytes);
/* Bytes mapped and not yet unmapped, by anyone in the process. */
int64_t harness_mapped_bytes(void);
/* After @skip more map calls succeed, the next @n return NULL. */
void harness_fail_maps(int skip, int n);

/* ---- instances ------------------------------------------------------------- */
/* An instance with the defaults, but bad frees reported (and ignored). */
zslab_t *harness_instance(void);
zslab_t *harness_instance_with(const zslab_config_t *cfg);
/* Counters of one class (or ZSLAB_ALL_CLASSES). */
zslab_counters_t harness_counters(const zslab_t *z, int class_index);
/* Every list and slab of @z the calling thread can see (its own heap, the
 * shared heap, the node caches) passes the core's invariant checkers. */
void harness_assert_instance_valid(const zslab_t *z);
struct zslab_heap;
struct zslab_heap *harness_heap(const zslab_t *z);

/* ---- groups, one per test file --------------------------------------------- */
int run_sizeclass_tests(void);
int run_slab_tests(void);
int run_counter_tests(void);
int run_bad_input_tests(void);
int run_large_tests(void);
int run_platform_tests(void);
int run_thread_tests(void);
int run_random_tests(void);
int run_debug_tests(void);
int run_aligned_tests(void);
int run_remote_tests(void);
int run_decay_tests(void);

#endif /* ZSLAB_TEST_HARNESS_H */
