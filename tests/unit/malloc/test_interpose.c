/* SPDX-License-Identifier: MIT */
/*
 * test_interpose.c - libzslab-malloc as a program meets it (unit-malloc only):
 * every name resolves to the library, the dynamic loader's TLS allocations go
 * through it, fork() from a threaded process, threads that come and go, and
 * the environment variables, each in a child process started with them.
 */
#include "malloc_test.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIBRARY       "libzslab-malloc.so"
#define OUTPUT_BYTES  32768
#define FORKS         50
#define FORK_WORKERS  2
#define CHILD_SECONDS 10 /* a child that deadlocked is killed by alarm() */
#define CHURN_THREADS 200
#define CHURN_OBJECTS 64
#define TLS_THREADS   8
#define LARGE_BYTES   40000
#define PAGE          4096u

extern char **environ;

/* ---- which library serves a name ------------------------------------------ */
static bool served_by_library(const char *name)
{
    void *sym = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    if (!sym || !dladdr(sym, &info) || !info.dli_fname)
        return false;
    return strstr(info.dli_fname, LIBRARY) != NULL;
}

static void every_name_resolves_to_the_library(void **state)
{
    (void)state;
    const char *names[] = {"malloc",
                           "free",
                           "calloc",
                           "realloc",
                           "reallocarray",
                           "posix_memalign",
                           "aligned_alloc",
                           "memalign",
                           "valloc",
                           "pvalloc",
                           "malloc_usable_size",
                           "free_sized",
                           "free_aligned_sized",
                           "malloc_trim",
                           "malloc_stats"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!served_by_library(names[i]))
            fail_msg("%s is not served by %s", names[i], LIBRARY);
    }
    /* zslab's signature: a large object starts on a page (glibc's at +16). */
    void *p = malloc(LARGE_BYTES);
    assert_int_equal((uintptr_t)p % PAGE, 0);
    assert_int_equal(malloc_usable_size(p), 10 * PAGE);
    free(p);
}

/* ---- the dynamic loader's TLS blocks ---------------------------------------- */
typedef unsigned long (*touch_fn)(unsigned char);

static void *touch_tls(void *arg)
{
    touch_fn touch = (touch_fn)(uintptr_t)arg;
    return (void *)(uintptr_t)touch(7);
}

static void the_loaders_tls_blocks_come_and_go_through_the_library(void **state)
{
    (void)state;
    const char *module = getenv("ZSLAB_TEST_TLS_MODULE");
    assert_non_null(module);
    for (int round = 0; round < 3; round++) {
        void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);
        if (!h)
            fail_msg("dlopen %s: %s", module, dlerror());
        touch_fn touch = (touch_fn)(uintptr_t)dlsym(h, "tls_module_touch");
        assert_non_null(touch);
        pthread_t t[TLS_THREADS];
        for (int i = 0; i < TLS_THREADS; i++)
            assert_int_equal(pthread_create(&t[i], NULL, touch_tls, (void *)(uintptr_t)touch), 0);
        unsigned long first = touch(7);
        for (int i = 0; i < TLS_THREADS; i++) {
            void *sum;
            pthread_join(t[i], &sum);
            assert_int_equal((uintptr_t)sum, first);
        }
        assert_int_equal(dlclose(h), 0);
    }
}

/* ---- fork() while other threads allocate ------------------------------------ */
static atomic_bool stop_workers;

static void *allocate_until_stopped(void *arg)
{
    (void)arg;
    void *keep[16] = {0};
    for (unsigned i = 0; !atomic_load(&stop_workers); i++) {
        unsigned slot = i % 16;
        free(keep[slot]);
        keep[slot] = malloc(16 + (i * 37) % 5000);
        memset(keep[slot], (int)i, 16);
    }
    for (int i = 0; i < 16; i++)
        free(keep[i]);
    return NULL;
}

static void fork_from_a_threaded_parent_leaves_the_child_a_working_malloc(void **state)
{
    (void)state;
    pthread_t workers[FORK_WORKERS];
    atomic_store(&stop_workers, false);
    for (int i = 0; i < FORK_WORKERS; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, allocate_until_stopped, NULL), 0);
    int ok = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(CHILD_SECONDS);
            void *objects[100];
            for (int j = 0; j < 100; j++)
                objects[j] = malloc((size_t)j * 100);
            for (int j = 0; j < 100; j++)
                free(objects[j]);
            _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    atomic_store(&stop_workers, true);
    for (int i = 0; i < FORK_WORKERS; i++)
        pthread_join(workers[i], NULL);
    assert_int_equal(ok, FORKS);
}

