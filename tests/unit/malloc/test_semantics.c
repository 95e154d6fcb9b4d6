/* SPDX-License-Identifier: MIT */
/*
 * test_semantics.c - glibc's allocation interface, function by function and
 * edge by edge, as libzslab-malloc gives it (see malloc_test.h for the two
 * builds this file runs in).
 */
#include "malloc_test.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define PAGE          4096u
#define KIB           ((size_t)1 << 10)
#define MIB           ((size_t)1 << 20)
#define MAX_ALIGN_LOG 23 /* 8 MiB: above the 2 MiB chunk */
#define TOO_BIG       ((size_t)PTRDIFF_MAX + 1)
#define LARGE_BYTES   40000 /* above the largest class (32 KiB) */

static const size_t sizes[] = {0,   1,   7,    8,    9,     16,    17,          24,  100,    112,
                               113, 128, 1000, 4096, 32768, 32769, LARGE_BYTES, MIB, MIB + 1};
#define SIZES (sizeof(sizes) / sizeof(sizes[0]))

static void fill(void *p, size_t n, unsigned char seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(seed + i * 7);
}

static bool holds(const void *p, size_t n, unsigned char seed)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(seed + i * 7))
            return false;
    return true;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void malloc_gives_aligned_objects_of_at_least_the_size(void **state)
{
    (void)state;
    for (size_t i = 0; i < SIZES; i++) {
        unsigned char *p = T_MALLOC(sizes[i]);
        assert_non_null(p);
        size_t align = sizes[i] <= 8 ? 8 : 16;
        assert_int_equal((uintptr_t)p % align, 0);
        size_t usable = T_USABLE_SIZE(p);
        assert_true(usable >= sizes[i]);
        memset(p, 0xa5, usable); /* every usable byte is the caller's */
        T_FREE(p);
    }
}

static void malloc_zero_gives_unique_objects(void **state)
{
    (void)state;
    void *a = T_MALLOC(0), *b = T_MALLOC(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_true(T_USABLE_SIZE(a) >= 1);
    T_FREE(a);
    T_FREE(b);
}

static void huge_requests_fail_with_enomem(void **state)
{
    (void)state;
    void *out = &out;
    const size_t huge[] = {TOO_BIG, SIZE_MAX, SIZE_MAX - PAGE};
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
        errno = 0;
        assert_null(T_MALLOC(huge[i]));
        assert_int_equal(errno, ENOMEM);
        errno = 0;
        assert_null(T_ALIGNED_ALLOC(64, huge[i]));
        assert_int_equal(errno, ENOMEM);
        errno = 0;
        assert_null(T_VALLOC(huge[i]));
        assert_int_equal(errno, ENOMEM);
        errno = 0;
        assert_null(T_PVALLOC(huge[i]));
        assert_int_equal(errno, ENOMEM);
        assert_int_equal(T_POSIX_MEMALIGN(&out, 4096, huge[i]), ENOMEM);
        assert_ptr_equal(out, &out); /* untouched on failure */
    }
    errno = 0;
    assert_null(T_MEMALIGN((size_t)1 << 62, 64)); /* a power of two nobody can map */
    assert_int_equal(errno, ENOMEM);
}

static void calloc_zeroes_and_checks_the_product(void **state)
{
    (void)state;
    for (size_t i = 0; i < SIZES; i++) {
        /* Dirty an object of the size first, so calloc must really zero. */
        unsigned char *d = T_MALLOC(sizes[i]);
        memset(d, 0xff, T_USABLE_SIZE(d));
        T_FREE(d);
        unsigned char *p = T_CALLOC(1, sizes[i]);
        assert_non_null(p);
        assert_true(all_zero(p, sizes[i]));
        T_FREE(p);
    }
    unsigned char *p = T_CALLOC(1000, 24);
    assert_non_null(p);
    assert_true(all_zero(p, 24000));
    T_FREE(p);
    void *z1 = T_CALLOC(0, 16), *z2 = T_CALLOC(16, 0);
    assert_non_null(z1);
    assert_non_null(z2);
    T_FREE(z1);
    T_FREE(z2);
    const size_t pairs[][2] = {
        {SIZE_MAX, 2}, {2, SIZE_MAX}, {(size_t)1 << 32, (size_t)1 << 32}, {TOO_BIG, 1}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        errno = 0;
        assert_null(T_CALLOC(pairs[i][0], pairs[i][1]));
        assert_int_equal(errno, ENOMEM);
    }
}

