/* SPDX-License-Identifier: MIT */
/*
 * forker.c - a threaded program that forks, for the preload suite and
 * bench-preload: worker threads allocate, fill, realloc and hand objects to
 * each other (so most frees are remote), while the main thread forks
 * children that allocate in turn.  A child that inherited a lock held by a
 * thread it lacks would hang: each has an alarm.
 *
 * The output is what the threads and children computed, the same on every
 * malloc and every schedule: checksums of the data, not of addresses.
 * Usage: forker THREADS ROUNDS FORKS
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS   16
#define RING_SLOTS    256
#define LIVE_OBJECTS  64
#define MAX_OBJECT    6000
#define CHILD_OBJECTS 2000
#define CHILD_SECONDS 20
#define USAGE         "usage: forker THREADS ROUNDS FORKS (THREADS 1..16)\n"

/* Objects in flight between threads: each starts with its size and a seed. */
typedef struct object {
    size_t bytes;
    uint32_t seed;
    unsigned char data[];
} object_t;

static object_t *ring[RING_SLOTS];
static unsigned ring_next;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long corrupt;

static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static object_t *make(uint32_t *rng)
{
    size_t bytes = 1 + next_random(rng) % MAX_OBJECT;
    object_t *o = malloc(sizeof(*o) + bytes);
    if (!o) {
        perror("forker: malloc");
        exit(1);
    }
    o->bytes = bytes;
    o->seed = next_random(rng);
    for (size_t i = 0; i < bytes; i++)
        o->data[i] = (unsigned char)(o->seed + i);
    return o;
}

static bool intact(const object_t *o)
{
    for (size_t i = 0; i < o->bytes; i++)
        if (o->data[i] != (unsigned char)(o->seed + i))
            return false;
    return true;
}

/* Frees an object some other thread made, after checking it. */
static void take_back(object_t *o)
{
    if (!intact(o)) {
        pthread_mutex_lock(&ring_lock);
        corrupt++;
        pthread_mutex_unlock(&ring_lock);
    }
    free(o);
}

typedef struct worker {
    pthread_t thread;
    unsigned index;
    unsigned rounds;
    uint64_t sum;
} worker_t;

static void *work(void *arg)
{
    worker_t *w = arg;
    uint32_t rng = 1 + w->index;
    object_t *live[LIVE_OBJECTS] = {0};
    for (unsigned r = 0; r < w->rounds; r++) {
        unsigned slot = next_random(&rng) % LIVE_OBJECTS;
        if (live[slot]) {
            w->sum += live[slot]->bytes + live[slot]->data[live[slot]->bytes - 1];
            /* Half go to the ring, where another thread frees them. */
            if (r % 2) {
                pthread_mutex_lock(&ring_lock);
                object_t *old = ring[ring_next % RING_SLOTS];
                ring[ring_next++ % RING_SLOTS] = live[slot];
                pthread_mutex_unlock(&ring_lock);
                if (old)
                    take_back(old);
            } else {
                size_t grown = live[slot]->bytes * 2;
                object_t *o = realloc(live[slot], sizeof(*o) + grown);
                if (!o) {
                    perror("forker: realloc");
                    exit(1);
                }
                w->sum += intact(o);
                free(o);
            }
        }
        live[slot] = make(&rng);
    }
    for (unsigned i = 0; i < LIVE_OBJECTS; i++) {
        if (live[i])
            w->sum += live[i]->bytes;
        free(live[i]);
    }
    return NULL;
}

/* In the child: allocate and free with the threads of the parent gone. */
static uint64_t child_work(unsigned index)
{
    alarm(CHILD_SECONDS);
    uint32_t rng = 1000 + index;
    object_t *objects[CHILD_OBJECTS];
    uint64_t sum = 0;
    for (unsigned i = 0; i < CHILD_OBJECTS; i++)
        objects[i] = make(&rng);
    for (unsigned i = 0; i < CHILD_OBJECTS; i++) {
        sum += objects[i]->bytes * intact(objects[i]);
        free(objects[i]);
    }
    return sum;
}

static int fork_children(unsigned forks)
{
    int failed = 0;
    for (unsigned i = 0; i < forks; i++) {
        int pipefd[2];
        if (pipe(pipefd) != 0) {
            perror("forker: pipe");
            return 1;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("forker: fork");
            return 1;
        }
        if (pid == 0) {
            uint64_t sum = child_work(i);
            _exit(write(pipefd[1], &sum, sizeof(sum)) == sizeof(sum) ? 0 : 1);
        }
        close(pipefd[1]);
        uint64_t sum = 0;
        ssize_t got = read(pipefd[0], &sum, sizeof(sum));
        close(pipefd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (got != sizeof(sum) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("child %u failed: status 0x%x\n", i, status);
            failed = 1;
        } else {
            printf("child %u: sum %llu\n", i, (unsigned long long)sum);
        }
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs(USAGE, stderr);
        return 2;
    }
    unsigned threads = (unsigned)atoi(argv[1]), rounds = (unsigned)atoi(argv[2]);
    unsigned forks = (unsigned)atoi(argv[3]);
    if (threads < 1 || threads > MAX_THREADS) {
        fputs(USAGE, stderr);
        return 2;
    }
    worker_t workers[MAX_THREADS];
    for (unsigned i = 0; i < threads; i++) {
        workers[i] = (worker_t){.index = i, .rounds = rounds, .sum = 0};
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            perror("forker: pthread_create");
            return 1;
        }
    }
    int failed = fork_children(forks);
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        printf("thread %u: sum %llu\n", i, (unsigned long long)workers[i].sum);
    }
    for (unsigned i = 0; i < RING_SLOTS; i++)
        if (ring[i])
            take_back(ring[i]);
    printf("corrupt objects: %lu\n", corrupt);
    return failed || corrupt ? 1 : 0;
}