/* ---- threads that come and go, memory freed after its thread -------------- */
typedef struct churn {
    unsigned char *left[CHURN_OBJECTS / 2]; /* freed by main, after the thread exits */
    unsigned seed;
} churn_t;

static void *churn_thread(void *arg)
{
    churn_t *c = arg;
    unsigned char *mine[CHURN_OBJECTS / 2];
    for (int i = 0; i < CHURN_OBJECTS / 2; i++) {
        size_t n = 8 + ((c->seed + (unsigned)i) * 97) % 3000;
        mine[i] = malloc(n);
        c->left[i] = malloc(n);
        memset(c->left[i], (int)c->seed, n);
    }
    for (int i = 0; i < CHURN_OBJECTS / 2; i++)
        free(mine[i]);
    return NULL;
}

static void memory_outlives_the_thread_that_allocated_it(void **state)
{
    (void)state;
    static churn_t work[CHURN_THREADS];
    for (int i = 0; i < CHURN_THREADS; i++) {
        pthread_t t;
        work[i].seed = (unsigned)i;
        assert_int_equal(pthread_create(&t, NULL, churn_thread, &work[i]), 0);
        pthread_join(t, NULL);
    }
    for (int i = 0; i < CHURN_THREADS; i++) {
        for (int j = 0; j < CHURN_OBJECTS / 2; j++) {
            assert_int_equal(work[i].left[j][0], (unsigned char)i);
            free(work[i].left[j]);
        }
    }
}

/* ---- child processes with ZSLAB_* set ------------------------------------- */
typedef struct child_result {
    int status;
    char out[OUTPUT_BYTES];
    char err[OUTPUT_BYTES];
} child_result_t;

/* Runs this binary as "--child SCENARIO" with the environment less every
 * ZSLAB_* variable, plus @extra (NULL-terminated "NAME=value" strings). */
static void run_child(const char *scenario, const char *const *extra, child_result_t *r)
{
    const char *envp[256];
    size_t n = 0;
    for (char **e = environ; *e && n < 200; e++)
        if (strncmp(*e, "ZSLAB_", 6) != 0 || strncmp(*e, "ZSLAB_TEST_", 11) == 0)
            envp[n++] = *e;
    for (; extra && *extra; extra++)
        envp[n++] = *extra;
    envp[n] = NULL;
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        char *argv[] = {"unit-malloc", "--child", (char *)scenario, NULL};
        execve("/proc/self/exe", argv, (char *const *)envp);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    t_read_all(out[0], r->out, sizeof(r->out));
    t_read_all(err[0], r->err, sizeof(r->err));
    close(out[0]);
    close(err[0]);
    waitpid(pid, &r->status, 0);
}

#define assert_has(text, want)                                                                     \
    do {                                                                                           \
        if (!strstr((text), (want)))                                                               \
            fail_msg("expected '%s' in: %s", (want), (text));                                      \
    } while (0)