static void realloc_null_is_malloc(void **state)
{
    (void)state;
    void *p = T_REALLOC(NULL, 100);
    assert_non_null(p);
    assert_int_equal(T_USABLE_SIZE(p), 112);
    void *q = T_REALLOC(NULL, 0);
    assert_non_null(q);
    T_FREE(p);
    T_FREE(q);
}

static void free_again(void *p)
{
    T_FREE(p);
}

static void realloc_to_zero_frees_and_returns_null(void **state)
{
    (void)state;
    void *p = T_MALLOC(64);
    errno = EDOM;
    assert_null(T_REALLOC(p, 0));
    assert_int_equal(errno, EDOM);
    /* It was freed: freeing it again is a double free. */
    assert_aborts_with(free_again, p, "double free");
    void *large = T_MALLOC(LARGE_BYTES);
    assert_null(T_REALLOC(large, 0));
    assert_aborts_with(free_again, large, "not allocated");
}

static void realloc_stays_in_place_within_the_class(void **state)
{
    (void)state;
    unsigned char *p = T_MALLOC(100); /* the 112 B class */
    fill(p, 100, 1);
    assert_ptr_equal(T_REALLOC(p, 112), p);
    assert_ptr_equal(T_REALLOC(p, 97), p);
    assert_true(holds(p, 97, 1));
    unsigned char *grown = T_REALLOC(p, 113);
    assert_ptr_not_equal(grown, p);
    assert_true(holds(grown, 97, 1));
    unsigned char *shrunk = T_REALLOC(grown, 10); /* out of the class: moves */
    assert_ptr_not_equal(shrunk, grown);
    assert_true(holds(shrunk, 10, 1));
    T_FREE(shrunk);

    unsigned char *large = T_MALLOC(LARGE_BYTES); /* 10 pages */
    fill(large, LARGE_BYTES, 2);
    assert_ptr_equal(T_REALLOC(large, 10 * PAGE), large);
    assert_ptr_equal(T_REALLOC(large, 9 * PAGE + 1), large);
    unsigned char *fewer = T_REALLOC(large, 9 * PAGE);
    assert_ptr_not_equal(fewer, large);
    assert_true(holds(fewer, 9 * PAGE, 2));
    unsigned char *big = T_REALLOC(fewer, 3 * MIB);
    assert_true(holds(big, 9 * PAGE, 2));
    unsigned char *small = T_REALLOC(big, 50); /* large to a class */
    assert_true(holds(small, 50, 2));
    assert_true(T_USABLE_SIZE(small) <= 64);
    T_FREE(small);
}

static void a_failed_realloc_leaves_the_object(void **state)
{
    (void)state;
    unsigned char *p = T_MALLOC(300);
    fill(p, 300, 3);
    errno = 0;
    assert_null(T_REALLOC(p, SIZE_MAX));
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_null(T_REALLOC(p, TOO_BIG));
    assert_int_equal(errno, ENOMEM);
    errno = 0;
    assert_null(T_REALLOCARRAY(p, SIZE_MAX / 2, 3));
    assert_int_equal(errno, ENOMEM);
    assert_true(holds(p, 300, 3));
    T_FREE(p);
}

static void reallocarray_multiplies_then_reallocs(void **state)
{
    (void)state;
    int *a = T_REALLOCARRAY(NULL, 10, sizeof(int));
    assert_non_null(a);
    for (int i = 0; i < 10; i++)
        a[i] = i;
    a = T_REALLOCARRAY(a, 10000, sizeof(int));
    assert_non_null(a);
    for (int i = 0; i < 10; i++)
        assert_int_equal(a[i], i);
    assert_true(T_USABLE_SIZE(a) >= 10000 * sizeof(int));
    assert_null(T_REALLOCARRAY(a, 0, sizeof(int))); /* realloc(a, 0): freed */
}

