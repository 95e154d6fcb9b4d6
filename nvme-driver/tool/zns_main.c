/* SPDX-License-Identifier: MIT */
/*
 * zns_main.c - the `zns` tool: one function per verb over libzns.
 *
 * Exit status: 0 success; 1 bad input refused before any command was sent;
 * 2 the device returned an NVMe status; 3 system or I/O error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zns.h"
#include "zns_cli.h"
#include "zns_data.h"
#include "zns_internal.h"
#include "zns_out.h"
#include "zns_store.h"

enum exit_code { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_NVME_STATUS = 2, EXIT_SYSTEM = 3 };
#define ERRLEN 256

static const struct zns_cli *cli; /* the command line, for messages */

static enum exit_code complain(enum exit_code code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "zns %s: %s: ", zns_cli_verb_name(cli->verb), cli->device);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

/* The driver's own refusals are bad input; a status is the device's word. */
static enum exit_code fail_err(int err, const char *what)
{
    if (err > 0)
        return complain(EXIT_NVME_STATUS, "%s: %s (NVMe status 0x%x)", what, zns_strerror(err),
                        err);
    switch (-err) {
    case EINVAL:
    case ERANGE:
    case EXDEV:
    case ENOSPC:
    case E2BIG:
    case EMEDIUMTYPE:
    case ENOTTY:
    case EOPNOTSUPP:
    case ENOENT:
    case ENOTDIR:
    case EACCES:
        return complain(EXIT_BAD_INPUT, "%s: %s", what, zns_strerror(err));
    default:
        return complain(EXIT_SYSTEM, "%s: %s", what, zns_strerror(err));
    }
}

static bool writes(enum zns_verb verb)
{
    return verb != ZNS_VERB_INFO && verb != ZNS_VERB_REPORT && verb != ZNS_VERB_READ;
}

/* Precise messages for what the driver would refuse anyway. */
static enum exit_code check_zone_start(const struct zns_geometry *geo, uint64_t lba)
{
    if (lba >= geo->ns_lbas)
        return complain(EXIT_BAD_INPUT,
                        "LBA 0x%" PRIx64 " (%" PRIu64 ") is past the end of the namespace "
                        "(%" PRIu64 " LBAs)",
                        lba, lba, geo->ns_lbas);
    if (lba % geo->zone_size_lbas != 0)
        return complain(EXIT_BAD_INPUT,
                        "LBA 0x%" PRIx64 " (%" PRIu64 ") is not a zone start (zone size 0x%" PRIx64
                        " LBAs)",
                        lba, lba, geo->zone_size_lbas);
    return EXIT_OK;
}

static enum exit_code check_size(const struct zns_geometry *geo, size_t len)
{
    if (len == 0 || len % geo->lba_bytes != 0)
        return complain(EXIT_BAD_INPUT,
                        "size %zu bytes is not a non-zero multiple of the LBA size (%u bytes)", len,
                        geo->lba_bytes);
    return EXIT_OK;
}

static enum exit_code do_info(const struct zns_dev *dev)
{
    zns_print_info(stdout, cli->device, &dev->geo, cli->json);
    return EXIT_OK;
}

static enum exit_code do_report(const struct zns_dev *dev)
{
    uint64_t from = cli->has_lba ? cli->lba : 0;
    if (from >= dev->geo.ns_lbas)
        return check_zone_start(&dev->geo, from);
    uint32_t nr = cli->max_zones ? cli->max_zones : dev->geo.nr_zones;
    struct zslab_zone *zones = calloc(nr ? nr : 1, sizeof(*zones));
    if (!zones)
        return complain(EXIT_SYSTEM, "out of memory for %u zones", nr);
    int err = zns_report_zones(dev, from, (enum zns_report_filter)cli->state_filter, zones, &nr);
    enum exit_code code = EXIT_OK;
    if (err)
        code = fail_err(err, "report zones");
    else
        zns_print_report(stdout, zones, nr, cli->json);
    free(zones);
    return code;
}

