/* SPDX-License-Identifier: MIT */
/*
 * spawn.c - one measurement: the measuring program anchor-<allocator> runs
 * as its own process (in its own process group, under a timeout), its
 * stdout lines are filed in the store, and for the footprint kind strace
 * counts its memory syscalls between the program's phase markers.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

#define MAX_ARGS        40
#define READ_CHUNK      65536
#define MS_PER_SEC      1000
#define NS_PER_MS       1000000L
#define LINE_BYTES      4096
#define STRACE_FILTER   "trace=%memory,write"
#define EXIT_EXEC_FAILS 127

struct output {
    char *buf;
    size_t len, cap;
};

static void append(struct output *o, const char *data, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : READ_CHUNK;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->buf, cap);
        if (!p) {
            fprintf(stderr, "zslab-anchors: out of memory\n");
            exit(1);
        }
        o->buf = p;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * MS_PER_SEC + ts.tv_nsec / NS_PER_MS;
}

/* The argument vector of one measurement; strings live in @space. */
static void build_argv(const struct config *cfg, int kind, int alloc, const char *strace_log,
                       char *argv[MAX_ARGS], char space[][64], char *program, size_t program_size)
{
    const struct kind *k = &kinds[kind];
    int n = 0, sp = 0;
    snprintf(program, program_size, "%s/" ANCHORS_PROGRAM_PREFIX "%s", cfg->bin_dir,
             allocator_names[alloc]);
    if (strace_log) {
        argv[n++] = "strace";
        argv[n++] = "-f";
        argv[n++] = "-qq";
        argv[n++] = "-C";
        argv[n++] = "-e";
        argv[n++] = STRACE_FILTER;
        argv[n++] = "-o";
        argv[n++] = (char *)strace_log;
    }
    argv[n++] = program;
    argv[n++] = "--workload";
    argv[n++] = (char *)k->workload;
    argv[n++] = "--mode";
    argv[n++] = (char *)k->mode;
#define NUMBER_ARG(flag, value)                                                                    \
    do {                                                                                           \
        argv[n++] = flag;                                                                          \
        snprintf(space[sp], sizeof(space[sp]), "%lu", (unsigned long)(value));                     \
        argv[n++] = space[sp++];                                                                   \
    } while (0)
    NUMBER_ARG("--objects", cfg->objects);
    NUMBER_ARG("--pairs", cfg->pairs);
    NUMBER_ARG("--live", cfg->live);
    NUMBER_ARG("--threads", k->threads);
    NUMBER_ARG("--seed", cfg->seed);
#undef NUMBER_ARG
    if (cfg->sized)
        argv[n++] = "--sized";
    argv[n] = NULL;
}

/* Reads the child's stdout until EOF or the deadline; false on timeout. */
static bool read_output(int fd, long deadline_ms, struct output *o)
{
    char chunk[READ_CHUNK];
    for (;;) {
        long left = deadline_ms - now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0)
            return false;
        int rc = poll(&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return false;
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return true;
        append(o, chunk, (size_t)n);
    }
}

/* Files "metric KEY VALUE" and "info KEY TEXT" lines; false on any other. */
static bool parse_output(char *buf, struct store *s, int kind, int alloc, int run, char *why,
                         size_t why_size)
{
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char key[LINE_BYTES];
        double v;
        int used = 0;
        if (sscanf(line, "metric %4095s %lf", key, &v) == 2) {
            store_metric(s, kind, alloc, run, key, v);
        } else if (sscanf(line, "info %4095s %n", key, &used) == 1 && used > 0) {
            store_info(s, kind, alloc, key, line + used);
            if (!strcmp(key, "served") && strncmp(line + used, "ok", 2)) {
                snprintf(why, why_size, "not served by the allocator: %s", line + used);
                return false;
            }
        } else {
            snprintf(why, why_size, "unexpected output line '%.200s'", line);
            return false;
        }
    }
    return true;
}

enum phase { PHASE_BEFORE, PHASE_WORKLOAD, PHASE_TRIM, PHASE_AFTER };

/* A syscall line of strace -f: "PID name(args) = result"; returns the name's
 * length (0 for a resumed call, a signal or anything else). */
static size_t syscall_name(const char *line, const char **name)
{
    const char *p = line;
    while (isdigit((unsigned char)*p))
        p++;
    while (*p == ' ')
        p++;
    const char *start = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    if (p == start || *p != '(')
        return 0;
    *name = start;
    return (size_t)(p - start);
}

static bool is_write(const char *name, size_t len)
{
    return len == 5 && !strncmp(name, "write", 5);
}

/* The -C summary's row "pct seconds usecs/call calls [errors] name". */
static void summary_row(const char *line, double *total)
{
    double pct, secs, usecs, calls;
    const char *name = strrchr(line, ' ');
    if (sscanf(line, "%lf %lf %lf %lf", &pct, &secs, &usecs, &calls) != 4 || !name)
        return;
    name++;
    if (strncmp(name, "total", 5) && !is_write(name, strcspn(name, "\n")))
        *total += calls;
}

