/* SPDX-License-Identifier: MIT */
/*
 * zns_data.c - reading the data of append/write and writing that of read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zns_data.h"

#define GROW_STEP_BYTES (1u << 20)

static bool is_std(const char *path)
{
    return !path || strcmp(path, "-") == 0;
}

/* Grows *buf (page-aligned) to @want bytes, keeping @used bytes. */
static int grow(void **buf, size_t used, size_t want)
{
    void *bigger = NULL;
    if (posix_memalign(&bigger, ZNS_DATA_ALIGN_BYTES, want ? want : 1) != 0)
        return -1;
    if (*buf)
        memcpy(bigger, *buf, used);
    free(*buf);
    *buf = bigger;
    return 0;
}

static int read_all(int fd, bool has_size, size_t want, void **buf, size_t *len, char *err,
                    size_t errlen)
{
    size_t cap = has_size ? want : 0, used = 0;
    if (has_size && grow(buf, 0, cap))
        return snprintf(err, errlen, "out of memory for %zu bytes", want), -1;
    for (;;) {
        if (!has_size && used == cap) {
            if (cap >= ZNS_DATA_MAX_BYTES)
                return snprintf(err, errlen, "input larger than %llu bytes",
                                (unsigned long long)ZNS_DATA_MAX_BYTES),
                       -1;
            if (grow(buf, used, cap + GROW_STEP_BYTES))
                return snprintf(err, errlen, "out of memory"), -1;
            cap += GROW_STEP_BYTES;
        }
        long n = zns_data_read_full(fd, (char *)*buf + used, cap - used, err, errlen);
        if (n < 0)
            return -1;
        used += (size_t)n;
        /* A sized read is done; an unsized one ends at the first short fill (EOF). */
        if (has_size || used < cap)
            break;
    }
    if (has_size && used < want)
        return snprintf(err, errlen, "input has only %zu bytes, -z asks for %zu", used, want), -1;
    if (!*buf && grow(buf, 0, 1))
        return snprintf(err, errlen, "out of memory"), -1;
    *len = used;
    return 0;
}

int zns_data_read(const char *path, bool has_size, uint64_t size_bytes, void **buf,
                  size_t *len_bytes, char *err, size_t errlen)
{
    *buf = NULL;
    *len_bytes = 0;
    if (has_size && size_bytes > ZNS_DATA_MAX_BYTES)
        return snprintf(err, errlen, "size %llu bytes is over the tool's limit of %llu",
                        (unsigned long long)size_bytes, (unsigned long long)ZNS_DATA_MAX_BYTES),
               -1;
    int fd = is_std(path) ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
    int ret = read_all(fd, has_size, (size_t)size_bytes, buf, len_bytes, err, errlen);
    if (!is_std(path))
        close(fd);
    if (ret) {
        free(*buf);
        *buf = NULL;
    }
    return ret;
}

int zns_data_open_input(const char *path, uint64_t *known_bytes, char *err, size_t errlen)
{
    int fd = is_std(path) ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
    struct stat st;
    *known_bytes =
        fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : ZNS_DATA_SIZE_UNKNOWN;
    return fd;
}

long zns_data_read_full(int fd, void *buf, size_t want, char *err, size_t errlen)
{
    size_t used = 0;
    while (used < want) {
        ssize_t n = read(fd, (char *)buf + used, want - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return snprintf(err, errlen, "read error: %s", strerror(errno)), -1;
        if (n == 0)
            break;
        used += (size_t)n;
    }
    return (long)used;
}

void zns_data_close_input(const char *path, int fd)
{
    if (!is_std(path) && fd >= 0)
        close(fd);
}

int zns_data_write(const char *path, const void *buf, size_t len_bytes, char *err, size_t errlen)
{
    int fd =
        is_std(path) ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
    const char *at = buf;
    int ret = 0;
    while (len_bytes > 0) {
        ssize_t n = write(fd, at, len_bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "write error: %s", strerror(errno));
            ret = -1;
            break;
        }
        at += n;
        len_bytes -= (size_t)n;
    }
    if (!is_std(path) && close(fd) != 0 && ret == 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        ret = -1;
    }
    return ret;
}