static void posix_memalign_takes_powers_of_two_times_pointer_size(void **state)
{
    (void)state;
    for (unsigned lg = 3; lg <= MAX_ALIGN_LOG; lg++) {
        size_t align = (size_t)1 << lg;
        for (size_t i = 0; i < SIZES; i += 3) {
            void *p = NULL;
            assert_int_equal(T_POSIX_MEMALIGN(&p, align, sizes[i]), 0);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % align, 0);
            assert_true(T_USABLE_SIZE(p) >= sizes[i]);
            memset(p, 0x5a, sizes[i]);
            T_FREE(p);
        }
    }
    const size_t bad[] = {0, 1, 2, 4, 12, 24, 48, 4097, ((size_t)1 << 40) + 8};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        void *out = &out;
        errno = EDOM;
        assert_int_equal(T_POSIX_MEMALIGN(&out, bad[i], 64), EINVAL);
        assert_int_equal(errno, EDOM); /* an error code, errno untouched */
        assert_ptr_equal(out, &out);
    }
}

static void aligned_alloc_and_memalign_take_any_power_of_two(void **state)
{
    (void)state;
    for (unsigned lg = 0; lg <= MAX_ALIGN_LOG; lg++) {
        size_t align = (size_t)1 << lg;
        for (size_t i = 0; i < SIZES; i += 2) {
            void *a = T_ALIGNED_ALLOC(align, sizes[i]);
            void *m = T_MEMALIGN(align, sizes[i]);
            assert_non_null(a);
            assert_non_null(m);
            assert_int_equal((uintptr_t)a % align, 0);
            assert_int_equal((uintptr_t)m % align, 0);
            assert_true(T_USABLE_SIZE(a) >= sizes[i]);
            memset(a, 1, sizes[i]);
            memset(m, 2, sizes[i]);
            T_FREE(a);
            T_FREE(m);
        }
    }
    const size_t bad[] = {0, 3, 24, 100, 4097, SIZE_MAX};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errno = 0;
        assert_null(T_ALIGNED_ALLOC(bad[i], 64));
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_null(T_MEMALIGN(bad[i], 64));
        assert_int_equal(errno, EINVAL);
    }
}

static void valloc_and_pvalloc_give_pages(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t want[] = {0, 1, 100, PAGE, PAGE + 1, LARGE_BYTES};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        void *v = T_VALLOC(want[i]);
        void *pv = T_PVALLOC(want[i]);
        assert_non_null(v);
        assert_non_null(pv);
        assert_int_equal((uintptr_t)v % page, 0);
        assert_int_equal((uintptr_t)pv % page, 0);
        assert_true(T_USABLE_SIZE(v) >= want[i]);
        size_t rounded = (want[i] + page - 1) / page * page;
        assert_true(T_USABLE_SIZE(pv) >= (rounded ? rounded : page));
        memset(pv, 3, rounded ? rounded : page);
        T_FREE(v);
        T_FREE(pv);
    }
}

static void usable_size_is_zero_for_null_and_foreign_pointers(void **state)
{
    (void)state;
    int on_stack = 0;
    assert_int_equal(T_USABLE_SIZE(NULL), 0);
    assert_int_equal(T_USABLE_SIZE(&on_stack), 0);
    char *p = T_MALLOC(200);
    assert_int_equal(T_USABLE_SIZE(p), 208);
    assert_int_equal(T_USABLE_SIZE(p + 16), 0); /* an interior pointer starts no object */
    T_FREE(p);
}

static void free_of_null_does_nothing_and_free_keeps_errno(void **state)
{
    (void)state;
    T_FREE(NULL);
    T_FREE_SIZED(NULL, 10);
    T_FREE_ALIGNED_SIZED(NULL, 64, 10);
    for (size_t i = 0; i < SIZES; i++) {
        void *p = T_MALLOC(sizes[i]);
        errno = EDOM;
        T_FREE(p);
        assert_int_equal(errno, EDOM);
        p = T_MALLOC(sizes[i]);
        errno = ERANGE;
        T_FREE_SIZED(p, sizes[i]);
        assert_int_equal(errno, ERANGE);
    }
}

static void free_sized_accepts_the_size_that_was_asked_for(void **state)
{
    (void)state;
    for (size_t i = 0; i < SIZES; i++) {
        T_FREE_SIZED(T_MALLOC(sizes[i]), sizes[i]);
        T_FREE_SIZED(T_CALLOC(1, sizes[i]), sizes[i]);
        void *r = T_MALLOC(sizes[i] / 2);
        r = T_REALLOC(r, sizes[i] ? sizes[i] : 1);
        T_FREE_SIZED(r, sizes[i] ? sizes[i] : 1);
    }
    void *in_place = T_MALLOC(100);
    assert_ptr_equal(T_REALLOC(in_place, 110), in_place);
    T_FREE_SIZED(in_place, 110);
}

