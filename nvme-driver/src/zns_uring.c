/* SPDX-License-Identifier: MIT */
/*
 * zns_uring.c - Zone Append that does not block its caller: NVMe passthrough
 * through io_uring (liburing) on the namespace's generic char device
 * /dev/ngXnY, as fio's io_uring_cmd engine does.
 *
 * The ring has 128-byte SQEs (IORING_SETUP_SQE128: the NVMe command rides in
 * the SQE) and 32-byte CQEs (IORING_SETUP_CQE32: the command's result, the
 * LBA the device chose, comes back in big_cqe[0]).  The CQE's res is 0, a
 * negated errno, or the NVMe status as the kernel passes it (with the DNR
 * and More bits), decoded exactly as the ioctl path's statuses are.
 *
 * No helper thread: the caller's thread submits, and whoever waits for a tag
 * reaps completions.  Submitting and reaping each have a lock of their own,
 * so one thread may queue an append while another sleeps in the kernel for a
 * completion (liburing's SQ and CQ sides are independent); completions for
 * other tags met while waiting are kept for their waiters.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libnvme.h>
#include <liburing.h>
#include <linux/nvme_ioctl.h>

#include "zns_internal.h"

#define ZNS_OP_FLUSH           0x00u                 /* NVM command set: Flush */
#define ZNS_OP_ZONE_APPEND     0x7du                 /* ZNS command set: Zone Append */
#define ZNS_URING_DEPTH        (2u * ZNS_ASYNC_TAGS) /* SQ entries; the CQ gets twice that */
#define ZNS_PROBE_TAG          ZNS_ASYNC_TAGS        /* user_data of zns_async_open()'s probe */
#define ZNS_PATH_BYTES         64u
#define ZNS_SYSFS_TARGET_BYTES 256u
#define ZNS_NS_TIMEOUT_MS      0u /* the kernel's default I/O timeout, as libnvme's ioctls */

struct zns_async_tag {
    bool started; /* queued, not yet waited for */
    bool done;    /* its completion was reaped */
    int err;
    uint64_t lba;
};

struct zns_async {
    struct io_uring ring;
    int fd; /* the char device: the namespace's own fd, or one opened for it */
    bool own_fd;
    pthread_mutex_t sq_lock;  /* io_uring_get_sqe() + io_uring_submit() */
    pthread_mutex_t cq_lock;  /* reaping: held by the one thread waiting in the kernel */
    pthread_mutex_t tag_lock; /* tags[]; held only for a moment */
    struct zns_async_tag tags[ZNS_ASYNC_TAGS];
    char path[ZNS_PATH_BYTES];
};

void _zns_uring_encode_append(struct nvme_uring_cmd *cmd, const struct zns_geometry *geo,
                              uint64_t zone_start_lba, const void *buf, size_t len_bytes)
{
    memset(cmd, 0, sizeof(*cmd));
    cmd->opcode = ZNS_OP_ZONE_APPEND;
    cmd->nsid = geo->nsid;
    cmd->addr = (uint64_t)(uintptr_t)buf;
    cmd->data_len = (uint32_t)len_bytes;
    cmd->cdw10 = (uint32_t)zone_start_lba;
    cmd->cdw11 = (uint32_t)(zone_start_lba >> 32);
    cmd->cdw12 = (uint32_t)(len_bytes / geo->lba_bytes - 1); /* NLB, 0-based */
    cmd->timeout_ms = ZNS_NS_TIMEOUT_MS;
}

int _zns_uring_status(int res)
{
    if (res < 0)
        return res;
    return res & (int)ZNS_STATUS_MASK; /* without DNR and More, as _zns_dev_status() */
}

static void say(char *why, size_t why_bytes, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t why_bytes, const char *fmt, ...)
{
    if (!why || !why_bytes)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_bytes, fmt, ap);
    va_end(ap);
}

/*
 * The generic char device of the namespace: @dev->fd itself, or for a block
 * device nvmeXnY the char device ngXnY of the same namespace (io_uring
 * passthrough exists only on the char device).  Return: 0, or -errno.
 */
