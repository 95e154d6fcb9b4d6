/* SPDX-License-Identifier: MIT */
/*
 * no_alloc.c - the core and the Linux platform, on the paths libzslab-malloc
 * reaches, must never call malloc: under the shim such a call comes back into
 * the allocator, halfway through one of its own calls.
 *
 * This program defines malloc and the rest itself (they forward to glibc's
 * __libc_* functions), so every allocation in the process, libc's own
 * included, passes here; while a thread watches, each one is counted.  It
 * links libzslab.a and the shim's logic, and prints TAP.
 *
 * One case routes malloc to a zslab instance, as the shim does, to show that
 * the one allocation the platform cannot avoid (pthread_setspecific() for a
 * key past the first 32) comes back into the core without recursing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"
#include "zslab/platform.h"
#include "zslab/zslab.h"

/* glibc's pthread_setspecific keeps the first 32 keys in the thread; a key
 * past them needs a second-level block, which it callocs. */
#define KEYS_INLINE 32
#define EXTRA_KEYS  40
#define TEXT_BYTES  16384

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);
void *__libc_memalign(size_t align, size_t size);

static _Thread_local bool watching;
static atomic_int calls;

/* A malloc that is the core's, as under libzslab-malloc: set in the child of
 * thread_state_allocations() only. */
static zslab_t *route;

static void *routed(size_t size)
{
    return route ? zslab_alloc(route, size) : NULL;
}

static void seen(void)
{
    if (watching)
        atomic_fetch_add(&calls, 1);
}

void *malloc(size_t size)
{
    seen();
    return route ? routed(size) : __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    seen();
    if (!route)
        return __libc_calloc(count, size);
    void *p = count && size > SIZE_MAX / count ? NULL : routed(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *realloc(void *ptr, size_t size)
{
    seen();
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    seen();
    if (route && zslab_usable_size(route, ptr))
        zslab_free(route, ptr);
    else
        __libc_free(ptr);
}

void *memalign(size_t align, size_t size)
{
    seen();
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    seen();
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    seen();
    *out = __libc_memalign(align, size);
    return *out ? 0 : 12;
}

static int test_number;
static int failures;

static void start(void)
{
    atomic_store(&calls, 0);
    watching = true;
}

/* Ends a watched stretch and prints its TAP line. */
static void report(const char *what)
{
    watching = false;
    int n = atomic_load(&calls);
    test_number++;
    if (n == 0) {
        printf("ok %d - %s\n", test_number, what);
        return;
    }
    printf("not ok %d - %s\n# %d allocation(s) through malloc and friends\n", test_number, what, n);
    failures++;
}

static void core_paths(void)
{
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.on_bad_free = ZSLAB_BAD_FREE_REPORT;
    zslab_t *z = NULL;
    start();
    zslab_create(&cfg, &z);
    void *small = zslab_alloc(z, 100), *large = zslab_alloc(z, 5u << 20);
    void *aligned = zslab_alloc_aligned(z, 100, 1u << 22);
    (void)zslab_usable_size(z, small);
    zslab_free_sized(z, small, 100);
    zslab_free(z, large);
    zslab_free(z, aligned);
    (void)zslab_trim(z);
    zslab_fork_prepare(z);
    zslab_fork_parent(z);
    report("zslab_create, alloc, alloc_aligned, usable_size, free, free_sized, trim, fork hooks");

    int on_stack;
    start();
    zslab_free(z, &on_stack); /* reported, ignored */
    zslab_free(z, (char *)zslab_alloc(z, 64) + 8);
    report("a bad free's report (ZSLAB_BAD_FREE=report), lines built without printf");

    static char text[TEXT_BYTES];
    zslab_shim_options_t o;
    start();
    _zslab_shim_options_read(&o, getenv, NULL);
    size_t len = _zslab_shim_stats_format(z, "no-alloc", text, sizeof(text));
    report("the ZSLAB_* reader and the ZSLAB_STATS text");
    (void)len;
    zslab_destroy(z);
}

static void *first_alloc(void *arg)
{
    zslab_t *z = arg;
    start();
    char *p = zslab_alloc(z, 64);
    watching = false;
    if (p) {
        memset(p, 1, 64);
        zslab_free(z, p);
    }
    return p;
}

/* A thread's first allocation arms the platform's exit hook through
 * pthread_setspecific().  When the platform's pthread key came after the
 * first 32 (here: a child that makes 40 keys before its first instance),
 * that call callocs; with malloc routed to the same instance, as under the
 * shim, the calloc comes back into the core mid-attach.  It must be served
 * (from the shared heap), not recurse.  Returns the allocations the first
 * zslab_alloc() made, or -1 when the child crashed or failed. */
static int thread_state_allocations(int keys)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_key_t k;
        for (int i = 0; i < keys; i++)
            pthread_key_create(&k, NULL);
        zslab_t *z = NULL;
        if (zslab_create(NULL, &z) != ZSLAB_OK)
            _exit(1);
        route = z;
        pthread_t t;
        void *got = NULL;
        pthread_create(&t, NULL, first_alloc, z);
        pthread_join(t, &got);
        int n = got ? atomic_load(&calls) : -1;
        _exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
    }
    close(pipefd[1]);
    int n = -1;
    if (read(pipefd[0], &n, sizeof(n)) != sizeof(n))
        n = -1;
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? n : -1;
}

/* Before any instance exists in this process: the child's first instance
 * creates the platform's pthread key after the keys it made. */
static void thread_state_paths(void)
{
    int n = thread_state_allocations(0);
    test_number++;
    printf("%s %d - a thread's first allocation sets up its state without malloc (few pthread"
           " keys)\n",
           n == 0 ? "ok" : "not ok", test_number);
    failures += n != 0;

    n = thread_state_allocations(KEYS_INLINE + EXTRA_KEYS);
    test_number++;
    printf("%s %d - after %d pthread keys, the calloc of pthread_setspecific() comes back into"
           " the core and is served without recursion (%d allocation(s))\n",
           n >= 0 ? "ok" : "not ok", test_number, KEYS_INLINE + EXTRA_KEYS, n);
    failures += n < 0;
}

int main(void)
{
    printf("1..5\n");
    thread_state_paths();
    core_paths();
    return failures ? 1 : 0;
}
