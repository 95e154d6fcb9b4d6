/* SPDX-License-Identifier: MIT */
/*
 * zns_store_aio.c - append_start/append_wait for the store on the real device:
 * zns_zdev_ops with each tag's appends done by a thread of its own, so that
 * `zns store` fills its next slab while the last one is in flight (the
 * driver's append is a synchronous passthrough ioctl).  A tag's thread is
 * started at its first append and lives until store_aio_fini().
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "zns.h"
#include "zns_store.h"

struct aio_tag {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    bool running, queued, done, quit;
    void *dev;
    uint64_t zslba;
    const void *buf;
    size_t len;
    uint64_t lba;
    int err;
};

static struct aio_tag tags[ZSLAB_ZDEV_ASYNC_TAGS];
static struct zslab_zdev_ops aio_ops;

static void *tag_thread(void *arg)
{
    struct aio_tag *t = arg;
    pthread_mutex_lock(&t->lock);
    for (;;) {
        while (!t->queued && !t->quit)
            pthread_cond_wait(&t->cond, &t->lock);
        if (t->quit)
            break;
        t->queued = false;
        pthread_mutex_unlock(&t->lock);
        uint64_t lba = 0;
        int err = zns_zdev_ops.append(t->dev, t->zslba, t->buf, t->len, &lba);
        pthread_mutex_lock(&t->lock);
        t->lba = lba;
        t->err = err;
        t->done = true;
        pthread_cond_broadcast(&t->cond);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static int aio_start(void *dev, uint64_t zone_start_lba, const void *buf, size_t len_bytes,
                     uint32_t tag)
{
    if (tag >= ZSLAB_ZDEV_ASYNC_TAGS)
        return -EINVAL;
    struct aio_tag *t = &tags[tag];
    pthread_mutex_lock(&t->lock);
    int err = 0;
    if (t->queued) {
        err = -EBUSY; /* started twice without a wait: the caller's bug */
    } else if (!t->running) {
        err = -pthread_create(&t->thread, NULL, tag_thread, t);
        t->running = err == 0;
    }
    if (!err) {
        t->dev = dev;
        t->zslba = zone_start_lba;
        t->buf = buf;
        t->len = len_bytes;
        t->done = false;
        t->queued = true;
        pthread_cond_broadcast(&t->cond);
    }
    pthread_mutex_unlock(&t->lock);
    return err; /* no thread: the store appends synchronously instead */
}

static int aio_wait(void *dev, uint32_t tag, uint64_t *out_lba)
{
    (void)dev;
    if (tag >= ZSLAB_ZDEV_ASYNC_TAGS || !tags[tag].running)
        return -EINVAL;
    struct aio_tag *t = &tags[tag];
    pthread_mutex_lock(&t->lock);
    while (!t->done)
        pthread_cond_wait(&t->cond, &t->lock);
    t->done = false;
    int err = t->err;
    if (out_lba)
        *out_lba = t->lba;
    pthread_mutex_unlock(&t->lock);
    return err;
}

const struct zslab_zdev_ops *store_aio_ops(void)
{
    aio_ops = zns_zdev_ops;
    aio_ops.append_start = aio_start;
    aio_ops.append_wait = aio_wait;
    for (unsigned i = 0; i < ZSLAB_ZDEV_ASYNC_TAGS; i++) {
        struct aio_tag *t = &tags[i];
        memset(t, 0, sizeof(*t));
        pthread_mutex_init(&t->lock, NULL);
        pthread_cond_init(&t->cond, NULL);
    }
    return &aio_ops;
}

void store_aio_fini(void)
{
    for (unsigned i = 0; i < ZSLAB_ZDEV_ASYNC_TAGS; i++) {
        struct aio_tag *t = &tags[i];
        if (!t->running)
            continue;
        pthread_mutex_lock(&t->lock);
        t->quit = true;
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->thread, NULL);
        t->running = false;
    }
}
