/* SPDX-License-Identifier: MIT */
/*
 * interpose.c - the names a program calls: malloc, free and the rest of
 * glibc's allocation interface, on one process-wide zslab instance.
 *
 * The instance is created by the first call, which may come from the dynamic
 * loader or libc before main.  Creating it calls only the core and the
 * platform (mmap, pthread_mutex_init), never malloc, so there is no recursion;
 * a call that arrives while another thread creates it waits.  The fork
 * handlers are registered after the instance is ready, so an allocation
 * pthread_atfork() makes (it may grow its table with malloc) finds it.
 *
 * Exported: exactly the names in exports.map; everything else, the core
 * included, stays inside the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "shim.h"

#define EXPORT __attribute__((visibility("default")))

/* The ZSLAB_STATS text: 20 counter lines, 9 shim lines, 80 class lines. */
#define STATS_TEXT_BYTES 16384

enum { NOT_CREATED = 0, CREATING = 1, READY = 2 };

static zslab_t *_Atomic the_instance;
static atomic_int state;
static zslab_shim_options_t options;
/* Set in the thread that creates the instance, to catch a recursion. */
static _Thread_local bool creating __attribute__((tls_model("initial-exec")));

/* One line on stderr, in one write(2) so lines of threads do not mix. */
static void warn(const char *msg)
{
    char line[ZSLAB_SHIM_MESSAGE_BYTES + 1];
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, line, sizeof(line) - 1);
    _zslab_shim_text_str(&t, msg);
    size_t len = t.len < sizeof(line) - 2 ? t.len : sizeof(line) - 2;
    line[len++] = '\n';
    _zslab_shim_write_all(STDERR_FILENO, line, len);
}

_Noreturn static void die(const char *msg)
{
    warn(msg);
    abort();
}

static void before_fork(void)
{
    zslab_fork_prepare(atomic_load_explicit(&the_instance, memory_order_acquire));
}

static void after_fork_parent(void)
{
    zslab_fork_parent(atomic_load_explicit(&the_instance, memory_order_acquire));
}

static void after_fork_child(void)
{
    zslab_fork_child(atomic_load_explicit(&the_instance, memory_order_acquire));
}

static zslab_t *create(void)
{
    zslab_t *z = NULL;
    _zslab_shim_options_read(&options, getenv, warn);
    int rc = zslab_create(&options.cfg, &z);
    if (rc == ZSLAB_ERR_INVALID) {
        warn("zslab-malloc: the core refused the configuration above; its defaults are used "
             "(ZSLAB_BAD_FREE kept)");
        zslab_bad_free_t on_bad_free = options.cfg.on_bad_free;
        zslab_config_default(&options.cfg);
        options.cfg.on_bad_free = on_bad_free;
        rc = zslab_create(&options.cfg, &z);
    }
    if (rc != ZSLAB_OK)
        die("zslab-malloc: cannot create the allocator: the system gave no "
            "memory for its first mapping");
    _zslab_shim_counting = options.stats;
    return z;
}

static __attribute__((noinline)) zslab_t *instance_slow(void)
{
    int expected = NOT_CREATED;
    if (atomic_compare_exchange_strong(&state, &expected, CREATING)) {
        creating = true;
        zslab_t *z = create();
        atomic_store_explicit(&the_instance, z, memory_order_release);
        atomic_store(&state, READY);
        creating = false;
        if (pthread_atfork(before_fork, after_fork_parent, after_fork_child) != 0)
            warn("zslab-malloc: pthread_atfork failed: fork() from a threaded program is unsafe");
        return z;
    }
    if (creating)
        die("zslab-malloc: an allocation while the allocator is being created "
            "(recursion): a platform call allocated");
    while (atomic_load(&state) != READY)
        sched_yield();
    return atomic_load_explicit(&the_instance, memory_order_acquire);
}

static inline zslab_t *instance(void)
{
    zslab_t *z = atomic_load_explicit(&the_instance, memory_order_acquire);
    return __builtin_expect(z != NULL, 1) ? z : instance_slow();
}

/* The process's name for the stats header: glibc's (<errno.h>), set before
 * main. */
static const char *who(void)
{
    return program_invocation_short_name ? program_invocation_short_name : "?";
}

static void print_stats(int fd)
{
    char text[STATS_TEXT_BYTES];
    size_t len = _zslab_shim_stats_format(instance(), who(), text, sizeof(text));
    _zslab_shim_write_all(fd, text, len < sizeof(text) ? len : sizeof(text) - 1);
}

/* Destructors of a preloaded library run after the program's own exit work
 * (atexit handlers, which may close stderr: hence ZSLAB_STATS_FILE). */
__attribute__((destructor)) static void stats_at_exit(void)
{
    if (atomic_load(&state) != READY || !options.stats)
        return;
    if (!options.stats_file) {
        print_stats(STDERR_FILENO);
        return;
    }
    int fd = open(options.stats_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        warn("zslab-malloc: ZSLAB_STATS_FILE cannot be opened for appending; no counters written");
        return;
    }
    print_stats(fd);
    close(fd);
}

EXPORT void *malloc(size_t size)
{
    return _zslab_shim_malloc(instance(), size);
}

EXPORT void free(void *ptr)
{
    if (ptr)
        _zslab_shim_free(instance(), ptr);
}

EXPORT void *calloc(size_t count, size_t size)
{
    return _zslab_shim_calloc(instance(), count, size);
}

EXPORT void *realloc(void *ptr, size_t size)
{
    return _zslab_shim_realloc(instance(), ptr, size);
}

EXPORT void *reallocarray(void *ptr, size_t count, size_t size)
{
    return _zslab_shim_reallocarray(instance(), ptr, count, size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    return _zslab_shim_posix_memalign(instance(), out, align, size);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    return _zslab_shim_aligned_alloc(instance(), align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
    return _zslab_shim_memalign(instance(), align, size);
}

EXPORT void *valloc(size_t size)
{
    return _zslab_shim_valloc(instance(), size);
}

EXPORT void *pvalloc(size_t size)
{
    return _zslab_shim_pvalloc(instance(), size);
}

EXPORT size_t malloc_usable_size(void *ptr)
{
    return ptr ? _zslab_shim_usable_size(instance(), ptr) : 0;
}

/* C23; glibc 2.36's headers do not declare them yet. */
EXPORT void free_sized(void *ptr, size_t size);
EXPORT void free_aligned_sized(void *ptr, size_t align, size_t size);

EXPORT void free_sized(void *ptr, size_t size)
{
    if (ptr)
        _zslab_shim_free_sized(instance(), ptr, size);
}

EXPORT void free_aligned_sized(void *ptr, size_t align, size_t size)
{
    if (ptr)
        _zslab_shim_free_aligned_sized(instance(), ptr, align, size);
}

/* glibc extensions that would otherwise report on glibc's unused heap. */
EXPORT int malloc_trim(size_t pad)
{
    (void)pad;
    return _zslab_shim_trim(instance());
}

EXPORT void malloc_stats(void)
{
    print_stats(STDERR_FILENO);
}