static bool exited_0(const child_result_t *r)
{
    return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

static void bad_free_report_logs_ignores_and_goes_on(void **state)
{
    (void)state;
    static child_result_t r;
    const char *env[] = {"ZSLAB_BAD_FREE=report", NULL};
    run_child("double-free", env, &r);
    if (!exited_0(&r))
        fail_msg("status 0x%x, stderr: %s", r.status, r.err);
    assert_has(r.err, "double free: the 32-byte object is not allocated");
    assert_has(r.out, "went on after the double free");
}

static void bad_free_aborts_without_the_variable(void **state)
{
    (void)state;
    static child_result_t r;
    run_child("double-free", NULL, &r);
    assert_true(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT);
    assert_has(r.err, "zslab: zslab_free(0x");
    assert_has(r.err, "double free");
    assert_true(strstr(r.out, "went on") == NULL);
}

static void zslab_stats_prints_the_counters_at_exit(void **state)
{
    (void)state;
    static child_result_t r;
    const char *env[] = {"ZSLAB_STATS=1", NULL};
    run_child("allocate", env, &r);
    assert_true(exited_0(&r));
    assert_has(r.err, "zslab-malloc: counters of pid");
    assert_has(r.err, "(unit-malloc)");
    assert_has(r.err, "alloc_calls: ");
    assert_has(r.err, "large_allocs: 1\n");
    assert_has(r.err, "shim_calloc_calls: 1\n");
    assert_has(r.err, "shim_realloc_in_place: 1\n");
    assert_has(r.err, "class 48 B: alloc_calls ");
    run_child("allocate", NULL, &r);
    assert_true(exited_0(&r));
    assert_true(strstr(r.err, "counters") == NULL); /* off by default */
}

static void zslab_stats_file_appends_there(void **state)
{
    (void)state;
    static child_result_t r;
    char path[] = "/tmp/zslab-stats-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char var[64];
    snprintf(var, sizeof(var), "ZSLAB_STATS_FILE=%s", path);
    const char *env[] = {"ZSLAB_STATS=1", var, NULL};
    run_child("allocate", env, &r);
    run_child("allocate", env, &r);
    assert_true(exited_0(&r));
    assert_true(strstr(r.err, "counters") == NULL);
    static char text[OUTPUT_BYTES];
    fd = open(path, O_RDONLY);
    t_read_all(fd, text, sizeof(text));
    close(fd);
    unlink(path);
    char *second = strstr(text, "counters of pid");
    assert_non_null(second);
    assert_non_null(strstr(second + 1, "counters of pid")); /* two runs, two blocks */
}

static void a_bad_value_is_named_and_the_default_used(void **state)
{
    (void)state;
    static child_result_t r;
    const char *env[] = {"ZSLAB_PREFAULT=sometimes", "ZSLAB_CHUNK_BYTES=2X", NULL};
    run_child("allocate", env, &r);
    assert_true(exited_0(&r));
    assert_has(r.err, "zslab-malloc: ZSLAB_PREFAULT='sometimes': must be none, chunk or ahead; "
                      "the default (ahead) is used");
    assert_has(r.err, "zslab-malloc: ZSLAB_CHUNK_BYTES='2X': must be a number");
    const char *refused[] = {"ZSLAB_SLAB_BYTES=48K", "ZSLAB_BAD_FREE=report", NULL};
    run_child("double-free", refused, &r);
    assert_true(exited_0(&r)); /* ZSLAB_BAD_FREE kept */
    assert_has(r.err, "config slab_bytes = 49152: must be a power of two");
    assert_has(r.err, "its defaults are used");
    const char *good[] = {
        "ZSLAB_CHUNK_BYTES=4M", "ZSLAB_SLAB_BYTES=128K", "ZSLAB_CLASS_CACHE_SLABS=0",
        "ZSLAB_PREFAULT=chunk", "ZSLAB_STATS=1",         NULL};
    run_child("allocate", good, &r);
    assert_true(exited_0(&r));
    assert_true(strstr(r.err, "zslab-malloc: ZSLAB_") == NULL);
    assert_has(r.err, "cache_pushes: 0\n");
}

static void malloc_stats_prints_the_counters(void **state)
{
    (void)state;
    static child_result_t r;
    run_child("malloc-stats", NULL, &r);
    assert_true(exited_0(&r));
    assert_has(r.err, "zslab-malloc: counters of pid");
    assert_has(r.err, "bytes_in_use: ");
}

/* ---- the child's side ------------------------------------------------------ */
int interpose_child_main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "--child") != 0) {
        fprintf(stderr, "usage: unit-malloc [--child double-free|allocate|malloc-stats]\n");
        return 2;
    }
    const char *what = argv[2];
    if (strcmp(what, "double-free") == 0) {
        void *volatile p = malloc(32);
        free(p);
        free(p);
        printf("went on after the double free\n");
        return 0;
    }
    if (strcmp(what, "allocate") == 0 || strcmp(what, "malloc-stats") == 0) {
        void *volatile small = malloc(40);
        void *volatile large = malloc(LARGE_BYTES);
        void *volatile zeroed = calloc(3, 5);
        small = realloc(small, 41);
        free(zeroed);
        free(large);
        free(small);
        if (strcmp(what, "malloc-stats") == 0)
            malloc_stats();
        return 0;
    }
    fprintf(stderr, "unit-malloc: unknown child scenario '%s'\n", what);
    return 2;
}

int run_interpose_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_name_resolves_to_the_library),
        cmocka_unit_test(the_loaders_tls_blocks_come_and_go_through_the_library),
        cmocka_unit_test(fork_from_a_threaded_parent_leaves_the_child_a_working_malloc),
        cmocka_unit_test(memory_outlives_the_thread_that_allocated_it),
        cmocka_unit_test(bad_free_report_logs_ignores_and_goes_on),
        cmocka_unit_test(bad_free_aborts_without_the_variable),
        cmocka_unit_test(zslab_stats_prints_the_counters_at_exit),
        cmocka_unit_test(zslab_stats_file_appends_there),
        cmocka_unit_test(a_bad_value_is_named_and_the_default_used),
        cmocka_unit_test(malloc_stats_prints_the_counters),
    };
    return cmocka_run_group_tests_name("interpose", tests, NULL, NULL);
}
