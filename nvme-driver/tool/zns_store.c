/* SPDX-License-Identifier: MIT */
/*
 * zns_store.c - `zns store VERB DEVICE ...`: the zone store on a namespace
 * through zns_zdev_ops.  Every verb opens the store (which recovers it from
 * the zones), does its work, flushes and closes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zns.h"
#include "zns_data.h"
#include "zns_out.h"
#include "zns_store.h"

#define ERRLEN            256
#define MAX_REPORTS       64u /* corrupt slabs listed by verify */
#define CHECK_CACHE_BYTES (2u << 20)

static const struct store_cli *cli;

/* How this run appends (zns_async_open() or not), and why. */
static struct {
    bool async;
    char why[ERRLEN];
} appends;

/* What the store reported while it ran. */
static struct {
    unsigned nr_corrupt;
    uint64_t corrupt_lba[MAX_REPORTS];
    const char *corrupt_why[MAX_REPORTS];
} seen;

enum store_exit store_complain(enum store_exit code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "zns store %s: %s: ", store_verb_name(cli->verb), cli->device);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

/* A store or driver error as an exit status and one line. */
enum store_exit store_fail(int err, const char *what)
{
    if (err > 0)
        return store_complain(STORE_NVME_STATUS, "%s: %s (NVMe status 0x%x)", what,
                              zns_strerror(err), err);
    switch (-err) {
    case ZSLAB_ENOENT:
        return store_complain(STORE_NOT_FOUND, "%s", what);
    case ZSLAB_ENOSPC:
        return store_complain(STORE_NO_SPACE, "%s", what);
    case ZSLAB_EBADMSG:
        return store_complain(STORE_CORRUPT, "%s", what);
    case ZSLAB_EINVAL:
    case ZSLAB_E2BIG:
    case ZSLAB_EPROTO:
    case ZSLAB_EEXIST:
    case ZSLAB_EBUSY:
    case ZSLAB_ERANGE:
        return store_complain(STORE_BAD_INPUT, "%s", what);
    default:
        return store_complain(STORE_SYSTEM, "%s", what);
    }
}

static const char *event_name(zslab_store_event_kind_t kind)
{
    switch (kind) {
    case ZSLAB_STORE_EVENT_CORRUPT_SLAB:
        return "corrupt slab";
    case ZSLAB_STORE_EVENT_ZONE_FINISHED:
        return "zone finished";
    case ZSLAB_STORE_EVENT_ZONE_RESUMED:
        return "zone resumed";
    case ZSLAB_STORE_EVENT_ZONE_FULL_RETRY:
        return "zone full";
    case ZSLAB_STORE_EVENT_ZONE_RESET:
        return "zone reset";
    case ZSLAB_STORE_EVENT_DEVICE_ERROR:
        return "device error";
    }
    return "event";
}

static void on_event(void *arg, const zslab_store_event_t *ev)
{
    (void)arg;
    bool always = ev->kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB ||
                  ev->kind == ZSLAB_STORE_EVENT_DEVICE_ERROR ||
                  ev->kind == ZSLAB_STORE_EVENT_ZONE_FULL_RETRY ||
                  ev->kind == ZSLAB_STORE_EVENT_ZONE_FINISHED;
    if (ev->kind == ZSLAB_STORE_EVENT_CORRUPT_SLAB && seen.nr_corrupt < MAX_REPORTS) {
        seen.corrupt_lba[seen.nr_corrupt] = ev->lba;
        seen.corrupt_why[seen.nr_corrupt++] = ev->reason;
    }
    if (always || cli->verbose)
        fprintf(stderr, "zns store: %s: %s at LBA 0x%" PRIx64 " (%" PRIu64 "): %s\n", cli->device,
                event_name(ev->kind), ev->lba, ev->lba, ev->reason);
}

/* ---- printing ---------------------------------------------------------- */