static enum zslab_zone_action verb_action(enum zns_verb verb)
{
    switch (verb) {
    case ZNS_VERB_OPEN:
        return ZSLAB_ZONE_OPEN;
    case ZNS_VERB_CLOSE:
        return ZSLAB_ZONE_CLOSE;
    case ZNS_VERB_FINISH:
        return ZSLAB_ZONE_FINISH;
    case ZNS_VERB_OFFLINE:
        return ZSLAB_ZONE_OFFLINE_ACTION;
    default:
        return ZSLAB_ZONE_RESET;
    }
}

static enum exit_code do_mgmt(const struct zns_dev *dev)
{
    enum zslab_zone_action action = verb_action(cli->verb);
    char what[64];
    if (cli->all) {
        snprintf(what, sizeof(what), "%s all zones", zns_zone_action_name(action));
    } else {
        enum exit_code code = check_zone_start(&dev->geo, cli->lba);
        if (code)
            return code;
        snprintf(what, sizeof(what), "%s zone 0x%" PRIx64 " (%" PRIu64 ")",
                 zns_zone_action_name(action), cli->lba, cli->lba);
    }
    int err = zns_zone_mgmt(dev, cli->lba, action, cli->all);
    if (err)
        return fail_err(err, what);
    if (cli->json)
        printf("{\"action\": \"%s\", \"slba\": %" PRIu64 ", \"all\": %s}\n",
               zns_zone_action_name(action), cli->all ? 0 : cli->lba, cli->all ? "true" : "false");
    else
        printf("%s: Success\n", what);
    return EXIT_OK;
}

static enum exit_code load_input(const struct zns_dev *dev, void **buf, size_t *len)
{
    char err[ERRLEN];
    if (zns_data_read(cli->data_path, cli->has_size, cli->size_bytes, buf, len, err, sizeof(err)))
        return complain(EXIT_BAD_INPUT, "%s", err);
    enum exit_code code = check_size(&dev->geo, *len);
    if (code) {
        free(*buf);
        *buf = NULL;
    }
    return code;
}

static void print_io(const char *verb, uint64_t lba, size_t len, const struct zns_dev *dev)
{
    uint64_t nlb = len / dev->geo.lba_bytes;
    if (cli->json)
        printf("{\"zslba\": %" PRIu64 ", \"lba\": %" PRIu64 ", \"nlb\": %" PRIu64
               ", \"bytes\": %zu}\n",
               lba - lba % dev->geo.zone_size_lbas, lba, nlb, len);
    else
        printf("%s %" PRIu64 " LBAs (%zu bytes) at LBA 0x%" PRIx64 " (%" PRIu64 ")\n", verb, nlb,
               len, lba, lba);
}

/* The length of --split's input, checked before anything is sent when known. */
static enum exit_code check_stream_size(const struct zns_dev *dev, uint64_t known, uint64_t *total)
{
    *total = cli->has_size ? cli->size_bytes : known;
    if (cli->has_size && known != ZNS_DATA_SIZE_UNKNOWN && known < cli->size_bytes)
        return complain(EXIT_BAD_INPUT, "input has only %" PRIu64 " bytes, -z asks for %" PRIu64,
                        known, cli->size_bytes);
    if (*total == ZNS_DATA_SIZE_UNKNOWN)
        return EXIT_OK;
    return check_size(&dev->geo, (size_t)*total);
}

/* One chunk of --split's input: -1 at the end, else its length. */
static long next_chunk(int fd, void *buf, size_t chunk, uint64_t total, uint64_t done,
                       enum exit_code *code, const struct zns_geometry *geo)
{
    char msg[ERRLEN];
    size_t want = chunk;
    if (total != ZNS_DATA_SIZE_UNKNOWN && total - done < want)
        want = (size_t)(total - done);
    if (want == 0)
        return -1;
    long got = zns_data_read_full(fd, buf, want, msg, sizeof(msg));
    if (got < 0)
        *code = complain(EXIT_SYSTEM, "%s", msg);
    else if (got == 0 && total != ZNS_DATA_SIZE_UNKNOWN)
        *code = complain(EXIT_BAD_INPUT, "input ended after %" PRIu64 " of %" PRIu64 " bytes", done,
                         total);
    else if (got == 0 && done == 0)
        *code = check_size(geo, 0);
    else if (got % geo->lba_bytes != 0)
        *code = complain(EXIT_BAD_INPUT,
                         "input ends with %ld bytes, not a whole LBA (%u bytes); the %" PRIu64
                         " bytes before were appended",
                         got, geo->lba_bytes, done);
    return got > 0 && *code == EXIT_OK ? got : -1;
}