static int char_device(const struct zns_dev *dev, struct zns_async *a, char *why, size_t why_bytes)
{
    struct stat st;
    if (fstat(dev->fd, &st) != 0)
        return -errno;
    char link[ZNS_PATH_BYTES], target[ZNS_SYSFS_TARGET_BYTES];
    snprintf(link, sizeof(link), "/sys/dev/%s/%u:%u", S_ISCHR(st.st_mode) ? "char" : "block",
             major(st.st_rdev), minor(st.st_rdev));
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (S_ISCHR(st.st_mode)) {
        /* another char device may take uring commands too (/dev/null does,
         * since Linux 6.0): only the nvme-generic node ngXnY is the namespace */
        target[n > 0 ? n : 0] = '\0';
        const char *name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
        if (strncmp(name, "ng", 2) != 0) {
            say(why, why_bytes,
                "io_uring NVMe passthrough needs the namespace's char device ngXnY; %s%s is "
                "not one",
                n > 0 ? "/dev/" : "", n > 0 ? name : "this node");
            return -ENODEV;
        }
        if ((size_t)snprintf(a->path, sizeof(a->path), "/dev/%s", name) >= sizeof(a->path))
            return -ENAMETOOLONG;
        a->fd = dev->fd;
        return 0;
    }
    if (n <= 0) {
        say(why, why_bytes, "io_uring passthrough needs the char device: %s: %s", link,
            strerror(errno));
        return -ENODEV;
    }
    target[n] = '\0';
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    if (strncmp(base, "nvme", 4) != 0 ||
        (size_t)snprintf(a->path, sizeof(a->path), "/dev/ng%s", base + 4) >= sizeof(a->path)) {
        say(why, why_bytes,
            "io_uring passthrough needs the char device; %s is not an nvme block "
            "device",
            base);
        return -ENODEV;
    }
    a->fd = open(a->path, O_RDWR | O_CLOEXEC);
    __u32 nsid = 0;
    if (a->fd < 0 || nvme_get_nsid(a->fd, &nsid) != 0 || nsid != dev->geo.nsid) {
        int err = a->fd < 0 ? errno : ENODEV;
        say(why, why_bytes, "io_uring passthrough needs the char device: %s: %s", a->path,
            a->fd < 0 ? strerror(err) : "not the same namespace");
        if (a->fd >= 0)
            close(a->fd);
        return -err;
    }
    a->own_fd = true;
    return 0;
}

/* One NVMe Flush through the ring, waited for: proves that the kernel takes
 * NVMe passthrough commands on this node.  Return: 0 or -errno. */
static int probe(struct zns_async *a, uint32_t nsid)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&a->ring);
    if (!sqe)
        return -EBUSY;
    memset(sqe, 0, 2 * sizeof(*sqe)); /* a 128-byte SQE */
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = a->fd;
    sqe->cmd_op = NVME_URING_CMD_IO;
    sqe->user_data = ZNS_PROBE_TAG;
    struct nvme_uring_cmd *cmd = (struct nvme_uring_cmd *)(void *)sqe->cmd;
    cmd->opcode = ZNS_OP_FLUSH;
    cmd->nsid = nsid;
    int err = io_uring_submit(&a->ring);
    if (err < 0)
        return err;
    struct io_uring_cqe *cqe = NULL;
    do
        err = io_uring_wait_cqe(&a->ring, &cqe);
    while (err == -EINTR);
    if (err < 0)
        return err;
    int res = cqe->res;
    io_uring_cqe_seen(&a->ring, cqe);
    return res < 0 ? res : 0; /* an NVMe status still came through the ring */
}

static void free_async(struct zns_async *a, bool ring_up)
{
    if (ring_up)
        io_uring_queue_exit(&a->ring);
    if (a->own_fd)
        close(a->fd);
    pthread_mutex_destroy(&a->sq_lock);
    pthread_mutex_destroy(&a->cq_lock);
    pthread_mutex_destroy(&a->tag_lock);
    free(a);
}

