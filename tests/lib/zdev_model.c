/* SPDX-License-Identifier: MIT */
/*
 * zdev_model.c - the ZNS state machine of the in-memory model device.
 * The order of checks follows QEMU 7.2's hw/nvme so statuses agree with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zdev_model.h"

#define SC_INVALID_FIELD ZDEV_MODEL_SC_INVALID_FIELD
#define SC_LBA_RANGE     ZDEV_MODEL_SC_LBA_RANGE
#define FILTER_OFFLINE   7u

static uint64_t zone_start(const struct zdev_model *m, uint32_t idx)
{
    return (uint64_t)idx * m->cfg.geo.zone_size_lbas;
}

static uint64_t ns_lbas(const struct zdev_model *m)
{
    return (uint64_t)m->cfg.geo.nr_zones * m->cfg.geo.zone_size_lbas;
}

static void assign(struct zdev_model *m, struct zdev_model_zone *z, uint8_t state)
{
    z->state = state;
    z->state_seq = ++m->seq;
}

static bool is_open(uint8_t state)
{
    return state == ZSLAB_ZONE_IMP_OPEN || state == ZSLAB_ZONE_EXP_OPEN;
}

int zdev_model_init(struct zdev_model *m, const struct zdev_model_config *cfg)
{
    if (!m || !cfg || cfg->geo.lba_bytes < 512 || (cfg->geo.lba_bytes & (cfg->geo.lba_bytes - 1)) ||
        cfg->geo.nr_zones == 0 || cfg->geo.zone_size_lbas == 0 || cfg->geo.zone_cap_lbas == 0 ||
        cfg->geo.zone_cap_lbas > cfg->geo.zone_size_lbas)
        return -EINVAL;
    memset(m, 0, sizeof(*m));
    m->cfg = *cfg;
    pthread_mutex_init(&m->lock, NULL);
    m->zones = calloc(cfg->geo.nr_zones, sizeof(*m->zones));
    if (!m->zones)
        return -ENOMEM;
    if (cfg->keep_data) {
        m->data = calloc(ns_lbas(m), cfg->geo.lba_bytes);
        if (!m->data) {
            free(m->zones);
            return -ENOMEM;
        }
    }
    for (uint32_t i = 0; i < cfg->geo.nr_zones; i++) {
        m->zones[i].wp_lba = zone_start(m, i);
        m->zones[i].flushed_lba = zone_start(m, i);
        m->zones[i].state = ZSLAB_ZONE_EMPTY;
    }
    return 0;
}

void zdev_model_destroy(struct zdev_model *m)
{
    pthread_mutex_destroy(&m->lock);
    free(m->zones);
    free(m->data);
    memset(m, 0, sizeof(*m));
}

/* The implicitly open zone that entered that state first, or NULL. */
static struct zdev_model_zone *oldest_imp_open(struct zdev_model *m)
{
    struct zdev_model_zone *oldest = NULL;
    for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++) {
        struct zdev_model_zone *z = &m->zones[i];
        if (z->state == ZSLAB_ZONE_IMP_OPEN && (!oldest || z->state_seq < oldest->state_seq))
            oldest = z;
    }
    return oldest;
}

static int check_resources(struct zdev_model *m, uint32_t add_active, uint32_t add_open)
{
    int sc = 0;
    if (m->cfg.geo.max_active && m->nr_active + add_active > m->cfg.geo.max_active)
        sc = ZSLAB_NVME_SC_TOO_MANY_ACTIVE;
    else if (m->cfg.geo.max_open && m->nr_open + add_open > m->cfg.geo.max_open)
        sc = ZSLAB_NVME_SC_TOO_MANY_OPEN;
    m->limit_statuses += sc != 0;
    return sc;
}

/* Open a zone, implicitly (by a write) or explicitly (Open Zone). */
static int zone_open(struct zdev_model *m, struct zdev_model_zone *z, bool implicit)
{
    uint32_t add_active = 0;
    switch (z->state) {
    case ZSLAB_ZONE_EMPTY:
        add_active = 1;
        /* fall through */
    case ZSLAB_ZONE_CLOSED: {
        if (m->cfg.auto_close && m->cfg.geo.max_open && m->nr_open == m->cfg.geo.max_open) {
            struct zdev_model_zone *victim = oldest_imp_open(m);
            if (victim) {
                m->nr_open--;
                assign(m, victim, ZSLAB_ZONE_CLOSED);
            }
        }
        int sc = check_resources(m, add_active, 1);
        if (sc)
            return sc;
        m->nr_active += add_active;
        m->nr_open++;
        assign(m, z, implicit ? ZSLAB_ZONE_IMP_OPEN : ZSLAB_ZONE_EXP_OPEN);
        return 0;
    }
    case ZSLAB_ZONE_IMP_OPEN:
        if (!implicit)
            assign(m, z, ZSLAB_ZONE_EXP_OPEN);
        return 0;
    case ZSLAB_ZONE_EXP_OPEN:
        return 0;
    default:
        return ZSLAB_NVME_SC_ZONE_INVALID_STATE;
    }
}

