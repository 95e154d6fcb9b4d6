/* SPDX-License-Identifier: MIT */
/*
 * report.c - every message the core sends to the platform: bad input (with
 * the pointer and the problem), config errors, failed assertions.
 */
#include "../internal.h"

static void describe(zslab_fmt_t *f, const zslab_bad_info_t *b)
{
    switch (b->kind) {
    case ZSLAB_BAD_FOREIGN:
        _zslab_fmt_str(f, "not allocated by this zslab instance (a foreign pointer, another "
                          "instance's object, or a large object already freed)");
        break;
    case ZSLAB_BAD_NOT_OBJECT:
        _zslab_fmt_str(f, "not an object: it points into this instance's mapping at ");
        _zslab_fmt_hex(f, (uintptr_t)b->base);
        _zslab_fmt_str(f, ", at metadata or space no object was handed out from");
        break;
    case ZSLAB_BAD_INTERIOR:
    case ZSLAB_BAD_LARGE_INTERIOR:
        _zslab_fmt_str(f, "interior pointer: ");
        _zslab_fmt_u64(f, b->offset);
        _zslab_fmt_str(f, " bytes into the ");
        _zslab_fmt_u64(f, b->object_bytes);
        _zslab_fmt_str(f, b->kind == ZSLAB_BAD_LARGE_INTERIOR ? "-byte large object at "
                                                              : "-byte object at ");
        _zslab_fmt_hex(f, (uintptr_t)b->base);
        break;
    case ZSLAB_BAD_NOT_LIVE:
        _zslab_fmt_str(f, "double free: the ");
        _zslab_fmt_u64(f, b->object_bytes);
        _zslab_fmt_str(f, "-byte object is not allocated (already freed, or never handed out)");
        break;
    case ZSLAB_BAD_REMOTE_TWICE:
        _zslab_fmt_str(f, "double free: the ");
        _zslab_fmt_u64(f, b->object_bytes);
        _zslab_fmt_str(f, "-byte object was freed again by another thread after it was freed "
                          "(found when that free was collected)");
        break;
    case ZSLAB_BAD_WRONG_SIZE:
        _zslab_fmt_str(f, "wrong size: ");
        _zslab_fmt_u64(f, b->size);
        _zslab_fmt_str(f, " bytes does not fit the object, which is ");
        _zslab_fmt_u64(f, b->object_bytes);
        _zslab_fmt_str(f, b->object_bytes > ZSLAB_MAX_CLASS_BYTES ? " bytes (large)"
                                                                  : " bytes (its size class)");
        break;
    default:
        _zslab_fmt_str(f, "bad input");
        break;
    }
}

void _zslab_report_bad(zslab_t *z, const zslab_bad_info_t *b)
{
    char msg[ZSLAB_REPORT_BYTES];
    zslab_fmt_t f;
    _zslab_fmt_init(&f, msg, sizeof(msg));
    if (b->kind == ZSLAB_BAD_WRITE_AFTER_FREE) {
        _zslab_fmt_str(&f, "zslab: zslab_alloc: write after free: byte ");
        _zslab_fmt_u64(&f, b->offset);
        _zslab_fmt_str(&f, " of the freed ");
        _zslab_fmt_u64(&f, b->object_bytes);
        _zslab_fmt_str(&f, "-byte object at ");
        _zslab_fmt_hex(&f, (uintptr_t)b->ptr);
        _zslab_fmt_str(&f, " was changed");
    } else {
        _zslab_fmt_str(&f, b->sized ? "zslab: zslab_free_sized(" : "zslab: zslab_free(");
        _zslab_fmt_hex(&f, (uintptr_t)b->ptr);
        if (b->sized) {
            _zslab_fmt_str(&f, ", ");
            _zslab_fmt_u64(&f, b->size);
        }
        _zslab_fmt_str(&f, "): ");
        describe(&f, b);
        _zslab_stats_bad_free(z);
    }
    if (z->cfg.on_bad_free == ZSLAB_BAD_FREE_ABORT)
        zslab_platform_panic(msg);
    zslab_platform_log(ZSLAB_LOG_ERROR, msg);
}

void _zslab_report_warn(const char *msg)
{
    zslab_platform_log(ZSLAB_LOG_WARN, msg);
}

void _zslab_report_config(const char *field, size_t value, const char *rule)
{
    char msg[ZSLAB_REPORT_BYTES];
    zslab_fmt_t f;
    _zslab_fmt_init(&f, msg, sizeof(msg));
    _zslab_fmt_str(&f, "zslab: zslab_create: config ");
    _zslab_fmt_str(&f, field);
    _zslab_fmt_str(&f, " = ");
    _zslab_fmt_u64(&f, value);
    _zslab_fmt_str(&f, ": ");
    _zslab_fmt_str(&f, rule);
    zslab_platform_log(ZSLAB_LOG_ERROR, msg);
}

void _zslab_report_nomem(const char *what, size_t bytes, int node)
{
    char msg[ZSLAB_REPORT_BYTES];
    zslab_fmt_t f;
    _zslab_fmt_init(&f, msg, sizeof(msg));
    _zslab_fmt_str(&f, "zslab: ");
    _zslab_fmt_str(&f, what);
    _zslab_fmt_str(&f, ": the platform gave no memory (");
    _zslab_fmt_u64(&f, bytes);
    _zslab_fmt_str(&f, " bytes, numa_node ");
    if (node == ZSLAB_NODE_ANY)
        _zslab_fmt_str(&f, "any");
    else
        _zslab_fmt_u64(&f, (uint64_t)node);
    _zslab_fmt_str(&f, ")");
    zslab_platform_log(ZSLAB_LOG_ERROR, msg);
}

_Noreturn void _zslab_report_assert(const char *expr, const char *file, int line)
{
    _zslab_fmt_assert_fail("zslab", expr, file, line);
}
