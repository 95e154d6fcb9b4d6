/* SPDX-License-Identifier: MIT */
/*
 * thread.c - per-instance thread state on Linux (platform.h's thread keys).
 *
 * Every thread has ZSLAB_PLATFORM_THREAD_KEYS pointers in initial-exec TLS (a
 * register-relative load, no __tls_get_addr and no allocation), each tagged
 * with the generation of the key that set it, so a deleted key's leftovers
 * read as NULL even after its storage is reused.  One pthread key, created
 * once and early (index < 32, so pthread_setspecific never allocates), with
 * one destructor runs every live key's hook when a thread exits.  A
 * read-write lock keeps key_delete() from returning while a hook of its key
 * runs.  Nothing here calls malloc but pthread_setspecific() when the key
 * came after 32 others; a call that comes back from there is refused (the
 * core then uses its shared heap), so the platform may be the process's malloc.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "zslab/platform.h"

#define KEYS       ZSLAB_PLATFORM_THREAD_KEYS
#define INDEX_BITS 8u
#define INDEX_MASK ((1u << INDEX_BITS) - 1)
#define GEN_IN_USE 1u /* a key's generation is odd while it exists */
_Static_assert(KEYS <= (1u << INDEX_BITS), "a key's index fits its low bits");

struct key {
    _Atomic uint32_t gen;
    zslab_platform_thread_exit_fn on_exit;
};

struct thread_state {
    void *value[KEYS];
    uint32_t gen[KEYS];
    bool registered;  /* the exit destructor is armed for this thread */
    bool registering; /* inside pthread_setspecific(), which may malloc */
    bool exited;      /* the hooks have run; no new value may be set */
};

static struct key keys[KEYS];
static pthread_rwlock_t keys_lock = PTHREAD_RWLOCK_INITIALIZER;
static _Thread_local struct thread_state tls __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_ok;

static uint32_t key_index(zslab_platform_key_t key)
{
    return (uint32_t)(key & INDEX_MASK);
}

static uint32_t key_gen(zslab_platform_key_t key)
{
    return (uint32_t)(key >> INDEX_BITS);
}

/* Runs each live key's hook for the exiting thread, then marks it exited. */
static void thread_exit(void *arg)
{
    struct thread_state *t = arg;
    pthread_rwlock_rdlock(&keys_lock);
    for (uint32_t i = 0; i < KEYS; i++) {
        void *value = t->value[i];
        uint32_t gen = atomic_load_explicit(&keys[i].gen, memory_order_relaxed);
        if (value && t->gen[i] == gen && (gen & GEN_IN_USE) && keys[i].on_exit)
            keys[i].on_exit(value);
    }
    t->exited = true;
    pthread_rwlock_unlock(&keys_lock);
}

static void make_exit_key(void)
{
    exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
}

int zslab_platform_key_create(zslab_platform_thread_exit_fn on_exit, zslab_platform_key_t *key)
{
    pthread_once(&exit_key_once, make_exit_key);
    if (!exit_key_ok)
        return -1;
    int rc = -1;
    pthread_rwlock_wrlock(&keys_lock);
    for (uint32_t i = 0; i < KEYS; i++) {
        uint32_t gen = atomic_load_explicit(&keys[i].gen, memory_order_relaxed);
        if (gen & GEN_IN_USE)
            continue;
        gen++;
        keys[i].on_exit = on_exit;
        atomic_store_explicit(&keys[i].gen, gen, memory_order_release);
        *key = ((zslab_platform_key_t)gen << INDEX_BITS) | i;
        rc = 0;
        break;
    }
    pthread_rwlock_unlock(&keys_lock);
    return rc;
}

void zslab_platform_key_delete(zslab_platform_key_t key)
{
    uint32_t i = key_index(key);
    pthread_rwlock_wrlock(&keys_lock);
    if (atomic_load_explicit(&keys[i].gen, memory_order_relaxed) == key_gen(key)) {
        keys[i].on_exit = NULL;
        atomic_store_explicit(&keys[i].gen, key_gen(key) + 1, memory_order_release);
    }
    pthread_rwlock_unlock(&keys_lock);
}

void *zslab_platform_thread_get(zslab_platform_key_t key)
{
    uint32_t i = key_index(key);
    return tls.gen[i] == key_gen(key) ? tls.value[i] : NULL;
}

_Bool zslab_platform_thread_set(zslab_platform_key_t key, void *value)
{
    struct thread_state *t = &tls;
    uint32_t i = key_index(key);
    if (value && t->exited)
        return false;
    if (value && !t->registered) {
        /* For a key past glibc's first 32, pthread_setspecific() callocs,
         * and under libzslab-malloc that calloc is the core's: the nested
         * call gets false, and the core serves it from its shared heap. */
        if (t->registering || !exit_key_ok)
            return false;
        t->registering = true;
        int rc = pthread_setspecific(exit_key, t);
        t->registering = false;
        if (rc != 0)
            return false;
        t->registered = true;
    }
    t->value[i] = value;
    t->gen[i] = key_gen(key);
    return true;
}