int zns_async_open(struct zns_dev *dev, char *why, size_t why_bytes)
{
    if (!dev || dev->fd < 0 || dev->async)
        return -EINVAL;
    struct zns_async *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    pthread_mutex_init(&a->sq_lock, NULL);
    pthread_mutex_init(&a->cq_lock, NULL);
    pthread_mutex_init(&a->tag_lock, NULL);
    a->fd = -1;
    int err = char_device(dev, a, why, why_bytes);
    if (err) {
        free_async(a, false);
        return err;
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
    err = io_uring_queue_init_params(ZNS_URING_DEPTH, &a->ring, &p);
    if (err) {
        say(why, why_bytes, "io_uring with 128-byte SQEs is not available: %s", strerror(-err));
        free_async(a, false);
        return err;
    }
    err = probe(a, dev->geo.nsid);
    if (err) {
        say(why, why_bytes, "io_uring NVMe passthrough refused on %s: %s", a->path, strerror(-err));
        free_async(a, true);
        return err;
    }
    say(why, why_bytes, "io_uring NVMe passthrough on %s", a->path);
    dev->async = a;
    return 0;
}

void zns_async_close(struct zns_dev *dev)
{
    if (!dev || !dev->async)
        return;
    free_async(dev->async, true);
    dev->async = NULL;
}

int zns_append_start(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                     size_t len_bytes, uint32_t tag)
{
    if (!dev || !buf || tag >= ZNS_ASYNC_TAGS)
        return -EINVAL;
    struct zns_async *a = dev->async;
    if (!a)
        return -EOPNOTSUPP;
    int err = dev->skip_checks ? _zns_check_nlb_field(&dev->geo, len_bytes)
                               : _zns_check_append(&dev->geo, zone_start_lba, len_bytes);
    if (err)
        return err;
    pthread_mutex_lock(&a->tag_lock);
    bool twice = a->tags[tag].started;
    if (!twice) {
        a->tags[tag].started = true;
        a->tags[tag].done = false;
    }
    pthread_mutex_unlock(&a->tag_lock);
    if (twice)
        return -EBUSY;

    pthread_mutex_lock(&a->sq_lock);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&a->ring);
    if (sqe) {
        memset(sqe, 0, 2 * sizeof(*sqe)); /* a 128-byte SQE */
        sqe->opcode = IORING_OP_URING_CMD;
        sqe->fd = a->fd;
        sqe->cmd_op = NVME_URING_CMD_IO;
        sqe->user_data = tag;
        _zns_uring_encode_append((struct nvme_uring_cmd *)(void *)sqe->cmd, &dev->geo,
                                 zone_start_lba, buf, len_bytes);
        do
            err = io_uring_submit(&a->ring);
        while (err == -EINTR);
    } else {
        err = -EBUSY; /* never: the SQ has a slot for every tag, twice over */
    }
    pthread_mutex_unlock(&a->sq_lock);
    if (err >= 1)
        return 0;
    pthread_mutex_lock(&a->tag_lock);
    a->tags[tag].started = false;
    pthread_mutex_unlock(&a->tag_lock);
    return err < 0 ? err : -EIO;
}

/* Whether @tag's completion was reaped; its result then, and the tag freed.
 * Return: true when done; *@err is -EINVAL for a tag not started. */
static bool tag_done(struct zns_async *a, uint32_t tag, int *err, uint64_t *out_lba)
{
    pthread_mutex_lock(&a->tag_lock);
    struct zns_async_tag *t = &a->tags[tag];
    bool done = !t->started || t->done;
    if (!t->started) {
        *err = -EINVAL;
    } else if (t->done) {
        *err = t->err;
        if (!t->err && out_lba)
            *out_lba = t->lba;
        t->started = false;
        t->done = false;
    }
    pthread_mutex_unlock(&a->tag_lock);
    return done;
}

/* One completion, for any tag, kept in tags[].  cq_lock held. */
static int reap_one(struct zns_async *a)
{
    struct io_uring_cqe *cqe = NULL;
    int err;
    do
        err = io_uring_wait_cqe(&a->ring, &cqe);
    while (err == -EINTR || err == -EAGAIN);
    if (err < 0)
        return err;
    uint64_t t = cqe->user_data;
    pthread_mutex_lock(&a->tag_lock);
    if (t < ZNS_ASYNC_TAGS && a->tags[t].started && !a->tags[t].done) {
        a->tags[t].err = _zns_uring_status(cqe->res);
        a->tags[t].lba = cqe->big_cqe[0];
        a->tags[t].done = true;
    }
    pthread_mutex_unlock(&a->tag_lock);
    io_uring_cqe_seen(&a->ring, cqe);
    return 0;
}

int zns_append_wait(const struct zns_dev *dev, uint32_t tag, uint64_t *out_lba)
{
    if (!dev || tag >= ZNS_ASYNC_TAGS)
        return -EINVAL;
    struct zns_async *a = dev->async;
    if (!a)
        return -EOPNOTSUPP;
    int err = 0;
    pthread_mutex_lock(&a->cq_lock);
    while (!tag_done(a, tag, &err, out_lba)) {
        err = reap_one(a);
        if (err)
            break; /* the tag stays started: its buffer may still be the kernel's */
    }
    pthread_mutex_unlock(&a->cq_lock);
    return err;
}