static int zone_close(struct zdev_model *m, struct zdev_model_zone *z)
{
    if (is_open(z->state)) {
        m->nr_open--;
        assign(m, z, ZSLAB_ZONE_CLOSED);
        return 0;
    }
    return z->state == ZSLAB_ZONE_CLOSED ? 0 : ZSLAB_NVME_SC_ZONE_INVALID_STATE;
}

static int zone_finish(struct zdev_model *m, struct zdev_model_zone *z)
{
    switch (z->state) {
    case ZSLAB_ZONE_FULL:
        return 0;
    case ZSLAB_ZONE_IMP_OPEN:
    case ZSLAB_ZONE_EXP_OPEN:
        m->nr_open--;
        /* fall through */
    case ZSLAB_ZONE_CLOSED:
        m->nr_active--;
        /* fall through */
    case ZSLAB_ZONE_EMPTY:
        assign(m, z, ZSLAB_ZONE_FULL);
        return 0;
    default:
        return ZSLAB_NVME_SC_ZONE_INVALID_STATE;
    }
}

static int zone_reset(struct zdev_model *m, struct zdev_model_zone *z)
{
    uint32_t idx = (uint32_t)(z - m->zones);
    switch (z->state) {
    case ZSLAB_ZONE_IMP_OPEN:
    case ZSLAB_ZONE_EXP_OPEN:
        m->nr_open--;
        /* fall through */
    case ZSLAB_ZONE_CLOSED:
        m->nr_active--;
        /* fall through */
    case ZSLAB_ZONE_FULL:
        z->wp_lba = zone_start(m, idx);
        z->flushed_lba = z->wp_lba; /* a reset is durable at once */
        if (m->last_nlbas && m->last_lba / m->cfg.geo.zone_size_lbas == idx)
            m->last_nlbas = 0;
        assign(m, z, ZSLAB_ZONE_EMPTY);
        if (m->data)
            memset(m->data + z->wp_lba * m->cfg.geo.lba_bytes, 0,
                   m->cfg.geo.zone_size_lbas * m->cfg.geo.lba_bytes);
        /* fall through */
    case ZSLAB_ZONE_EMPTY:
        return 0;
    default:
        return ZSLAB_NVME_SC_ZONE_INVALID_STATE;
    }
}

static int zone_offline(struct zdev_model *m, struct zdev_model_zone *z)
{
    if (z->state == ZSLAB_ZONE_READ_ONLY) {
        assign(m, z, ZSLAB_ZONE_OFFLINE);
        return 0;
    }
    return z->state == ZSLAB_ZONE_OFFLINE ? 0 : ZSLAB_NVME_SC_ZONE_INVALID_STATE;
}

static int zone_action(struct zdev_model *m, struct zdev_model_zone *z, unsigned action)
{
    switch (action) {
    case ZSLAB_ZONE_OPEN:
        return zone_open(m, z, false);
    case ZSLAB_ZONE_CLOSE:
        return zone_close(m, z);
    case ZSLAB_ZONE_FINISH:
        return zone_finish(m, z);
    case ZSLAB_ZONE_RESET:
        return zone_reset(m, z);
    default:
        return zone_offline(m, z);
    }
}

/*
 * Select All walks QEMU's per-state lists, each in the order zones entered
 * the state, and stops at the first failure.  As with QTAILQ_FOREACH_SAFE,
 * the next zone is chosen before the current one is processed.
 */
static struct zdev_model_zone *next_in_state(struct zdev_model *m, uint8_t state,
                                             uint64_t after_seq)
{
    struct zdev_model_zone *best = NULL;
    for (uint32_t i = 0; i < m->cfg.geo.nr_zones; i++) {
        struct zdev_model_zone *z = &m->zones[i];
        if (z->state == state && z->state_seq > after_seq &&
            (!best || z->state_seq < best->state_seq))
            best = z;
    }
    return best;
}

static int walk_state(struct zdev_model *m, uint8_t state, unsigned action)
{
    struct zdev_model_zone *z = next_in_state(m, state, 0);
    while (z) {
        struct zdev_model_zone *next = next_in_state(m, state, z->state_seq);
        int sc = zone_action(m, z, action);
        if (sc)
            return sc;
        z = next;
    }
    return 0;
}