void store_print_counters(FILE *out, const zslab_store_counters_t *c, bool json)
{
    uint64_t wa = zslab_store_write_amp_milli(c);
    if (!json) {
        char text[4096];
        zslab_store_format_counters(c, text, sizeof(text));
        fputs(text, out);
        return;
    }
    fputs("{", out);
    const char *sep = "";
#define JSON_COUNTER(name, doc)                                                                    \
    fprintf(out, "%s\"" #name "\": %" PRIu64, sep, c->name);                                       \
    sep = ", ";
#define JSON_GAUGE(name, doc)                                                                      \
    fprintf(out, "%s\"" #name "\": %" PRIu64 ", \"" #name "_peak\": %" PRIu64, sep,                \
            c->name.current, c->name.peak);                                                        \
    sep = ", ";
    ZSLAB_STORE_COUNTER_LIST(JSON_COUNTER, JSON_GAUGE)
#undef JSON_COUNTER
#undef JSON_GAUGE
    fprintf(out, ", \"write_amp\": %" PRIu64 ".%03" PRIu64 "}", wa / 1000, wa % 1000);
}

/* One line (text: "appends:  ..."), or JSON members after others
 * (", \"appends\": ..."). */
void store_print_appends(FILE *out, bool json)
{
    const char *mode = appends.async ? "async" : "sync";
    if (!json) {
        fprintf(out, "appends:          %s (%s)\n",
                appends.async ? "asynchronous" : "synchronous ioctl", appends.why);
        return;
    }
    fprintf(out, ", \"appends\": \"%s\", \"appends_how\": ", mode);
    zns_json_string(out, appends.why);
}

static const char *zone_state_name(zslab_store_zone_state_t st)
{
    static const char *const names[] = {"EMPTY", "HEAD", "RETIRING", "FULL", "BAD"};
    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

static void print_info(zslab_store_t *s)
{
    zslab_store_info_t i;
    zslab_store_get_info(s, &i);
    const char *mode = i.mode == ZSLAB_STORE_MODE_CACHE ? "cache" : "store";
    if (cli->json) {
        printf("{\"device\": ");
        zns_json_string(stdout, cli->device);
        printf(", \"mode\": \"%s\", \"format_version\": %u, \"lba_bytes\": %u, \"first_zone\": %u, "
               "\"nr_zones\": %u, \"zone_cap_bytes\": %" PRIu64 ", \"slab_bytes\": %u, "
               "\"max_object_bytes\": %u, \"max_live_bytes\": %" PRIu64 ", \"zone_budget\": %u, "
               "\"store_id\": %" PRIu64 ", \"next_seq\": %" PRIu64,
               mode, ZSLAB_STORE_FORMAT_VERSION, i.lba_bytes, i.first_zone, i.nr_zones,
               i.zone_cap_bytes, i.slab_bytes, i.max_object_bytes, i.max_live_bytes, i.zone_budget,
               i.store_id, i.next_seq);
        store_print_appends(stdout, true);
        printf("}\n");
        return;
    }
    printf("device:           %s\n", cli->device);
    printf("mode:             %s\n", mode);
    printf("format version:   %u\n", ZSLAB_STORE_FORMAT_VERSION);
    printf("zones:            %u from zone %u, capacity %" PRIu64 " bytes each\n", i.nr_zones,
           i.first_zone, i.zone_cap_bytes);
    printf("slab:             %u bytes (one Zone Append)\n", i.slab_bytes);
    printf("largest object:   %u bytes\n", i.max_object_bytes);
    if (i.max_live_bytes)
        printf("max live bytes:   %" PRIu64 "\n", i.max_live_bytes);
    printf("open zone budget: %u\n", i.zone_budget);
    printf("store id:         0x%" PRIx64 "\n", i.store_id);
    printf("next seq:         %" PRIu64 "\n", i.next_seq);
    store_print_appends(stdout, false);
}

static void print_zones(zslab_store_t *s, bool summary)
{
    zslab_store_info_t info;
    zslab_store_get_info(s, &info);
    unsigned by_state[5] = {0};
    if (cli->json && !summary)
        printf("{\"zones\": [");
    for (uint32_t i = 0; i < info.nr_zones; i++) {
        zslab_store_zone_info_t z;
        zslab_store_zone_info(s, i, &z);
        by_state[z.state < 5 ? z.state : 4]++;
        if (summary)
            continue;
        if (cli->json)
            printf("%s\n  {\"zone\": %u, \"slba\": %" PRIu64 ", \"state\": \"%s\", \"cap_bytes\": "
                   "%" PRIu64 ", \"written_bytes\": %" PRIu64 ", \"live_bytes\": %" PRIu64
                   ", \"min_seq\": %" PRIu64 ", \"max_seq\": %" PRIu64 "}",
                   i ? "," : "", info.first_zone + i, z.start_lba, zone_state_name(z.state),
                   z.cap_bytes, z.written_bytes, z.live_bytes, z.min_seq, z.max_seq);
        else
            printf("zone %4u  SLBA 0x%-8" PRIx64 " %-8s written %9" PRIu64 "  live %9" PRIu64
                   "  seq %" PRIu64 "..%" PRIu64 "\n",
                   info.first_zone + i, z.start_lba, zone_state_name(z.state), z.written_bytes,
                   z.live_bytes, z.min_seq, z.max_seq);
    }
    if (cli->json && !summary)
        printf("\n]}\n");
    if (summary && !cli->json)
        printf("zones: %u EMPTY, %u HEAD, %u RETIRING, %u FULL, %u BAD\n", by_state[0], by_state[1],
               by_state[2], by_state[3], by_state[4]);
}

/* ---- verbs --------------------------------------------------------------- */

static enum store_exit do_put(zslab_store_t *s)
{
    void *buf = NULL;
    size_t len = 0;
    char msg[ERRLEN];
    if (zns_data_read(cli->data_path, false, 0, &buf, &len, msg, sizeof(msg)))
        return store_complain(STORE_BAD_INPUT, "%s", msg);
    int err = zslab_store_put(s, cli->id, buf, len);
    free(buf);
    if (!err)
        err = zslab_store_flush(s);
    if (err)
        return store_fail(err, zslab_store_last_error(s));
    if (cli->json)
        printf("{\"id\": %" PRIu64 ", \"bytes\": %zu}\n", cli->id, len);
    else
        printf("put %" PRIu64 ": %zu bytes, flushed\n", cli->id, len);
    return STORE_OK;
}

static enum store_exit do_get(zslab_store_t *s)
{
    size_t len = 0;
    int err = zslab_store_size(s, cli->id, &len);
    if (err)
        return store_complain(STORE_NOT_FOUND, "object %" PRIu64 ": no such object", cli->id);
    void *buf = malloc(len ? len : 1);
    if (!buf)
        return store_complain(STORE_SYSTEM, "out of memory for %zu bytes", len);
    err = zslab_store_get(s, cli->id, buf, len, &len);
    char msg[ERRLEN];
    enum store_exit code = STORE_OK;
    if (err)
        code = store_fail(err, zslab_store_last_error(s));
    else if (zns_data_write(cli->data_path, buf, len, msg, sizeof(msg)))
        code = store_complain(STORE_SYSTEM, "%s", msg);
    else if (cli->json)
        printf("{\"id\": %" PRIu64 ", \"bytes\": %zu}\n", cli->id, len);
    free(buf);
    return code;
}

static enum store_exit do_del(zslab_store_t *s)
{
    int err = zslab_store_delete(s, cli->id);
    if (err == -ZSLAB_ENOENT)
        return store_complain(STORE_NOT_FOUND, "object %" PRIu64 ": no such object", cli->id);
    if (!err)
        err = zslab_store_flush(s);
    if (err)
        return store_fail(err, zslab_store_last_error(s));
    if (cli->json)
        printf("{\"id\": %" PRIu64 ", \"deleted\": true}\n", cli->id);
    else
        printf("deleted %" PRIu64 ", flushed\n", cli->id);
    return STORE_OK;
}

static enum store_exit do_stats(zslab_store_t *s)
{
    zslab_store_counters_t c;
    zslab_store_get_counters(s, &c);
    if (cli->json) {
        printf("{\"counters\": ");
        store_print_counters(stdout, &c, true);
        store_print_appends(stdout, true);
        printf("}\n");
        return STORE_OK;
    }
    store_print_appends(stdout, false);
    store_print_counters(stdout, &c, false);
    print_zones(s, true); /* last: scripts take it with tail -n 1 */
    return STORE_OK;
}

static enum store_exit do_verify(zslab_store_t *s)
{
    uint64_t corrupt = 0;
    seen.nr_corrupt = 0; /* what open found is reported again by the scan */
    zslab_store_counters_t before, c;
    zslab_store_get_counters(s, &before);
    int err = zslab_store_verify(s, &corrupt);
    zslab_store_get_counters(s, &c);
    c.slabs_verified -= before.slabs_verified; /* this scan's, not recovery's */
    if (cli->json) {
        printf("{\"records_verified\": %" PRIu64 ", \"corrupt\": %" PRIu64 ", \"corrupt_slabs\": [",
               c.slabs_verified, corrupt);
        for (unsigned i = 0; i < seen.nr_corrupt; i++) {
            printf("%s{\"lba\": %" PRIu64 ", \"reason\": ", i ? ", " : "", seen.corrupt_lba[i]);
            zns_json_string(stdout, seen.corrupt_why[i]);
            printf("}");
        }
        printf("], \"live_objects\": %" PRIu64 "}\n", c.live_objects.current);
    } else {
        for (unsigned i = 0; i < seen.nr_corrupt; i++)
            printf("corrupt slab at LBA 0x%" PRIx64 " (%" PRIu64 "): %s\n", seen.corrupt_lba[i],
                   seen.corrupt_lba[i], seen.corrupt_why[i]);
        printf("verified %" PRIu64 " records, %" PRIu64 " corrupt, %" PRIu64 " live objects\n",
               c.slabs_verified, corrupt, c.live_objects.current);
    }
    if (err == -ZSLAB_EBADMSG)
        return store_complain(STORE_CORRUPT, "%s", zslab_store_last_error(s));
    return err ? store_fail(err, zslab_store_last_error(s)) : STORE_OK;
}

static int print_object(void *arg, uint64_t id, size_t len)
{
    unsigned *n = arg;
    if (cli->json)
        printf("%s{\"id\": %" PRIu64 ", \"bytes\": %zu}", (*n)++ ? ", " : "", id, len);
    else
        printf("%" PRIu64 " %zu\n", id, len);
    return 0;
}

static enum store_exit do_ls(zslab_store_t *s)
{
    unsigned n = 0;
    if (cli->json)
        printf("{\"objects\": [");
    zslab_store_for_each(s, print_object, &n);
    if (cli->json)
        printf("]}\n");
    return STORE_OK;
}

static enum store_exit do_reclaim(zslab_store_t *s)
{
    int n = zslab_store_reclaim(s, 1);
    if (n < 0)
        return store_fail(n, zslab_store_last_error(s));
    if (cli->json)
        printf("{\"reclaimed\": %d}\n", n);
    else
        printf("reclaimed %d zone%s\n", n, n == 1 ? "" : "s");
    return STORE_OK;
}

static enum store_exit run(zslab_store_t *s)
{
    switch (cli->verb) {
    case SV_INFO:
        print_info(s);
        return STORE_OK;
    case SV_PUT:
        return do_put(s);
    case SV_GET:
        return do_get(s);
    case SV_DEL:
        return do_del(s);
    case SV_FLUSH: {
        int err = zslab_store_flush(s);
        if (err)
            return store_fail(err, zslab_store_last_error(s));
        printf(cli->json ? "{\"flushed\": true}\n" : "flushed\n");
        return STORE_OK;
    }
    case SV_STATS:
        return do_stats(s);
    case SV_ZONES:
        print_zones(s, false);
        return STORE_OK;
    case SV_VERIFY:
        return do_verify(s);
    case SV_LS:
        return do_ls(s);
    case SV_FILL:
        return store_fill(s, cli);
    case SV_CHECK:
        return store_check(s, cli);
    case SV_RECLAIM:
        return do_reclaim(s);
    default:
        return STORE_BAD_INPUT;
    }
}

static bool read_only(enum store_verb verb)
{
    return verb == SV_INFO || verb == SV_GET || verb == SV_STATS || verb == SV_ZONES ||
           verb == SV_VERIFY || verb == SV_LS || verb == SV_CHECK;
}

static void config(zslab_store_config_t *cfg, struct zns_dev *dev)
{
    zslab_store_config_default(cfg);
    cfg->ops = &zns_zdev_ops;
    cfg->dev = dev;
    cfg->first_zone = cli->first_zone;
    cfg->nr_zones = cli->nr_zones;
    cfg->mode = cli->mode;
    if (cli->slab_bytes)
        cfg->slab_bytes = cli->slab_bytes;
    cfg->reclaim_free_zones = cli->reclaim_free;
    cfg->max_live_percent = cli->max_live_pct;
    cfg->max_open_zones = cli->max_open;
    cfg->verify_payload = !cli->no_verify;
    cfg->group_commit = cli->group_commit;
    cfg->read_only = read_only(cli->verb);
    if (cli->verb == SV_CHECK)
        cfg->read_cache_bytes = CHECK_CACHE_BYTES; /* check reads in put order */
    cfg->on_event = on_event;
}

static enum store_exit open_fail(int err, const char *msg)
{
    if (err == -ZSLAB_EPROTO || err == -ZSLAB_EEXIST || err == -ZSLAB_EINVAL || err == -ZSLAB_EBUSY)
        return store_complain(STORE_BAD_INPUT, "open the store: %s", msg);
    return store_fail(err, msg);
}

/*
 * Asynchronous appends (io_uring passthrough) unless --sync-append, or the
 * verb appends nothing and does not report how it would, or fill runs
 * several threads (measured slower with io_uring: docs/zone-store.md) and
 * --async-append does not insist; otherwise, or when io_uring is refused,
 * zns_zdev_ops's append_start says -EOPNOTSUPP and the store appends with
 * the blocking ioctl.  info, stats and fill print which, and -v says it on
 * stderr too.
 */
static void setup_appends(struct zns_dev *dev)
{
    bool reports = cli->verb == SV_INFO || cli->verb == SV_STATS;
    appends.async = false;
    if (cli->sync_append)
        snprintf(appends.why, sizeof(appends.why), "--sync-append");
    else if (cli->verb == SV_FILL && cli->threads > 1 && !cli->async_append)
        snprintf(appends.why, sizeof(appends.why),
                 "--threads %u: io_uring appends were slower with several writers; "
                 "--async-append to use them",
                 cli->threads);
    else if (read_only(cli->verb) && !reports)
        snprintf(appends.why, sizeof(appends.why), "read-only: no appends");
    else
        appends.async = zns_async_open(dev, appends.why, sizeof(appends.why)) == 0;
    if (cli->verbose)
        fprintf(stderr, "zns store: %s: appends %s: %s\n", cli->device,
                appends.async ? "asynchronous" : "synchronous", appends.why);
}

/* argv[0] is "store". */
int zns_store_main(int argc, char **argv)
{
    static struct store_cli parsed;
    char err[ERRLEN];
    if (store_cli_parse(argc, argv, &parsed, err, sizeof(err))) {
        fprintf(stderr, "zns store: %s\n", err);
        return STORE_BAD_INPUT;
    }
    cli = &parsed;
    if (parsed.help) {
        fputs(store_cli_usage(parsed.verb), stdout);
        return STORE_OK;
    }
    struct zns_dev dev;
    int ret = zns_open(&dev, parsed.device, !read_only(parsed.verb));
    if (ret) {
        bool bad = ret < 0 && ret != -ENOMEM && ret != -EIO;
        return store_complain(ret > 0 ? STORE_NVME_STATUS
                              : bad   ? STORE_BAD_INPUT
                                      : STORE_SYSTEM,
                              "open: %s", zns_strerror(ret));
    }
    setup_appends(&dev);
    zslab_store_config_t cfg;
    config(&cfg, &dev);
    enum store_exit code = STORE_OK;
    char msg[ERRLEN];
    if (parsed.verb == SV_FORMAT) {
        ret = zslab_store_format(&cfg, msg, sizeof(msg));
        if (ret)
            code = open_fail(ret, msg);
        else
            printf(parsed.json ? "{\"formatted\": true}\n"
                               : "formatted: every zone of the store reset\n");
        zns_close(&dev);
        return code;
    }
    zslab_store_t *s = NULL;
    ret = zslab_store_open(&cfg, &s, msg, sizeof(msg));
    if (ret) {
        zns_close(&dev);
        return open_fail(ret, msg);
    }
    code = run(s);
    ret = zslab_store_close(s, !read_only(parsed.verb));
    if (ret && code == STORE_OK)
        code = store_fail(ret, "close (flush)");
    zns_close(&dev);
    return code;
}
