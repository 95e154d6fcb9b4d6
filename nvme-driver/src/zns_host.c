/* SPDX-License-Identifier: MIT */
/*
 * zns_host.c - how many bytes the host kernel maps into one passthrough
 * command.
 *
 * Linux maps a passthrough buffer in place, page by page, and refuses with
 * EINVAL a buffer that needs more segments than the queue's max_segments: 127
 * for NVMe over PCIe (NVME_MAX_SEGS, Linux 6.1).  Physically adjacent pages
 * merge into one segment, so a 512 KiB (128-page) command at the MDTS works
 * or fails by chance (measured in the lab).  The driver therefore caps every
 * command at max_segments - 1 pages, which fits a buffer of any alignment.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zns_internal.h"

#define LINUX_NVME_MAX_SEGS  127u /* when the queue cannot be read: a char-only ngXnY */
#define KIB                  1024u
#define FALLBACK_PAGE_BYTES  4096u
#define SYSFS_PATH_MAX_BYTES 256u

/* The number in a one-line sysfs file; false when it cannot be read. */
static bool read_sysfs_u32(const char *path, uint32_t *out)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    unsigned long v = 0;
    bool ok = fscanf(f, "%lu", &v) == 1 && v > 0 && v <= UINT32_MAX;
    fclose(f);
    if (ok)
        *out = (uint32_t)v;
    return ok;
}

/*
 * The block device whose queue carries the limits: the node itself, or for
 * the generic char device ngXnY the namespace's block device nvmeXnY (same
 * queue), when Linux created one.
 */
static bool queue_name(int fd, char *name, size_t len)
{
    struct stat st;
    char link[SYSFS_PATH_MAX_BYTES], target[PATH_MAX];
    if (fstat(fd, &st) != 0 || (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)))
        return false;
    snprintf(link, sizeof(link), "/sys/dev/%s/%u:%u", S_ISBLK(st.st_mode) ? "block" : "char",
             major(st.st_rdev), minor(st.st_rdev));
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    if (S_ISBLK(st.st_mode))
        return (size_t)snprintf(name, len, "%s", base) < len;
    if (strncmp(base, "ng", 2) != 0)
        return false;
    return (size_t)snprintf(name, len, "nvme%s", base + 2) < len;
}

uint32_t _zns_host_max_io_bytes(int fd)
{
    uint32_t segs = LINUX_NVME_MAX_SEGS, hw_kib = 0;
    char name[SYSFS_PATH_MAX_BYTES / 2], path[SYSFS_PATH_MAX_BYTES];
    if (queue_name(fd, name, sizeof(name))) {
        snprintf(path, sizeof(path), "/sys/block/%s/queue/max_segments", name);
        if (!read_sysfs_u32(path, &segs))
            segs = LINUX_NVME_MAX_SEGS;
        snprintf(path, sizeof(path), "/sys/block/%s/queue/max_hw_sectors_kb", name);
        if (!read_sysfs_u32(path, &hw_kib))
            hw_kib = 0;
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t bytes =
        (uint64_t)(segs > 1 ? segs - 1 : 1) * (page > 0 ? (uint64_t)page : FALLBACK_PAGE_BYTES);
    if (hw_kib && (uint64_t)hw_kib * KIB < bytes)
        bytes = (uint64_t)hw_kib * KIB;
    return bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}
