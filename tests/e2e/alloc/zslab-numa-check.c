/* SPDX-License-Identifier: MIT */
/*
 * zslab-numa-check - where an instance's memory lands, for the NUMA
 * placement test (tests/e2e/200-numa-placement.bats, lab profile numa2).
 *
 * For each CPU named on the command line, a thread pinned to that CPU
 * allocates OBJECTS objects from one shared instance (prefault off, so no
 * page is backed by the allocating thread), and a second thread pinned to
 * the *first* CPU named writes them: the pages are backed by that thread's
 * faults, so they land on the allocating CPU's node only because the
 * instance bound the memory there (mbind), not by first touch.  Then
 * get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) names each page's node.  One line
 * per CPU:
 *
 *   cpu 1 node 1: 128 of 128 pages on node 1
 *
 * Exit status 0 when every page of every CPU is on that CPU's node, 1 when
 * not, 2 on a usage or system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "zslab/zslab.h"

#define OBJECTS   4096
#define OBJ_BYTES 128
#define PAGE      4096u
#define MAX_CPUS  64

struct job {
    zslab_t *z;
    int cpu;
    unsigned node; /* of the CPU, by getcpu */
    char **objs;
    int err;
};

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : errno;
}

static void *allocate(void *arg)
{
    struct job *j = arg;
    if ((j->err = pin(j->cpu)) != 0)
        return NULL;
    unsigned cpu = 0;
    getcpu(&cpu, &j->node);
    for (int i = 0; i < OBJECTS; i++) {
        j->objs[i] = zslab_alloc(j->z, OBJ_BYTES);
        if (!j->objs[i]) {
            j->err = ENOMEM;
            return NULL;
        }
    }
    return NULL;
}

static void *touch(void *arg)
{
    struct job *j = arg;
    if ((j->err = pin(j->cpu)) != 0)
        return NULL;
    for (int i = 0; i < OBJECTS; i++)
        memset(j->objs[i], 0x5a, OBJ_BYTES);
    return NULL;
}

static int run(void *(*fn)(void *), struct job *j)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, j) != 0)
        return errno;
    pthread_join(t, NULL);
    return j->err;
}

static int node_of(const void *addr)
{
    int node = -1;
    void *page = (void *)((uintptr_t)addr & ~(uintptr_t)(PAGE - 1));
    if (syscall(SYS_get_mempolicy, &node, NULL, 0UL, page,
                (unsigned long)(MPOL_F_NODE | MPOL_F_ADDR)) != 0)
        return -1;
    return node;
}

/* Pages of @objs and how many are on @node. */
static void count_pages(char **objs, unsigned node, int *pages, int *on_node)
{
    uintptr_t last = 0;
    *pages = *on_node = 0;
    for (int i = 0; i < OBJECTS; i++) {
        uintptr_t page = (uintptr_t)objs[i] & ~(uintptr_t)(PAGE - 1);
        if (page == last)
            continue;
        last = page;
        (*pages)++;
        *on_node += node_of(objs[i]) == (int)node;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_CPUS) {
        fprintf(stderr, "usage: zslab-numa-check CPU... (up to %d CPUs)\n", MAX_CPUS);
        return 2;
    }
    zslab_config_t cfg;
    zslab_config_default(&cfg);
    cfg.prefault = ZSLAB_PREFAULT_NONE;
    zslab_t *z;
    if (zslab_create(&cfg, &z) != ZSLAB_OK)
        return 2;
    int first_cpu = atoi(argv[1]), rc = 0;
    for (int a = 1; a < argc; a++) {
        struct job j = {z, atoi(argv[a]), 0, calloc(OBJECTS, sizeof(char *)), 0};
        struct job t = j;
        t.cpu = first_cpu;
        int err = j.objs ? run(allocate, &j) : ENOMEM;
        if (!err)
            err = run(touch, &t);
        if (err) {
            fprintf(stderr, "zslab-numa-check: cpu %d: %s\n", j.cpu, strerror(err));
            return 2;
        }
        int pages, on_node;
        count_pages(j.objs, j.node, &pages, &on_node);
        printf("cpu %d node %u: %d of %d pages on node %u\n", j.cpu, j.node, on_node, pages,
               j.node);
        if (on_node != pages)
            rc = 1;
        free(j.objs);
    }
    zslab_destroy(z);
    return rc;
}
