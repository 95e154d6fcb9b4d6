/* SPDX-License-Identifier: MIT */
/*
 * churn.c - threads that start and exit all the time: each of THREADS
 * threads frees the objects an earlier thread left behind (a remote free of
 * memory whose thread has gone), allocates its own batch, hands it on and
 * exits.  At most WINDOW threads run at once; thread i frees the batch of
 * thread i - WINDOW, which the main thread has joined before starting i, so
 * the counts below are the same on every run.
 * Usage: churn THREADS [OBJECTS-PER-THREAD]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW          16
#define STACK_BYTES     (256u << 10)
#define DEFAULT_OBJECTS 32
#define MAX_OBJECT      2048

typedef struct batch {
    unsigned owner;
    unsigned count;
    unsigned char **objects;
} batch_t;

typedef struct slot {
    pthread_t thread;
    unsigned index;
    batch_t *inherited; /* from thread index - WINDOW, already exited */
    batch_t *made;
    unsigned corrupt;
} slot_t;

static unsigned objects_per_thread = DEFAULT_OBJECTS;

static size_t size_of(unsigned owner, unsigned i)
{
    return 2 + (owner * 131u + i * 29u) % MAX_OBJECT; /* first byte owner, last index */
}

static void *run(void *arg)
{
    slot_t *s = arg;
    if (s->inherited) {
        batch_t *b = s->inherited;
        for (unsigned i = 0; i < b->count; i++) {
            size_t n = size_of(b->owner, i);
            if (b->objects[i][0] != (unsigned char)b->owner ||
                b->objects[i][n - 1] != (unsigned char)i)
                s->corrupt++;
            free(b->objects[i]);
        }
        free(b->objects);
        free(b);
    }
    batch_t *b = malloc(sizeof(*b));
    b->owner = s->index;
    b->count = objects_per_thread;
    b->objects = calloc(b->count, sizeof(*b->objects));
    for (unsigned i = 0; i < b->count; i++) {
        size_t n = size_of(s->index, i);
        b->objects[i] = malloc(n);
        memset(b->objects[i], (unsigned char)s->index, n);
        b->objects[i][n - 1] = (unsigned char)i;
    }
    s->made = b;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || atoi(argv[1]) < WINDOW) {
        fprintf(stderr, "usage: churn THREADS [OBJECTS-PER-THREAD] (THREADS >= %d)\n", WINDOW);
        return 2;
    }
    unsigned threads = (unsigned)atoi(argv[1]);
    if (argc == 3)
        objects_per_thread = (unsigned)atoi(argv[2]);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_BYTES);
    slot_t slots[WINDOW];
    memset(slots, 0, sizeof(slots));
    unsigned long remote = 0, corrupt = 0;
    for (unsigned i = 0; i < threads + WINDOW; i++) {
        slot_t *s = &slots[i % WINDOW];
        batch_t *left = NULL;
        if (i >= WINDOW) {
            pthread_join(s->thread, NULL);
            corrupt += s->corrupt;
            left = s->made;
        }
        if (i >= threads) {
            /* No thread left to start: main frees the last batches. */
            slot_t last = {.index = i, .inherited = left};
            run(&last);
            for (unsigned j = 0; j < last.made->count; j++)
                free(last.made->objects[j]);
            free(last.made->objects);
            free(last.made);
            corrupt += last.corrupt;
            remote += objects_per_thread;
            continue;
        }
        *s = (slot_t){.index = i, .inherited = left};
        remote += left ? objects_per_thread : 0;
        if (pthread_create(&s->thread, &attr, run, s) != 0) {
            perror("churn: pthread_create");
            return 1;
        }
    }
    printf(
        "threads %u, objects %lu, freed by another thread after theirs exited %lu, corrupt %lu\n",
        threads, (unsigned long)threads * objects_per_thread, remote, corrupt);
    return corrupt ? 1 : 0;
}
