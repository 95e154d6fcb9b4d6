/* SPDX-License-Identifier: MIT */
/*
 * zdev_model_crash.c - what the model does beyond the ZNS state machine, for
 * recovery tests: Flush, a crash of a device with a volatile write cache,
 * injected failures and media corruption.
 */
#include <errno.h>
#include <string.h>

#include "zdev_model.h"

/* zdev.h's errno names, as the tests compare against them: Linux's values. */
#define SAME_ERRNO(ours, theirs) _Static_assert(ours == theirs, #ours);
ZSLAB_ERRNO_LIST(SAME_ERRNO)
#undef SAME_ERRNO

static uint64_t zone_start(const struct zdev_model *m, uint32_t idx)
{
    return (uint64_t)idx * m->cfg.geo.zone_size_lbas;
}

static bool has_wp(uint8_t state)
{
    return state == ZSLAB_ZONE_EMPTY || state == ZSLAB_ZONE_IMP_OPEN ||
           state == ZSLAB_ZONE_EXP_OPEN || state == ZSLAB_ZONE_CLOSED;
}

int _zdev_model_fault(struct zdev_model *m, enum zdev_model_op op)
{
    m->calls[op]++;
    m->calls[ZDEV_MODEL_OP_ANY]++;
    struct zdev_model_fault *f = &m->fault;
    if (f->times == 0 || (f->op != ZDEV_MODEL_OP_ANY && f->op != op))
        return 0;
    if (f->skip) {
        f->skip--;
        return 0;
    }
    if (f->times != UINT32_MAX)
        f->times--;
    return f->status;
}

void zdev_model_fail(struct zdev_model *m, const struct zdev_model_fault *fault)
{
    m->fault = *fault;
}

int zdev_model_flush(struct zdev_model *m)
{
    int fault = _zdev_model_fault(m, ZDEV_MODEL_OP_FLUSH);
    if (fault)
        return fault;
    for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++)
        m->zones[i].flushed_lba = m->zones[i].wp_lba;
    m->last_nlbas = 0;
    return 0;
}

/* Loses [from, wp) of zone @idx: zeros, and the write pointer comes back. */
static void lose_tail(struct zdev_model *m, uint32_t idx, uint64_t from)
{
    struct zdev_model_zone *z = &m->zones[idx];
    if (from >= z->wp_lba)
        return;
    if (m->data)
        memset(m->data + from * m->cfg.geo.lba_bytes, 0, (z->wp_lba - from) * m->cfg.geo.lba_bytes);
    z->wp_lba = from;
    if (z->state == ZSLAB_ZONE_FULL && from < zone_start(m, idx) + m->cfg.geo.zone_cap_lbas &&
        z->flushed_lba <= from && m->last_nlbas)
        z->state = ZSLAB_ZONE_CLOSED; /* filled by the torn write, not finished */
}

/* After a crash: states that agree with the data left, and fresh counts. */
static void settle(struct zdev_model *m, bool close_open)
{
    m->nr_open = m->nr_active = 0;
    for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++) {
        struct zdev_model_zone *z = &m->zones[i];
        bool open = z->state == ZSLAB_ZONE_IMP_OPEN || z->state == ZSLAB_ZONE_EXP_OPEN;
        if (has_wp(z->state) && z->wp_lba == zone_start(m, i))
            z->state = ZSLAB_ZONE_EMPTY;
        else if (open && close_open)
            z->state = ZSLAB_ZONE_CLOSED;
        z->state_seq = ++m->seq;
        z->flushed_lba = z->wp_lba;
        open = z->state == ZSLAB_ZONE_IMP_OPEN || z->state == ZSLAB_ZONE_EXP_OPEN;
        m->nr_open += open;
        m->nr_active += open || z->state == ZSLAB_ZONE_CLOSED;
    }
    m->last_nlbas = 0;
}

void zdev_model_crash(struct zdev_model *m, enum zdev_model_crash mode, uint64_t keep_lbas,
                      bool close_open)
{
    if (mode == ZDEV_MODEL_CRASH_DROP_UNFLUSHED) {
        for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++)
            lose_tail(m, i, m->zones[i].flushed_lba);
    } else if (mode == ZDEV_MODEL_CRASH_TEAR_LAST && m->last_nlbas && keep_lbas < m->last_nlbas) {
        uint32_t idx = (uint32_t)(m->last_lba / m->cfg.geo.zone_size_lbas);
        lose_tail(m, idx, m->last_lba + keep_lbas);
    }
    settle(m, close_open);
}

int zdev_model_poke(struct zdev_model *m, uint64_t lba, uint32_t offset, uint8_t xor)
{
    if (!m->data || offset >= m->cfg.geo.lba_bytes ||
        lba >= (uint64_t)m->cfg.geo.nr_zones * m->cfg.geo.zone_size_lbas)
        return -EINVAL;
    m->data[lba * m->cfg.geo.lba_bytes + offset] ^= xor;
    return 0;
}
