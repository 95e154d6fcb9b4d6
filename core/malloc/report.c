/* SPDX-License-Identifier: MIT */
/*
 * report.c - the ZSLAB_STATS text: the instance's counters (its total, then
 * one line per class that was used) and the shim's call counters.
 *
 * It runs at exit and from malloc_stats(), inside a process whose malloc is
 * this library, so it never calls printf (glibc's may allocate): a small
 * string builder formats into the caller's buffer and write(2) sends it.
 */
#include <errno.h>
#include <unistd.h>

#include "shim.h"

void _zslab_shim_text_init(zslab_shim_text_t *t, char *buf, size_t size)
{
    t->buf = buf;
    t->size = size;
    t->len = 0;
    if (size)
        buf[0] = '\0';
}

static void put(zslab_shim_text_t *t, char c)
{
    if (t->len + 1 < t->size) {
        t->buf[t->len] = c;
        t->buf[t->len + 1] = '\0';
    }
    t->len++;
}

void _zslab_shim_text_str(zslab_shim_text_t *t, const char *s)
{
    while (*s)
        put(t, *s++);
}

void _zslab_shim_text_u64(zslab_shim_text_t *t, uint64_t v)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put(t, digits[--n]);
}

static void field(zslab_shim_text_t *t, const char *name, uint64_t v)
{
    _zslab_shim_text_str(t, name);
    _zslab_shim_text_str(t, " ");
    _zslab_shim_text_u64(t, v);
}

/* One line per class that handed out an object. */
static void class_lines(zslab_shim_text_t *t, const zslab_t *z)
{
    for (int i = 0; i < ZSLAB_CLASS_COUNT; i++) {
        zslab_counters_t c;
        if (zslab_get_counters(z, i, &c) != ZSLAB_OK || c.alloc_calls == 0)
            continue;
        _zslab_shim_text_str(t, "class ");
        _zslab_shim_text_u64(t, zslab_class_size(i));
        _zslab_shim_text_str(t, " B: ");
        field(t, "alloc_calls", c.alloc_calls);
        field(t, ", free_calls", c.free_calls);
        field(t, ", slow_path_hits", c.slow_path_hits);
        field(t, ", cache_hits", c.cache_hits);
        field(t, ", slabs_in_use", c.slabs_in_use.current);
        field(t, " (peak", c.slabs_in_use.peak);
        field(t, "), bytes_in_use peak", c.bytes_in_use.peak);
        _zslab_shim_text_str(t, "\n");
    }
}

size_t _zslab_shim_stats_format(const zslab_t *z, const char *who, char *buf, size_t size)
{
    zslab_shim_text_t t;
    _zslab_shim_text_init(&t, buf, size);
    _zslab_shim_text_str(&t, "zslab-malloc: counters of pid ");
    _zslab_shim_text_u64(&t, (uint64_t)getpid());
    _zslab_shim_text_str(&t, " (");
    _zslab_shim_text_str(&t, who);
    _zslab_shim_text_str(&t, ")\n");

    zslab_counters_t total;
    if (zslab_get_counters(z, ZSLAB_ALL_CLASSES, &total) == ZSLAB_OK) {
        /* zslab_format_counters() writes into what is left of @buf. */
        size_t at = t.len < size ? t.len : size;
        t.len += zslab_format_counters(&total, buf + at, size - at);
    }
    if (t.len + 1 < size)
        buf[t.len] = '\0';
#define ZSLAB_SHIM_PRINT_(name, doc)                                                               \
    field(&t, "shim_" #name ":",                                                                   \
          atomic_load_explicit(&_zslab_shim_counters.name, memory_order_relaxed));                 \
    _zslab_shim_text_str(&t, "\n");
    ZSLAB_SHIM_COUNTER_LIST(ZSLAB_SHIM_PRINT_)
#undef ZSLAB_SHIM_PRINT_
    class_lines(&t, z);
    return t.len;
}

bool _zslab_shim_write_all(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t w = write(fd, text, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        text += w;
        len -= (size_t)w;
    }
    return true;
}