static void free_aligned_sized_accepts_what_aligned_alloc_was_given(void **state)
{
    (void)state;
    for (unsigned lg = 0; lg <= MAX_ALIGN_LOG; lg += 2) {
        size_t align = (size_t)1 << lg;
        for (size_t i = 0; i < SIZES; i++)
            T_FREE_ALIGNED_SIZED(T_ALIGNED_ALLOC(align, sizes[i]), align, sizes[i]);
    }
}

static void free_sized_100_as_200(void *p)
{
    T_FREE_SIZED(p, 200);
}

static void free_aligned_sized_as_twice_its_size(void *p)
{
    T_FREE_ALIGNED_SIZED(p, 64, 2 * T_USABLE_SIZE(p));
}

static void a_wrong_size_is_a_bad_free(void **state)
{
    (void)state;
    char ptr[32];
    void *p = T_MALLOC(100);
    t_pointer_text(p, ptr, sizeof(ptr));
    assert_aborts_with(free_sized_100_as_200, p, ptr,
                       "wrong size: 200 bytes does not fit the object, which is 112 bytes");
    void *a = T_ALIGNED_ALLOC(64, 100);
    t_pointer_text(a, ptr, sizeof(ptr));
    assert_aborts_with(free_aligned_sized_as_twice_its_size, a, ptr, "wrong size");
    T_FREE(p);
    T_FREE(a);
}

static void free_interior(void *p)
{
    T_FREE((char *)p + 8);
}

static void realloc_garbage(void *p)
{
    T_REALLOC(p, 10);
}

/* The message names the pointer and the problem; the default is abort. */
static void a_bad_free_names_the_pointer_and_aborts(void **state)
{
    (void)state;
    char ptr[32];
    void *p = T_MALLOC(64);
    T_FREE(p);
    t_pointer_text(p, ptr, sizeof(ptr));
    assert_aborts_with(free_again, p, ptr, "double free");
    void *q = T_MALLOC(64);
    t_pointer_text((char *)q + 8, ptr, sizeof(ptr));
    assert_aborts_with(free_interior, q, ptr, "interior pointer: 8 bytes into the 64-byte object");
    static int not_heap;
    t_pointer_text(&not_heap, ptr, sizeof(ptr));
    assert_aborts_with(free_again, &not_heap, ptr, "not allocated by this zslab instance");
    assert_aborts_with(realloc_garbage, &not_heap, ptr, "not allocated by this zslab instance");
    T_FREE(q);
}

static void trim_gives_empty_slabs_back(void **state)
{
    (void)state;
    enum { N = 4096 };
    static void *objects[N];
    for (int i = 0; i < N; i++)
        objects[i] = T_MALLOC(2048);
    for (int i = 0; i < N; i++)
        T_FREE(objects[i]);
    assert_int_equal(T_TRIM(), 1);
}

int run_semantics_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malloc_gives_aligned_objects_of_at_least_the_size),
        cmocka_unit_test(malloc_zero_gives_unique_objects),
        cmocka_unit_test(huge_requests_fail_with_enomem),
        cmocka_unit_test(calloc_zeroes_and_checks_the_product),
        cmocka_unit_test(realloc_null_is_malloc),
        cmocka_unit_test(realloc_to_zero_frees_and_returns_null),
        cmocka_unit_test(realloc_stays_in_place_within_the_class),
        cmocka_unit_test(a_failed_realloc_leaves_the_object),
        cmocka_unit_test(reallocarray_multiplies_then_reallocs),
        cmocka_unit_test(posix_memalign_takes_powers_of_two_times_pointer_size),
        cmocka_unit_test(aligned_alloc_and_memalign_take_any_power_of_two),
        cmocka_unit_test(valloc_and_pvalloc_give_pages),
        cmocka_unit_test(usable_size_is_zero_for_null_and_foreign_pointers),
        cmocka_unit_test(free_of_null_does_nothing_and_free_keeps_errno),
        cmocka_unit_test(free_sized_accepts_the_size_that_was_asked_for),
        cmocka_unit_test(free_aligned_sized_accepts_what_aligned_alloc_was_given),
        cmocka_unit_test(a_wrong_size_is_a_bad_free),
        cmocka_unit_test(a_bad_free_names_the_pointer_and_aborts),
        cmocka_unit_test(trim_gives_empty_slabs_back),
    };
    return cmocka_run_group_tests_name("semantics", tests, NULL, NULL);
}
