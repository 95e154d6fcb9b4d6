/* SPDX-License-Identifier: MIT */
/* common.c - helpers of the libzslab-malloc unit tests, and main(). */
#include "malloc_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_OUTPUT_BYTES 4096

#if ZSLAB_TEST_INTERPOSED
#include <malloc.h>
void free_sized(void *ptr, size_t size);
void free_aligned_sized(void *ptr, size_t align, size_t size);

static const t_api_t glibc_names = {
    .malloc = malloc,
    .calloc = calloc,
    .realloc = realloc,
    .reallocarray = reallocarray,
    .posix_memalign = posix_memalign,
    .aligned_alloc = aligned_alloc,
    .memalign = memalign,
    .valloc = valloc,
    .pvalloc = pvalloc,
    .usable_size = malloc_usable_size,
    .free = free,
    .free_sized = free_sized,
    .free_aligned_sized = free_aligned_sized,
    .trim = malloc_trim,
};
const t_api_t *volatile t_api = &glibc_names;
#else
zslab_t *t_instance(void)
{
    static zslab_t *z;
    if (!z)
        assert_int_equal(zslab_create(NULL, &z), ZSLAB_OK);
    return z;
}
#endif

void t_pointer_text(const void *p, char *buf, size_t size)
{
    snprintf(buf, size, "%p", p);
}

void t_read_all(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
}

void t_assert_aborts_with(const char *file, int line, t_child_fn fn, void *arg, ...)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        _fail(file, line);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        fn(arg);
        _exit(0); /* it did not abort */
    }
    close(pipefd[1]);
    char out[CHILD_OUTPUT_BYTES];
    t_read_all(pipefd[0], out, sizeof(out));
    close(pipefd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
        print_error("%s:%d: the child was not stopped by SIGABRT (status 0x%x); it said: %s\n",
                    file, line, status, out);
        _fail(file, line);
    }
    va_list ap;
    va_start(ap, arg);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL;) {
        if (!strstr(out, want)) {
            print_error("%s:%d: the child's message lacks '%s': %s\n", file, line, want, out);
            va_end(ap);
            _fail(file, line);
        }
    }
    va_end(ap);
}

int main(int argc, char **argv)
{
#if ZSLAB_TEST_INTERPOSED
    if (argc > 1)
        return interpose_child_main(argc, argv);
#else
    (void)argc;
    (void)argv;
#endif
    int failed = run_semantics_tests();
#if ZSLAB_TEST_INTERPOSED
    failed += run_interpose_tests();
#else
    failed += run_options_tests();
    failed += run_report_tests();
#endif
    return failed ? 1 : 0;
}
