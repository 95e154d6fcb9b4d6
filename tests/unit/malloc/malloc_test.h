/* SPDX-License-Identifier: MIT */
/*
 * malloc_test.h - what the libzslab-malloc unit tests share.
 *
 * The same semantics tests run twice:
 *   unit-malloc      (ZSLAB_TEST_INTERPOSED=1) through the names a program
 *                    calls, malloc() and the rest, with the test binary linked
 *                    against libzslab-malloc.so, so everything in the process
 *                    allocates from the shim;
 *   unit-malloc-san  (ZSLAB_TEST_INTERPOSED=0) under ASan and UBSan, which
 *                    own malloc themselves: the shim's functions are called on
 *                    an explicit instance (T_MALLOC(n) is
 *                    _zslab_shim_malloc(t_instance(), n)).
 * T_* names the function under test either way.
 */
#ifndef ZSLAB_MALLOC_TEST_H
#define ZSLAB_MALLOC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "zslab/zslab.h"

#if ZSLAB_TEST_INTERPOSED
/* Called through a table, so the compiler's knowledge of malloc (its
 * attributes, its warnings about huge sizes and freed pointers) stays out
 * of tests that pass huge sizes and freed pointers on purpose. */
typedef struct t_api {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*usable_size)(void *);
    void (*free)(void *);
    void (*free_sized)(void *, size_t);
    void (*free_aligned_sized)(void *, size_t, size_t);
    int (*trim)(size_t);
} t_api_t;
extern const t_api_t *volatile t_api;
#define T_MALLOC(n)                   t_api->malloc(n)
#define T_CALLOC(c, n)                t_api->calloc(c, n)
#define T_REALLOC(p, n)               t_api->realloc(p, n)
#define T_REALLOCARRAY(p, c, n)       t_api->reallocarray(p, c, n)
#define T_POSIX_MEMALIGN(out, a, n)   t_api->posix_memalign(out, a, n)
#define T_ALIGNED_ALLOC(a, n)         t_api->aligned_alloc(a, n)
#define T_MEMALIGN(a, n)              t_api->memalign(a, n)
#define T_VALLOC(n)                   t_api->valloc(n)
#define T_PVALLOC(n)                  t_api->pvalloc(n)
#define T_USABLE_SIZE(p)              t_api->usable_size(p)
#define T_FREE(p)                     t_api->free(p)
#define T_FREE_SIZED(p, n)            t_api->free_sized(p, n)
#define T_FREE_ALIGNED_SIZED(p, a, n) t_api->free_aligned_sized(p, a, n)
#define T_TRIM()                      t_api->trim(0)
#else
#include "shim.h"
/* The tests' instance: defaults (bad frees abort), created on first use. */
zslab_t *t_instance(void);
#define T_MALLOC(n)                   _zslab_shim_malloc(t_instance(), n)
#define T_CALLOC(c, n)                _zslab_shim_calloc(t_instance(), c, n)
#define T_REALLOC(p, n)               _zslab_shim_realloc(t_instance(), p, n)
#define T_REALLOCARRAY(p, c, n)       _zslab_shim_reallocarray(t_instance(), p, c, n)
#define T_POSIX_MEMALIGN(out, a, n)   _zslab_shim_posix_memalign(t_instance(), out, a, n)
#define T_ALIGNED_ALLOC(a, n)         _zslab_shim_aligned_alloc(t_instance(), a, n)
#define T_MEMALIGN(a, n)              _zslab_shim_memalign(t_instance(), a, n)
#define T_VALLOC(n)                   _zslab_shim_valloc(t_instance(), n)
#define T_PVALLOC(n)                  _zslab_shim_pvalloc(t_instance(), n)
#define T_USABLE_SIZE(p)              _zslab_shim_usable_size(t_instance(), p)
#define T_FREE(p)                     _zslab_shim_free(t_instance(), p)
#define T_FREE_SIZED(p, n)            _zslab_shim_free_sized(t_instance(), p, n)
#define T_FREE_ALIGNED_SIZED(p, a, n) _zslab_shim_free_aligned_sized(t_instance(), p, a, n)
#define T_TRIM()                      _zslab_shim_trim(t_instance())
#endif

/* Runs @fn(@arg) in a child process and fails the test unless the child was
 * stopped by SIGABRT and its stderr holds every fragment (NULL-terminated). */
typedef void (*t_child_fn)(void *arg);
#define assert_aborts_with(fn, arg, ...)                                                           \
    t_assert_aborts_with(__FILE__, __LINE__, fn, arg, __VA_ARGS__, NULL)
void t_assert_aborts_with(const char *file, int line, t_child_fn fn, void *arg, ...);

/* Reads what a child wrote to @fd until end of file, NUL-terminated. */
void t_read_all(int fd, char *buf, size_t size);

/* "0x..." as the core prints a pointer. */
void t_pointer_text(const void *p, char *buf, size_t size);

/* ---- groups, one per test file ------------------------------------------- */
int run_semantics_tests(void);
#if ZSLAB_TEST_INTERPOSED
int run_interpose_tests(void);
int interpose_child_main(int argc, char **argv);
#else
int run_options_tests(void);
int run_report_tests(void);
#endif

#endif /* ZSLAB_MALLOC_TEST_H */