static bool parse_strace(const char *path, struct store *s, int kind, int alloc, int run, char *why,
                         size_t why_size)
{
    FILE *f = fopen(path, "r");
    char line[LINE_BYTES];
    enum phase phase = PHASE_BEFORE;
    double count[PHASE_AFTER + 1] = {0}, process_total = 0;
    bool summary = false;
    if (!f) {
        snprintf(why, why_size, "no strace log %.300s: %s", path, strerror(errno));
        return false;
    }
    while (fgets(line, sizeof(line), f)) {
        const char *name, *mark = strstr(line, "\"" ANCHORS_MARK_PREFIX);
        size_t len;
        if (mark) {
            mark += strlen("\"" ANCHORS_MARK_PREFIX);
            if (!strncmp(mark, ANCHORS_MARK_BEGIN, strlen(ANCHORS_MARK_BEGIN)))
                phase = PHASE_WORKLOAD;
            else if (!strncmp(mark, ANCHORS_MARK_FREED, strlen(ANCHORS_MARK_FREED)))
                phase = PHASE_TRIM;
            else if (!strncmp(mark, ANCHORS_MARK_TRIMMED, strlen(ANCHORS_MARK_TRIMMED)))
                phase = PHASE_AFTER;
        } else if (!strncmp(line, "% time", 6)) {
            summary = true;
        } else if (summary) {
            summary_row(line, &process_total);
        } else if ((len = syscall_name(line, &name)) && !is_write(name, len)) {
            count[phase]++;
            if (phase == PHASE_WORKLOAD) {
                char key[TEXT_BYTES];
                double old = 0;
                snprintf(key, sizeof(key), "syscalls.workload.%.*s", (int)len, name);
                store_value(s, kind, alloc, run, key, &old);
                store_metric(s, kind, alloc, run, key, old + 1);
            }
        }
    }
    fclose(f);
    if (phase != PHASE_AFTER) {
        snprintf(why, why_size, "strace log %.300s lacks the phase markers", path);
        return false;
    }
    store_metric(s, kind, alloc, run, "syscalls.workload", count[PHASE_WORKLOAD]);
    store_metric(s, kind, alloc, run, "syscalls.trim", count[PHASE_TRIM]);
    store_metric(s, kind, alloc, run, "syscalls.process", process_total);
    return true;
}

static pid_t start_child(char *const argv[], int out_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out_fd, STDOUT_FILENO);
        close(out_fd);
        execvp(argv[0], argv);
        fprintf(stderr, "zslab-anchors: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(EXIT_EXEC_FAILS);
    }
    if (pid > 0)
        setpgid(pid, pid); /* also here: the kill below must find the group */
    return pid;
}

/* Waits for the child; on timeout ends its process group (ours alone). */
static bool finish_child(pid_t pid, bool timed_out, char *why, size_t why_size)
{
    int status;
    if (timed_out)
        kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out) {
        snprintf(why, why_size, "timed out, killed");
        return false;
    }
    if (WIFSIGNALED(status)) {
        snprintf(why, why_size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        return false;
    }
    if (WEXITSTATUS(status) != 0) {
        snprintf(why, why_size, "exit status %d (its message is above)", WEXITSTATUS(status));
        return false;
    }
    return true;
}

bool spawn_measurement(const struct config *cfg, struct store *s, int kind, int alloc, int run)
{
    char *argv[MAX_ARGS], space[8][64], program[PATH_BYTES], log[PATH_BYTES], why[TEXT_BYTES];
    const char *strace_log = NULL;
    struct output out = {0};
    int fds[2];
    bool ok;
    if ((kinds[kind].flags & KIND_STRACE) && cfg->strace) {
        snprintf(log, sizeof(log), "%s/anchors-logs/strace-%s-%s-run%d.log", cfg->out_dir,
                 kinds[kind].id, allocator_names[alloc], run + 1);
        strace_log = log;
    }
    build_argv(cfg, kind, alloc, strace_log, argv, space, program, sizeof(program));
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
        store_failure(s, kind, alloc, run, why);
        return false;
    }
    pid_t pid = start_child(argv, fds[1]);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(why, sizeof(why), "fork: %s", strerror(errno));
        store_failure(s, kind, alloc, run, why);
        return false;
    }
    bool done = read_output(fds[0], now_ms() + (long)cfg->timeout_s * MS_PER_SEC, &out);
    close(fds[0]);
    ok = finish_child(pid, !done, why, sizeof(why));
    if (ok && !out.buf) {
        snprintf(why, sizeof(why), "printed nothing");
        ok = false;
    }
    if (ok)
        ok = parse_output(out.buf, s, kind, alloc, run, why, sizeof(why));
    if (ok && strace_log)
        ok = parse_strace(strace_log, s, kind, alloc, run, why, sizeof(why));
    if (!ok)
        store_failure(s, kind, alloc, run, why);
    free(out.buf);
    return ok;
}