static int manage_all(struct zdev_model *m, unsigned action)
{
    static const uint8_t open_then_closed[] = {ZSLAB_ZONE_CLOSED, ZSLAB_ZONE_IMP_OPEN,
                                               ZSLAB_ZONE_EXP_OPEN, ZSLAB_ZONE_FULL};
    size_t first = 0, last = 0; /* range of open_then_closed[] the action visits */
    switch (action) {
    case ZSLAB_ZONE_OPEN:
        first = 0, last = 1;
        break;
    case ZSLAB_ZONE_CLOSE:
        first = 1, last = 3;
        break;
    case ZSLAB_ZONE_FINISH:
        first = 0, last = 3;
        break;
    case ZSLAB_ZONE_RESET:
        first = 0, last = 4;
        break;
    default:
        return walk_state(m, ZSLAB_ZONE_READ_ONLY, action);
    }
    for (size_t i = first; i < last; i++) {
        int sc = walk_state(m, open_then_closed[i], action);
        if (sc)
            return sc;
    }
    return 0;
}

int zdev_model_manage(struct zdev_model *m, uint64_t zone_start_lba, unsigned action,
                      bool all_zones)
{
    int fault = _zdev_model_fault(m, ZDEV_MODEL_OP_MANAGE);
    if (fault)
        return fault;
    if (action < ZSLAB_ZONE_CLOSE || action > ZSLAB_ZONE_OFFLINE_ACTION)
        return SC_INVALID_FIELD;
    if (all_zones)
        return manage_all(m, action);
    if (zone_start_lba >= ns_lbas(m))
        return SC_LBA_RANGE;
    if (zone_start_lba % m->cfg.geo.zone_size_lbas != 0)
        return SC_INVALID_FIELD;
    return zone_action(m, &m->zones[zone_start_lba / m->cfg.geo.zone_size_lbas], action);
}

/* Transfer-size and namespace checks shared by read, write and append. */
static int check_io(const struct zdev_model *m, uint64_t lba, size_t len_bytes, uint64_t *nlb)
{
    if (len_bytes == 0 || len_bytes % m->cfg.geo.lba_bytes != 0)
        return -EINVAL;
    if (m->cfg.geo.mdts_bytes && len_bytes > m->cfg.geo.mdts_bytes)
        return SC_INVALID_FIELD;
    *nlb = len_bytes / m->cfg.geo.lba_bytes;
    if (lba >= ns_lbas(m) || *nlb > ns_lbas(m) - lba)
        return SC_LBA_RANGE;
    return 0;
}

static int check_zone_write(const struct zdev_model *m, const struct zdev_model_zone *z,
                            uint64_t lba, uint64_t nlb)
{
    switch (z->state) {
    case ZSLAB_ZONE_FULL:
        return ZSLAB_NVME_SC_ZONE_FULL;
    case ZSLAB_ZONE_READ_ONLY:
        return ZSLAB_NVME_SC_ZONE_READ_ONLY;
    case ZSLAB_ZONE_OFFLINE:
        return ZSLAB_NVME_SC_ZONE_OFFLINE;
    }
    if (lba != z->wp_lba)
        return ZSLAB_NVME_SC_ZONE_INVALID_WRITE;
    uint64_t start = zone_start(m, (uint32_t)(z - m->zones));
    if (lba + nlb > start + m->cfg.geo.zone_cap_lbas)
        return ZSLAB_NVME_SC_ZONE_BOUNDARY;
    return 0;
}

/* A write or append at @lba that passed the transfer checks. */
static int zone_write(struct zdev_model *m, uint64_t lba, uint64_t nlb, const void *buf)
{
    uint32_t idx = (uint32_t)(lba / m->cfg.geo.zone_size_lbas);
    struct zdev_model_zone *z = &m->zones[idx];
    int sc = check_zone_write(m, z, lba, nlb);
    if (!sc)
        sc = zone_open(m, z, true);
    if (sc)
        return sc;
    if (m->data && buf)
        memcpy(m->data + lba * m->cfg.geo.lba_bytes, buf, nlb * m->cfg.geo.lba_bytes);
    z->wp_lba += nlb;
    m->last_lba = lba;
    m->last_nlbas = nlb;
    if (z->wp_lba == zone_start(m, idx) + m->cfg.geo.zone_cap_lbas)
        zone_finish(m, z);
    return 0;
}

int zdev_model_write(struct zdev_model *m, uint64_t lba, const void *buf, size_t len_bytes)
{
    uint64_t nlb = 0;
    int sc = _zdev_model_fault(m, ZDEV_MODEL_OP_WRITE);
    if (sc)
        return sc;
    sc = check_io(m, lba, len_bytes, &nlb);
    return sc ? sc : zone_write(m, lba, nlb, buf);
}

