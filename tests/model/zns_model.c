/* SPDX-License-Identifier: MIT */
/*
 * zns_model.c - `zns-model`, a host tool for the randomized model check.
 *
 * From a seed and a geometry it generates a sequence of zone operations,
 * valid and invalid, as `zns` command lines, runs them on the model device
 * (tests/lib/zdev_model) through the same checks the `zns` tool makes, and
 * writes what a real device must then show:
 *   --ops-out FILE     one op per line: "N VERB ARGS..." (the device path
 *                      goes after VERB: zns VERB DEV ARGS...);
 *   --expect-out FILE  one line per op: "N EXIT DETAIL", EXIT the zns exit
 *                      status; DETAIL is ok, lba=DEC (append), status=0xSSS
 *                      (exit 2) or refused (exit 1, refused before sending);
 *   --report-out FILE  the final report, byte for byte as `zns report --json`.
 * Everything is a pure function of the seed and the geometry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdev_model.h"
#include "zns_internal.h"
#include "zns_out.h"

#define DEFAULT_OPS     2000u
#define WORKING_SET_MAX 8u  /* zones the ops touch: few, so limits are hit */
#define MAX_OP_LBAS     64u /* largest write or append of the sequence, LBAs */
#define INFO_MAX_BYTES  4096u
#define PERCENT         100u

struct options {
    uint64_t seed;
    uint32_t nr_ops;
    struct zdev_model_config cfg;
    uint32_t max_io_bytes; /* largest command zns sends; 0: from MDTS */
    uint32_t working_set;
    const char *ops_out, *expect_out, *report_out;
};

struct run {
    struct zdev_model m;
    struct zns_geometry geo;
    uint64_t rng;
    FILE *ops, *expect;
};

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(struct run *r, uint64_t n)
{
    return n ? next_rand(&r->rng) % n : 0;
}

static void usage(FILE *out)
{
    fputs("usage: zns-model --seed N [--ops N] (--info FILE | GEOMETRY) [--no-auto-close]\n"
          "                 [--zones N] [--ops-out F] [--expect-out F] [--report-out F]\n"
          "GEOMETRY: --lba-bytes N --zone-size-lbas N --zone-cap-lbas N --nr-zones N\n"
          "          [--max-open-zones N] [--max-active-zones N] [--zasl-bytes N]\n"
          "          [--mdts-bytes N] [--max-io-bytes N]\n"
          "          (0 = unlimited or derived; the keys of `zns info --json`)\n"
          "--info FILE reads those keys from the output of `zns info --json`.\n",
          out);
}

/* The number after "key": in a flat JSON object such as zns info prints. */
static int json_u64(const char *text, const char *key, uint64_t *out)
{
    char quoted[64];
    snprintf(quoted, sizeof(quoted), "\"%s\":", key);
    const char *at = strstr(text, quoted);
    if (!at)
        return -1;
    char *end = NULL;
    *out = strtoull(at + strlen(quoted), &end, 10);
    return end == at + strlen(quoted) ? -1 : 0;
}

