/* SPDX-License-Identifier: MIT */
/*
 * fmt.h - a bounded string builder without libc (format.c), for the lines the
 * core hands to zslab_platform_log() and panic().  Its own header, so that
 * every part of core/src (the allocator and the zone store) shares it.
 */
#ifndef ZSLAB_FMT_H
#define ZSLAB_FMT_H

#include <stddef.h>
#include <stdint.h>

typedef struct zslab_fmt {
    char *buf;
    size_t size; /* bytes at buf */
    size_t len;  /* length of the full text, even past size */
} zslab_fmt_t;

void _zslab_fmt_init(zslab_fmt_t *f, char *buf, size_t size);
void _zslab_fmt_str(zslab_fmt_t *f, const char *s);
void _zslab_fmt_u64(zslab_fmt_t *f, uint64_t v);
void _zslab_fmt_hex(zslab_fmt_t *f, uintptr_t v);

/* Panics with "WHO: assertion failed: EXPR (FILE:LINE)": every part's assert. */
_Noreturn void _zslab_fmt_assert_fail(const char *who, const char *expr, const char *file,
                                      int line);

#endif /* ZSLAB_FMT_H */