/*
 * --split: one Zone Append per chunk, in order, each chunk's LBA printed.  The
 * input streams through one chunk of memory, so any length goes, and no large
 * buffer is faulted in first.  Its length is checked before sending when it
 * is known (-z, a regular file); from a pipe, a partial LBA at its end is
 * found after the chunks before it were appended.
 */
static enum exit_code append_split(const struct zns_dev *dev)
{
    size_t chunk = cli->chunk_bytes ? (size_t)cli->chunk_bytes : dev->geo.zasl_bytes;
    char msg[ERRLEN];
    uint64_t known = 0, total = 0, done = 0;
    int fd = zns_data_open_input(cli->data_path, &known, msg, sizeof(msg));
    if (fd < 0)
        return complain(EXIT_BAD_INPUT, "%s", msg);
    void *buf = NULL;
    enum exit_code code = check_stream_size(dev, known, &total);
    if (!code && posix_memalign(&buf, ZNS_DATA_ALIGN_BYTES, chunk) != 0)
        code = complain(EXIT_SYSTEM, "out of memory for %zu bytes", chunk);
    bool json_open = !code && cli->json;
    if (json_open)
        printf("{\"zslba\": %" PRIu64 ", \"chunks\": [", cli->lba);
    int err = 0;
    while (!code) {
        long got = next_chunk(fd, buf, chunk, total, done, &code, &dev->geo);
        if (got < 0)
            break;
        uint64_t lba = 0;
        err = zns_append(dev, cli->lba, buf, (size_t)got, &lba);
        if (err)
            break;
        if (cli->json)
            printf("%s{\"lba\": %" PRIu64 ", \"nlb\": %ld}", done ? ", " : "", lba,
                   got / (long)dev->geo.lba_bytes);
        else
            print_io("appended", lba, (size_t)got, dev);
        done += (uint64_t)got;
    }
    if (json_open)
        printf("], \"bytes\": %" PRIu64 "}\n", done);
    free(buf);
    zns_data_close_input(cli->data_path, fd);
    return err ? fail_err(err, "append") : code;
}

/* --chunk: LBA-aligned, and within ZASL unless the checks are off. */
static enum exit_code check_chunk(const struct zns_geometry *geo)
{
    if (!cli->chunk_bytes)
        return EXIT_OK;
    if (cli->chunk_bytes % geo->lba_bytes != 0)
        return complain(EXIT_BAD_INPUT,
                        "chunk %" PRIu64 " bytes is not a multiple of the LBA size (%u bytes)",
                        cli->chunk_bytes, geo->lba_bytes);
    if (cli->chunk_bytes > geo->zasl_bytes && !cli->no_check)
        return complain(EXIT_BAD_INPUT,
                        "chunk %" PRIu64 " bytes is over the Zone Append Size Limit (ZASL, %u "
                        "bytes)",
                        cli->chunk_bytes, geo->zasl_bytes);
    return EXIT_OK;
}

static enum exit_code do_append(const struct zns_dev *dev)
{
    enum exit_code code = cli->no_check ? EXIT_OK : check_zone_start(&dev->geo, cli->lba);
    void *buf = NULL;
    size_t len = 0;
    if (code || (code = check_chunk(&dev->geo)))
        return code;
    if (cli->split)
        return append_split(dev);
    if ((code = load_input(dev, &buf, &len)))
        return code;
    if (len > dev->geo.zasl_bytes && !cli->no_check) {
        free(buf);
        return complain(EXIT_BAD_INPUT,
                        "size %zu bytes is over the Zone Append Size Limit (ZASL, %u bytes); "
                        "use --split to append it in chunks",
                        len, dev->geo.zasl_bytes);
    }
    uint64_t lba = 0;
    int err = cli->async ? zns_append_start(dev, cli->lba, buf, len, 0)
                         : zns_append(dev, cli->lba, buf, len, &lba);
    if (!err && cli->async)
        err = zns_append_wait(dev, 0, &lba);
    free(buf);
    if (err)
        return fail_err(err, "append");
    print_io("appended", lba, len, dev);
    return EXIT_OK;
}

