/* SPDX-License-Identifier: MIT */
/*
 * thread.c - zslab_platform_thread_slot() on Linux: the slot is initial-exec
 * TLS (a register-relative load, no __tls_get_addr call); a pthread key with
 * a destructor tells the core when a thread that used its slot exits.
 *
 * Key destructors run for threads that return or call pthread_exit(), not for
 * the thread that calls exit(); that thread's slot is never handed back.
 */
#include <pthread.h>
#include <stdbool.h>

#include "zslab/platform.h"

struct thread_slot {
    void *value;
    zslab_platform_thread_exit_fn on_exit;
    bool registered;
};

static _Thread_local struct thread_slot slot __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *arg)
{
    struct thread_slot *s = arg;
    void *value = s->value;
    s->value = NULL;
    if (value && s->on_exit)
        s->on_exit(value);
}

static void make_exit_key(void)
{
    if (pthread_key_create(&exit_key, thread_exit) != 0)
        zslab_platform_panic("zslab: pthread_key_create failed: no thread-exit hook");
}

void **zslab_platform_thread_slot(zslab_platform_thread_exit_fn on_exit)
{
    struct thread_slot *s = &slot;
    if (on_exit)
        s->on_exit = on_exit;
    if (!s->registered) {
        pthread_once(&exit_key_once, make_exit_key);
        if (pthread_setspecific(exit_key, s) != 0)
            zslab_platform_panic("zslab: pthread_setspecific failed: no thread-exit hook");
        s->registered = true;
    }
    return &s->value;
}