static int read_info(const char *path, struct zdev_model_config *cfg, uint32_t *max_io_bytes)
{
    char text[INFO_MAX_BYTES];
    FILE *f = fopen(path, "r");
    if (!f)
        return fprintf(stderr, "zns-model: %s: %s\n", path, strerror(errno)), -1;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    uint64_t v[9];
    static const char *const keys[] = {"lba_bytes",  "zone_size_lbas", "zone_cap_lbas",
                                       "nr_zones",   "max_open_zones", "max_active_zones",
                                       "zasl_bytes", "mdts_bytes",     "max_io_bytes"};
    for (int i = 0; i < 9; i++)
        if (json_u64(text, keys[i], &v[i]))
            return fprintf(stderr, "zns-model: %s: no \"%s\"\n", path, keys[i]), -1;
    cfg->geo.lba_bytes = (uint32_t)v[0];
    cfg->geo.zone_size_lbas = v[1];
    cfg->geo.zone_cap_lbas = v[2];
    cfg->geo.nr_zones = (uint32_t)v[3];
    cfg->geo.max_open = (uint32_t)v[4];
    cfg->geo.max_active = (uint32_t)v[5];
    cfg->geo.zasl_bytes = (uint32_t)v[6];
    cfg->geo.mdts_bytes = (uint32_t)v[7];
    *max_io_bytes = (uint32_t)v[8];
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    bool have_seed = false;
    o->nr_ops = DEFAULT_OPS;
    o->cfg.auto_close = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout), 1;
        if (!strcmp(a, "--no-auto-close")) {
            o->cfg.auto_close = false;
            continue;
        }
        if (i + 1 >= argc)
            return fprintf(stderr, "zns-model: '%s' needs a value\n", a), -1;
        const char *val = argv[++i];
        uint64_t n = strtoull(val, NULL, 0);
        if (!strcmp(a, "--seed"))
            o->seed = n, have_seed = true;
        else if (!strcmp(a, "--ops"))
            o->nr_ops = (uint32_t)n;
        else if (!strcmp(a, "--zones"))
            o->working_set = (uint32_t)n;
        else if (!strcmp(a, "--info") && read_info(val, &o->cfg, &o->max_io_bytes))
            return -1;
        else if (!strcmp(a, "--lba-bytes"))
            o->cfg.geo.lba_bytes = (uint32_t)n;
        else if (!strcmp(a, "--zone-size-lbas"))
            o->cfg.geo.zone_size_lbas = n;
        else if (!strcmp(a, "--zone-cap-lbas"))
            o->cfg.geo.zone_cap_lbas = n;
        else if (!strcmp(a, "--nr-zones"))
            o->cfg.geo.nr_zones = (uint32_t)n;
        else if (!strcmp(a, "--max-open-zones"))
            o->cfg.geo.max_open = (uint32_t)n;
        else if (!strcmp(a, "--max-active-zones"))
            o->cfg.geo.max_active = (uint32_t)n;
        else if (!strcmp(a, "--zasl-bytes"))
            o->cfg.geo.zasl_bytes = (uint32_t)n;
        else if (!strcmp(a, "--mdts-bytes"))
            o->cfg.geo.mdts_bytes = (uint32_t)n;
        else if (!strcmp(a, "--max-io-bytes"))
            o->max_io_bytes = (uint32_t)n;
        else if (!strcmp(a, "--ops-out"))
            o->ops_out = val;
        else if (!strcmp(a, "--expect-out"))
            o->expect_out = val;
        else if (!strcmp(a, "--report-out"))
            o->report_out = val;
        else if (strcmp(a, "--info") != 0)
            return fprintf(stderr, "zns-model: unknown option '%s'\n", a), -1;
    }
    if (!have_seed)
        return fprintf(stderr, "zns-model: --seed is required\n"), -1;
    return 0;
}

/*
 * The driver's view of the model's geometry, for the same pre-send checks and
 * the same splitting.  As zns_open(): the largest command is MDTS capped at
 * the NLB field, or what the device's zns info said (the host's limit too);
 * ZASL is capped at it.
 */
static void driver_geometry(const struct zdev_model_config *cfg, uint32_t max_io_bytes,
                            struct zns_geometry *g)
{
    memset(g, 0, sizeof(*g));
    g->lba_bytes = cfg->geo.lba_bytes;
    g->zone_size_lbas = cfg->geo.zone_size_lbas;
    g->zone_cap_lbas = cfg->geo.zone_cap_lbas;
    g->nr_zones = cfg->geo.nr_zones;
    g->ns_lbas = (uint64_t)cfg->geo.nr_zones * cfg->geo.zone_size_lbas;
    uint32_t nlb_max = ZNS_MAX_NLB_LBAS * cfg->geo.lba_bytes;
    g->max_io_bytes =
        cfg->geo.mdts_bytes && cfg->geo.mdts_bytes < nlb_max ? cfg->geo.mdts_bytes : nlb_max;
    if (max_io_bytes && max_io_bytes < g->max_io_bytes)
        g->max_io_bytes = max_io_bytes;
    g->zasl_bytes = cfg->geo.zasl_bytes ? cfg->geo.zasl_bytes : cfg->geo.mdts_bytes;
    if (!g->zasl_bytes || g->zasl_bytes > g->max_io_bytes)
        g->zasl_bytes = g->max_io_bytes;
    g->mdts_bytes = cfg->geo.mdts_bytes;
}

/* Records an op's expected outcome: refused by zns (<0), status (>0), ok. */
static void expect(struct run *r, uint32_t n, int err, const char *ok_detail)
{
    if (err < 0)
        fprintf(r->expect, "%u 1 refused\n", n);
    else if (err > 0)
        fprintf(r->expect, "%u 2 status=0x%x\n", n, err);
    else
        fprintf(r->expect, "%u 0 %s\n", n, ok_detail);
}

static int tool_zone_start(const struct run *r, uint64_t lba)
{
    return _zns_check_zone_start(&r->geo, lba);
}