static enum exit_code do_write(const struct zns_dev *dev)
{
    enum exit_code code = cli->at_wp ? check_zone_start(&dev->geo, cli->lba) : EXIT_OK;
    void *buf = NULL;
    size_t len = 0;
    if (code || (code = load_input(dev, &buf, &len)))
        return code;
    uint64_t lba = cli->lba;
    int err = cli->at_wp ? zns_write_at_wp(dev, cli->lba, buf, len, &lba)
                         : zns_write(dev, cli->lba, buf, len);
    free(buf);
    if (err)
        return fail_err(err, "write");
    print_io("wrote", lba, len, dev);
    return EXIT_OK;
}

static enum exit_code do_read(const struct zns_dev *dev)
{
    size_t len = (size_t)cli->size_bytes;
    enum exit_code code = check_size(&dev->geo, len);
    if (code)
        return code;
    if (cli->size_bytes > ZNS_DATA_MAX_BYTES)
        return complain(EXIT_BAD_INPUT, "size over the tool's limit of %llu bytes",
                        (unsigned long long)ZNS_DATA_MAX_BYTES);
    void *buf = NULL;
    if (posix_memalign(&buf, ZNS_DATA_ALIGN_BYTES, len) != 0)
        return complain(EXIT_SYSTEM, "out of memory for %zu bytes", len);
    int err = zns_read(dev, cli->lba, buf, len);
    char msg[ERRLEN];
    if (err)
        code = fail_err(err, "read");
    else if (zns_data_write(cli->data_path, buf, len, msg, sizeof(msg)))
        code = complain(EXIT_SYSTEM, "%s", msg);
    else if (cli->json)
        print_io("read", cli->lba, len, dev);
    free(buf);
    return code;
}

/* NVMe Flush: what completed before is on media (a volatile write cache). */
static enum exit_code do_flush(const struct zns_dev *dev)
{
    int err = zns_flush(dev);
    if (err)
        return fail_err(err, "flush");
    printf(cli->json ? "{\"flushed\": true}\n" : "flush: Success\n");
    return EXIT_OK;
}

static enum exit_code run(const struct zns_dev *dev)
{
    switch (cli->verb) {
    case ZNS_VERB_INFO:
        return do_info(dev);
    case ZNS_VERB_REPORT:
        return do_report(dev);
    case ZNS_VERB_APPEND:
        return do_append(dev);
    case ZNS_VERB_WRITE:
        return do_write(dev);
    case ZNS_VERB_READ:
        return do_read(dev);
    case ZNS_VERB_FLUSH:
        return do_flush(dev);
    case ZNS_VERB_NONE:
        return EXIT_BAD_INPUT;
    default:
        return do_mgmt(dev);
    }
}

int main(int argc, char **argv)
{
    static struct zns_cli parsed;
    char err[ERRLEN];
    if (argc > 1 && strcmp(argv[1], "store") == 0)
        return zns_store_main(argc - 1, argv + 1);
    if (zns_cli_parse(argc, argv, &parsed, err, sizeof(err))) {
        fprintf(stderr, "zns: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    cli = &parsed;
    if (parsed.help) {
        fputs(zns_cli_usage(parsed.verb), stdout);
        return EXIT_OK;
    }
    struct zns_dev dev;
    int ret = zns_open(&dev, parsed.device, writes(parsed.verb));
    if (ret)
        return fail_err(ret, "open");
    dev.skip_checks = parsed.no_check;
    if (parsed.batch_zones)
        dev.report_batch_zones = parsed.batch_zones;
    if (parsed.async && parsed.split) {
        zns_close(&dev);
        return complain(EXIT_BAD_INPUT, "--async appends one buffer: not with --split or --chunk");
    }
    char why[ERRLEN];
    if (parsed.async && (ret = zns_async_open(&dev, why, sizeof(why)))) {
        zns_close(&dev);
        return complain(EXIT_SYSTEM, "--async: %s", why);
    }
    enum exit_code code = run(&dev);
    zns_close(&dev);
    return code;
}