int zdev_model_append(struct zdev_model *m, uint64_t zone_start_lba, const void *buf,
                      size_t len_bytes, uint64_t *out_lba)
{
    uint64_t nlb = 0;
    int sc = _zdev_model_fault(m, ZDEV_MODEL_OP_APPEND);
    if (sc)
        return sc;
    sc = check_io(m, zone_start_lba, len_bytes, &nlb);
    if (sc)
        return sc;
    if (zone_start_lba % m->cfg.geo.zone_size_lbas != 0)
        return SC_INVALID_FIELD;
    uint32_t zasl = m->cfg.geo.zasl_bytes ? m->cfg.geo.zasl_bytes : m->cfg.geo.mdts_bytes;
    if (zasl && len_bytes > zasl)
        return SC_INVALID_FIELD;
    const struct zdev_model_zone *z = &m->zones[zone_start_lba / m->cfg.geo.zone_size_lbas];
    uint64_t lba = z->wp_lba;
    sc = zone_write(m, lba, nlb, buf);
    if (!sc && out_lba)
        *out_lba = lba;
    return sc;
}

int zdev_model_read(struct zdev_model *m, uint64_t lba, void *buf, size_t len_bytes)
{
    uint64_t nlb = 0;
    int sc = _zdev_model_fault(m, ZDEV_MODEL_OP_READ);
    if (sc)
        return sc;
    sc = check_io(m, lba, len_bytes, &nlb);
    if (sc)
        return sc;
    /* QEMU checks the zone's state before the boundary (nvme_check_zone_read). */
    uint32_t idx = (uint32_t)(lba / m->cfg.geo.zone_size_lbas);
    if (m->zones[idx].state == ZSLAB_ZONE_OFFLINE)
        return ZSLAB_NVME_SC_ZONE_OFFLINE;
    if (lba + nlb > zone_start(m, idx) + m->cfg.geo.zone_size_lbas)
        return ZSLAB_NVME_SC_ZONE_BOUNDARY;
    if (buf && m->data)
        memcpy(buf, m->data + lba * m->cfg.geo.lba_bytes, len_bytes);
    else if (buf)
        memset(buf, 0, len_bytes);
    return 0;
}

static bool matches(uint8_t state, unsigned filter)
{
    static const uint8_t filter_state[] = {0,
                                           ZSLAB_ZONE_EMPTY,
                                           ZSLAB_ZONE_IMP_OPEN,
                                           ZSLAB_ZONE_EXP_OPEN,
                                           ZSLAB_ZONE_CLOSED,
                                           ZSLAB_ZONE_FULL,
                                           ZSLAB_ZONE_READ_ONLY,
                                           ZSLAB_ZONE_OFFLINE};
    return filter == 0 || filter_state[filter] == state;
}

int zdev_model_report(const struct zdev_model *m, uint64_t from_lba, unsigned filter,
                      struct zslab_zone *zones, uint32_t *nr_zones)
{
    if (!zones || !nr_zones || filter > FILTER_OFFLINE)
        return -EINVAL;
    uint32_t want = *nr_zones, filled = 0;
    *nr_zones = 0;
    if (from_lba >= ns_lbas(m))
        return SC_LBA_RANGE;
    for (uint32_t i = (uint32_t)(from_lba / m->cfg.geo.zone_size_lbas);
         i < m->cfg.geo.nr_zones && filled < want; i++) {
        const struct zdev_model_zone *z = &m->zones[i];
        if (!matches(z->state, filter))
            continue;
        bool has_wp = z->state != ZSLAB_ZONE_FULL && z->state != ZSLAB_ZONE_READ_ONLY &&
                      z->state != ZSLAB_ZONE_OFFLINE;
        zones[filled++] = (struct zslab_zone){
            .start_lba = zone_start(m, i),
            .cap_lbas = m->cfg.geo.zone_cap_lbas,
            .wp_lba = has_wp ? z->wp_lba : ZSLAB_ZONE_WP_NONE,
            .state = z->state,
            .type = 0x2, /* sequential write required */
        };
    }
    *nr_zones = filled;
    return 0;
}

int zdev_model_set_state(struct zdev_model *m, uint32_t zone_index, uint8_t state)
{
    if (zone_index >= m->cfg.geo.nr_zones ||
        (state != ZSLAB_ZONE_READ_ONLY && state != ZSLAB_ZONE_OFFLINE))
        return -EINVAL;
    struct zdev_model_zone *z = &m->zones[zone_index];
    if (is_open(z->state))
        m->nr_open--;
    if (is_open(z->state) || z->state == ZSLAB_ZONE_CLOSED)
        m->nr_active--;
    assign(m, z, state);
    return 0;
}