static void op_mgmt(struct run *r, uint32_t n, uint64_t lba, bool all)
{
    static const char *const verbs[] = {"", "close", "finish", "open", "reset"};
    /* Open three times as often as the others: explicitly open zones pile up and
     * reach Too Many Open Zones (implicit ones are closed automatically). */
    static const unsigned actions[] = {ZSLAB_ZONE_CLOSE, ZSLAB_ZONE_FINISH, ZSLAB_ZONE_OPEN,
                                       ZSLAB_ZONE_OPEN,  ZSLAB_ZONE_OPEN,   ZSLAB_ZONE_RESET};
    unsigned action = actions[below(r, sizeof(actions) / sizeof(actions[0]))];
    if (all && action == ZSLAB_ZONE_OPEN)
        action = ZSLAB_ZONE_RESET; /* open -a order is QEMU-list specific: left out */
    if (all)
        fprintf(r->ops, "%u %s -a\n", n, verbs[action]);
    else
        fprintf(r->ops, "%u %s -s 0x%" PRIx64 "\n", n, verbs[action], lba);
    int err = all ? 0 : tool_zone_start(r, lba);
    if (!err)
        err = zdev_model_manage(&r->m, lba, action, all);
    expect(r, n, err, "ok");
}

/* " --no-check" when the op is sent without the driver's checks. */
static const char *check_flag(bool no_check)
{
    return no_check ? " --no-check" : "";
}

static void op_append(struct run *r, uint32_t n, uint64_t zslba, uint64_t nlb, bool no_check)
{
    size_t len = nlb * r->geo.lba_bytes;
    fprintf(r->ops, "%u append -s 0x%" PRIx64 " -z %zu -d /dev/zero -j%s\n", n, zslba, len,
            check_flag(no_check));
    int err =
        no_check ? _zns_check_nlb_field(&r->geo, len) : _zns_check_append(&r->geo, zslba, len);
    uint64_t lba = 0;
    if (!err)
        err = zdev_model_append(&r->m, zslba, NULL, len, &lba);
    char detail[40];
    snprintf(detail, sizeof(detail), "lba=%" PRIu64, lba);
    expect(r, n, err, detail);
}

/* Runs a read or write on the model in max_io_bytes pieces, as libzns sends it. */
static int model_io(struct run *r, bool write, uint64_t lba, size_t len)
{
    while (len > 0) {
        size_t chunk = len < r->geo.max_io_bytes ? len : r->geo.max_io_bytes;
        int err = write ? zdev_model_write(&r->m, lba, NULL, chunk)
                        : zdev_model_read(&r->m, lba, NULL, chunk);
        if (err)
            return err;
        lba += chunk / r->geo.lba_bytes;
        len -= chunk;
    }
    return 0;
}

static void op_write(struct run *r, uint32_t n, uint64_t lba, uint64_t nlb, bool no_check)
{
    size_t len = nlb * r->geo.lba_bytes;
    fprintf(r->ops, "%u write -s 0x%" PRIx64 " -z %zu -d /dev/zero%s\n", n, lba, len,
            check_flag(no_check));
    int err = no_check ? _zns_check_len(&r->geo, len)
                       : _zns_check_write(&r->geo, lba, len, r->geo.zone_cap_lbas);
    if (!err)
        err = model_io(r, true, lba, len);
    expect(r, n, err, "ok");
}

static void op_read(struct run *r, uint32_t n, uint64_t lba, uint64_t nlb, bool no_check)
{
    size_t len = nlb * r->geo.lba_bytes;
    fprintf(r->ops, "%u read -s 0x%" PRIx64 " -z %zu -d /dev/null%s\n", n, lba, len,
            check_flag(no_check));
    int err = no_check ? _zns_check_len(&r->geo, len) : _zns_check_read(&r->geo, lba, len);
    if (!err)
        err = model_io(r, false, lba, len);
    expect(r, n, err, "ok");
}

/* The zone's state as the op generator sees it: where to write and how much room is left. */
struct zone_view {
    uint64_t zslba;
    uint64_t wp;        /* the write pointer, or the zone start if it has none */
    uint64_t room_lbas; /* LBAs left below the capacity */
};

static struct zone_view view_zone(const struct run *r, uint32_t zone)
{
    const struct zdev_model_zone *z = &r->m.zones[zone];
    struct zone_view v = {.zslba = zone * r->geo.zone_size_lbas};
    bool has_wp = z->state != ZSLAB_ZONE_FULL && z->state != ZSLAB_ZONE_READ_ONLY &&
                  z->state != ZSLAB_ZONE_OFFLINE;
    v.wp = has_wp ? z->wp_lba : v.zslba;
    v.room_lbas = has_wp ? v.zslba + r->geo.zone_cap_lbas - z->wp_lba : 0;
    return v;
}

