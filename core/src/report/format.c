/* SPDX-License-Identifier: MIT */
/*
 * format.c - text without libc: a bounded string builder (for the report
 * lines handed to the platform) and the counters printer.
 */
#include "../internal.h"

#define DECIMAL_DIGITS_U64 20 /* digits of UINT64_MAX */
#define HEX_DIGIT_BITS     4u

void _zslab_fmt_init(zslab_fmt_t *f, char *buf, size_t size)
{
    f->buf = buf;
    f->size = size;
    f->len = 0;
    if (size)
        buf[0] = '\0';
}

static void put(zslab_fmt_t *f, char c)
{
    if (f->len + 1 < f->size) {
        f->buf[f->len] = c;
        f->buf[f->len + 1] = '\0';
    }
    f->len++;
}

void _zslab_fmt_str(zslab_fmt_t *f, const char *s)
{
    while (*s)
        put(f, *s++);
}

void _zslab_fmt_u64(zslab_fmt_t *f, uint64_t v)
{
    char digits[DECIMAL_DIGITS_U64];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put(f, digits[--n]);
}

void _zslab_fmt_hex(zslab_fmt_t *f, uintptr_t v)
{
    static const char hex[] = "0123456789abcdef";
    unsigned shift = (unsigned)(sizeof(v) * CHAR_BIT);
    _zslab_fmt_str(f, "0x");
    while (shift > HEX_DIGIT_BITS && !(v >> (shift - HEX_DIGIT_BITS)))
        shift -= HEX_DIGIT_BITS;
    while (shift) {
        shift -= HEX_DIGIT_BITS;
        put(f, hex[(v >> shift) & 0xf]);
    }
}

static void line(zslab_fmt_t *f, const char *name, uint64_t value)
{
    _zslab_fmt_str(f, name);
    _zslab_fmt_str(f, ": ");
    _zslab_fmt_u64(f, value);
}

size_t zslab_format_counters(const zslab_counters_t *c, char *buf, size_t size)
{
    zslab_fmt_t f;
    _zslab_fmt_init(&f, buf, size);
#define PRINT_COUNTER(name, doc)                                                                   \
    line(&f, #name, c->name);                                                                      \
    put(&f, '\n');
#define PRINT_GAUGE(name, doc)                                                                     \
    line(&f, #name, c->name.current);                                                              \
    _zslab_fmt_str(&f, " (peak ");                                                                 \
    _zslab_fmt_u64(&f, c->name.peak);                                                              \
    _zslab_fmt_str(&f, ")\n");
    ZSLAB_COUNTER_LIST(PRINT_COUNTER, PRINT_GAUGE)
#undef PRINT_COUNTER
#undef PRINT_GAUGE
    return f.len;
}

_Noreturn void _zslab_fmt_assert_fail(const char *who, const char *expr, const char *file, int line)
{
    char msg[ZSLAB_REPORT_BYTES];
    zslab_fmt_t f;
    _zslab_fmt_init(&f, msg, sizeof(msg));
    _zslab_fmt_str(&f, who);
    _zslab_fmt_str(&f, ": assertion failed: ");
    _zslab_fmt_str(&f, expr);
    _zslab_fmt_str(&f, " (");
    _zslab_fmt_str(&f, file);
    _zslab_fmt_str(&f, ":");
    _zslab_fmt_u64(&f, (uint64_t)line);
    _zslab_fmt_str(&f, ")");
    zslab_platform_panic(msg);
}
