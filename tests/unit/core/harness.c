/* SPDX-License-Identifier: MIT */
/* harness.c - the linker wraps of the platform, and shared test helpers. */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define MESSAGE_BYTES  512
#define RESIDENT_PAGES 512 /* the most harness_resident_pages() looks at: 2 MiB */

void *__real_zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags);
void __real_zslab_platform_unmap(void *addr, size_t bytes);
void __real_zslab_platform_log(int level, const char *msg);
_Noreturn void __real_zslab_platform_panic(const char *msg);

void *__wrap_zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags);
void __wrap_zslab_platform_unmap(void *addr, size_t bytes);
void __wrap_zslab_platform_log(int level, const char *msg);
_Noreturn void __wrap_zslab_platform_panic(const char *msg);

static pthread_mutex_t message_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_message[MESSAGE_BYTES];
static int message_count;
static atomic_uint_least64_t map_calls, unmap_calls;
static atomic_int_least64_t mapped_bytes;
static atomic_int maps_to_skip, maps_to_fail;
jmp_buf *harness_panic_target;

static void record(const char *msg)
{
    pthread_mutex_lock(&message_lock);
    snprintf(last_message, sizeof(last_message), "%s", msg);
    message_count++;
    pthread_mutex_unlock(&message_lock);
}

void *__wrap_zslab_platform_map(size_t bytes, size_t align, int node, unsigned flags)
{
    atomic_fetch_add(&map_calls, 1);
    int skip = atomic_load(&maps_to_skip);
    while (skip > 0 && !atomic_compare_exchange_weak(&maps_to_skip, &skip, skip - 1))
        ;
    int fail = skip > 0 ? 0 : atomic_load(&maps_to_fail);
    while (fail > 0) {
        if (atomic_compare_exchange_weak(&maps_to_fail, &fail, fail - 1))
            return NULL;
    }
    void *p = __real_zslab_platform_map(bytes, align, node, flags);
    if (p)
        atomic_fetch_add(&mapped_bytes, (int64_t)bytes);
    return p;
}

void __wrap_zslab_platform_unmap(void *addr, size_t bytes)
{
    atomic_fetch_add(&unmap_calls, 1);
    atomic_fetch_sub(&mapped_bytes, (int64_t)bytes);
    __real_zslab_platform_unmap(addr, bytes);
}

void __wrap_zslab_platform_log(int level, const char *msg)
{
    (void)level;
    record(msg);
}

_Noreturn void __wrap_zslab_platform_panic(const char *msg)
{
    record(msg);
    if (harness_panic_target)
        longjmp(*harness_panic_target, 1);
    __real_zslab_platform_panic(msg);
}

void harness_clear_messages(void)
{
    pthread_mutex_lock(&message_lock);
    last_message[0] = '\0';
    message_count = 0;
    pthread_mutex_unlock(&message_lock);
}

int harness_message_count(void)
{
    pthread_mutex_lock(&message_lock);
    int n = message_count;
    pthread_mutex_unlock(&message_lock);
    return n;
}

const char *harness_last_message(void)
{
    return last_message;
}

void harness_assert_message_has(const char *file, int line, ...)
{
    va_list ap;
    va_start(ap, line);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
        if (!strstr(last_message, frag)) {
            va_end(ap);
            fail_msg("%s:%d: message \"%s\" lacks \"%s\"", file, line, last_message, frag);
        }
    }
    va_end(ap);
}

uint64_t harness_map_calls(void)
{
    return atomic_load(&map_calls);
}

uint64_t harness_unmap_calls(void)
{
    return atomic_load(&unmap_calls);
}

int64_t harness_mapped_bytes(void)
{
    return atomic_load(&mapped_bytes);
}

void harness_fail_maps(int skip, int n)
{
    atomic_store(&maps_to_skip, skip);
    atomic_store(&maps_to_fail, n);
}

zslab_t *harness_instance_with(const zslab_config_t *cfg)
{
    zslab_t *z = NULL;
    assert_int_equal(zslab_create(cfg, &z), ZSLAB_OK);
    assert_non_null(z);
    return z;
}

zslab_t *harness_instance(void)
{
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    return harness_instance_with(&cfg);
}

zslab_counters_t harness_counters(const zslab_t *z, int class_index)
{
    zslab_counters_t c;
    assert_int_equal(zslab_get_counters(z, class_index, &c), ZSLAB_OK);
    return c;
}

/* The calling thread's heap, the shared heap and every node cache. */
void harness_assert_instance_valid(const zslab_t *z)
{
    const zslab_heap_t *h = zslab_platform_thread_get(z->key);
    if (h)
        assert_true(_zslab_heap_is_valid(z, h));
    assert_true(_zslab_heap_is_valid(z, z->shared));
    for (unsigned i = 0; i < ZSLAB_MAX_NODES; i++) {
        const zslab_node_t *n = &z->nodes[i];
        assert_true(_zslab_list_is_valid(&n->dirty, ZSLAB_SLAB_DIRTY));
        assert_true(_zslab_list_is_valid(&n->clean, ZSLAB_SLAB_CLEAN));
        for (const zslab_slab_t *s = n->dirty.head; s; s = s->next)
            assert_true(_zslab_slab_is_valid(z, s));
    }
}

/* The calling thread's heap in @z (NULL before its first call). */
zslab_heap_t *harness_heap(const zslab_t *z)
{
    return zslab_platform_thread_get(z->key);
}

size_t harness_resident_pages(const void *p, size_t bytes)
{
    unsigned char vec[RESIDENT_PAGES];
    size_t pages = bytes / ZSLAB_PLATFORM_PAGE_BYTES, n = 0;
    assert_true(pages <= RESIDENT_PAGES);
    assert_int_equal(mincore((void *)(uintptr_t)p, bytes, vec), 0);
    for (size_t i = 0; i < pages; i++)
        n += vec[i] & 1;
    return n;
}