/* Writes, with the driver's checks and without: at the wp, off it, up to and past the capacity. */
static void op_write_kind(struct run *r, uint32_t n, const struct zone_view *v, uint64_t nlb,
                          unsigned roll)
{
    if (roll < 11)
        op_write(r, n, v->wp, nlb, false);
    else if (roll < 16)
        op_write(r, n, v->wp + 1 + below(r, 4), nlb, false); /* not at the wp */
    else if (roll < 18)
        op_write(r, n, v->zslba + r->geo.zone_cap_lbas - 1, 2, false); /* refused: capacity */
    else if (roll < 20) /* past the capacity, sent: the device's Zone Boundary Error */
        op_write(r, n, v->wp, v->room_lbas + 1 + below(r, 4), true);
    else /* fill the zone up to a few LBAs short of its capacity, or exactly */
        op_write(r, n, v->wp, v->room_lbas > 4 ? v->room_lbas - below(r, 4) : nlb, false);
}

/* One op: mostly valid, with a share of each kind of invalid one. */
static void one_op(struct run *r, uint32_t n, uint32_t working_set)
{
    struct zone_view v = view_zone(r, (uint32_t)below(r, working_set));
    uint64_t zasl_lbas = r->geo.zasl_bytes / r->geo.lba_bytes;
    uint64_t max_lbas = zasl_lbas < MAX_OP_LBAS ? zasl_lbas : MAX_OP_LBAS;
    uint64_t nlb = 1 + below(r, max_lbas);
    uint64_t zone_lbas = r->geo.zone_size_lbas;
    unsigned roll = (unsigned)below(r, PERCENT);
    if (roll < 33)
        op_append(r, n, v.zslba, nlb, false);
    else if (roll < 35)
        op_append(r, n, v.zslba, zasl_lbas + 1, false); /* over ZASL: refused */
    else if (roll < 36)
        op_append(r, n, v.zslba + 1, 1, false); /* not a zone start: refused */
    else if (roll < 37)
        op_append(r, n, v.zslba + 1, 1, true); /* sent: the device's Invalid Field */
    else if (roll < 38)
        op_append(r, n, v.zslba, zasl_lbas + 1, true); /* sent: Invalid Field */
    else if (roll < 61)
        op_write_kind(r, n, &v, nlb, roll - 38);
    else if (roll < 86)
        op_mgmt(r, n, v.zslba, false);
    else if (roll < 89)
        op_mgmt(r, n, 0, true);
    else if (roll < 91)
        op_mgmt(r, n, v.zslba + 1 + below(r, zone_lbas - 1), false);
    else if (roll < 95)
        op_read(r, n, v.zslba + below(r, zone_lbas), nlb, false);
    else /* across the zone's end, sent: the device's Zone Boundary Error */
        op_read(r, n, v.zslba + zone_lbas - 1 - below(r, nlb), nlb + 1, true);
}

static int write_report(const struct run *r, const char *path)
{
    uint32_t nr = r->m.cfg.geo.nr_zones;
    struct zslab_zone *zones = calloc(nr, sizeof(*zones));
    FILE *f = fopen(path, "w");
    int ret = (!zones || !f) ? -1 : zdev_model_report(&r->m, 0, 0, zones, &nr);
    if (ret == 0)
        zns_print_report(f, zones, nr, 1);
    if (f && fclose(f) != 0)
        ret = -1;
    free(zones);
    return ret;
}

static FILE *open_out(const char *path)
{
    return path ? fopen(path, "w") : fopen("/dev/null", "w");
}

int main(int argc, char **argv)
{
    struct options o = {0};
    int ret = parse_args(argc, argv, &o);
    if (ret)
        return ret < 0 ? 1 : 0;
    struct run r = {.rng = o.seed};
    if (zdev_model_init(&r.m, &o.cfg))
        return fprintf(stderr, "zns-model: impossible geometry (see --help)\n"), 1;
    driver_geometry(&o.cfg, o.max_io_bytes, &r.geo);
    uint32_t ws = o.working_set ? o.working_set : WORKING_SET_MAX;
    if (ws > o.cfg.geo.nr_zones)
        ws = o.cfg.geo.nr_zones;
    r.ops = open_out(o.ops_out);
    r.expect = open_out(o.expect_out);
    if (!r.ops || !r.expect)
        return fprintf(stderr, "zns-model: cannot write the outputs\n"), 1;
    for (uint32_t n = 1; n <= o.nr_ops; n++)
        one_op(&r, n, ws);
    ret = (fclose(r.ops) | fclose(r.expect)) ? 1 : 0;
    if (!ret && o.report_out && write_report(&r, o.report_out))
        ret = 1;
    zdev_model_destroy(&r.m);
    if (ret)
        fprintf(stderr, "zns-model: writing the outputs failed\n");
    return ret;
}
