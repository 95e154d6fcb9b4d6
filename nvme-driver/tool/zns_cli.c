/* SPDX-License-Identifier: MIT */
/*
 * zns_cli.c - parsing of the `zns` command line: verbs, options, numbers.
 * Options follow nvme-cli's zns plugin where it has one (-s start LBA, -a
 * select all, -z data size, -d data file, -o json) and xNVMe's verb names.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zns_cli.h"

#define VERB_BIT(v) (1u << (v))
#define MGMT_VERBS                                                                                 \
    (VERB_BIT(ZNS_VERB_OPEN) | VERB_BIT(ZNS_VERB_CLOSE) | VERB_BIT(ZNS_VERB_FINISH) |              \
     VERB_BIT(ZNS_VERB_RESET) | VERB_BIT(ZNS_VERB_OFFLINE))
#define IO_VERBS  (VERB_BIT(ZNS_VERB_APPEND) | VERB_BIT(ZNS_VERB_WRITE) | VERB_BIT(ZNS_VERB_READ))
#define ALL_VERBS 0xffffu
#define KIB       1024ull

static const char *const verb_names[] = {
    [ZNS_VERB_NONE] = "",       [ZNS_VERB_INFO] = "info",       [ZNS_VERB_REPORT] = "report",
    [ZNS_VERB_OPEN] = "open",   [ZNS_VERB_CLOSE] = "close",     [ZNS_VERB_FINISH] = "finish",
    [ZNS_VERB_RESET] = "reset", [ZNS_VERB_OFFLINE] = "offline", [ZNS_VERB_APPEND] = "append",
    [ZNS_VERB_WRITE] = "write", [ZNS_VERB_READ] = "read",       [ZNS_VERB_FLUSH] = "flush",
};
#define NR_VERBS (sizeof(verb_names) / sizeof(verb_names[0]))

enum opt_id {
    OPT_LBA,
    OPT_ALL,
    OPT_SIZE,
    OPT_COUNT,
    OPT_STATE,
    OPT_DATA,
    OPT_JSON,
    OPT_FORMAT,
    OPT_AT_WP,
    OPT_SPLIT,
    OPT_ASYNC,
    OPT_CHUNK,
    OPT_BATCH,
    OPT_NO_CHECK,
    OPT_HELP
};

static const struct zns_cli_opt opts[] = {
    {OPT_LBA, 's', "start-lba", true, MGMT_VERBS | IO_VERBS | VERB_BIT(ZNS_VERB_REPORT)},
    {OPT_ALL, 'a', "select-all", false, MGMT_VERBS},
    {OPT_SIZE, 'z', "data-size", true, IO_VERBS},
    {OPT_COUNT, 'n', "count", true, VERB_BIT(ZNS_VERB_REPORT)},
    {OPT_STATE, 'S', "state", true, VERB_BIT(ZNS_VERB_REPORT)},
    {OPT_DATA, 'd', "data", true, IO_VERBS},
    {OPT_JSON, 'j', "json", false, ALL_VERBS},
    {OPT_FORMAT, 'o', "output-format", true, ALL_VERBS},
    {OPT_AT_WP, 'w', "at-wp", false, VERB_BIT(ZNS_VERB_WRITE)},
    {OPT_SPLIT, 0, "split", false, VERB_BIT(ZNS_VERB_APPEND)},
    {OPT_ASYNC, 0, "async", false, VERB_BIT(ZNS_VERB_APPEND)},
    {OPT_CHUNK, 0, "chunk", true, VERB_BIT(ZNS_VERB_APPEND)},
    {OPT_BATCH, 0, "batch", true, VERB_BIT(ZNS_VERB_REPORT)},
    {OPT_NO_CHECK, 0, "no-check", false, IO_VERBS},
    {OPT_HELP, 'h', "help", false, ALL_VERBS},
};
#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))

int zns_cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#define fail zns_cli_fail

const char *zns_cli_verb_name(enum zns_verb verb)
{
    return (unsigned)verb < NR_VERBS ? verb_names[verb] : "";
}

int zns_cli_parse_size(const char *text, uint64_t *out)
{
    static const struct {
        const char *suffix;
        unsigned long long scale;
    } suffixes[] = {{"", 1},
                    {"k", KIB},
                    {"K", KIB},
                    {"KiB", KIB},
                    {"M", KIB * KIB},
                    {"MiB", KIB * KIB},
                    {"G", KIB * KIB * KIB},
                    {"GiB", KIB * KIB * KIB}};
    if (!text || !isdigit((unsigned char)text[0]))
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || end == text)
        return -1;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (strcmp(end, suffixes[i].suffix) != 0)
            continue;
        if (value > UINT64_MAX / suffixes[i].scale)
            return -1;
        *out = value * suffixes[i].scale;
        return 0;
    }
    return -1;
}

int zns_cli_parse_state(const char *text, unsigned *out)
{
    /* Index = Report Zones filter value; names as nvme-cli prints states. */
    static const char *const names[] = {"all",    "EMPTY", "IMP_OPENED", "EXP_OPENED",
                                        "CLOSED", "FULL",  "READONLY",   "OFFLINE"};
    if (!text || !text[0])
        return -1;
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    if (text[0] >= '0' && text[0] <= '7' && text[1] == '\0') {
        *out = (unsigned)(text[0] - '0');
        return 0;
    }
    return -1;
}

static const struct zns_cli_opt *find_opt(const struct zns_cli_walk *w, const char *arg,
                                          const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < w->nr_opts; i++) {
        const struct zns_cli_opt *o = &w->opts[i];
        if (arg[1] == '-') {
            size_t n = strlen(o->long_name);
            if (strncmp(arg + 2, o->long_name, n) != 0)
                continue;
            if (arg[2 + n] == '=' && o->takes_value)
                *inline_value = arg + 3 + n;
            else if (arg[2 + n] != '\0')
                continue;
            return o;
        }
        if (o->short_name && arg[1] == o->short_name) {
            if (arg[2] != '\0' && o->takes_value)
                *inline_value = arg + 2;
            else if (arg[2] != '\0')
                continue;
            return o;
        }
    }
    return NULL;
}

int zns_cli_walk(int argc, char **argv, int first, const struct zns_cli_walk *w, char *err,
                 size_t errlen)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (w->positional(w->ctx, arg, err, errlen))
                return -1;
            continue;
        }
        const char *value = NULL;
        const struct zns_cli_opt *o = find_opt(w, arg, &value);
        if (!o)
            return fail(err, errlen, "unknown option '%s' (see %s %s --help)", arg, w->tool,
                        w->verb);
        if (w->verb_bit && !(o->verbs & w->verb_bit))
            return fail(err, errlen, "%s: option '%s' does not apply to this verb", w->verb, arg);
        if (o->takes_value && !value) {
            if (i + 1 >= argc)
                return fail(err, errlen, "option '%s' needs a value", arg);
            value = argv[++i];
        }
        if (w->apply(w->ctx, o, value, err, errlen))
            return -1;
    }
    return 0;
}

static int apply_opt(void *ctx, const struct zns_cli_opt *o, const char *value, char *err,
                     size_t errlen)
{
    struct zns_cli *cli = ctx;
    uint64_t number = 0;
    switch ((enum opt_id)o->id) {
    case OPT_LBA:
        if (zns_cli_parse_size(value, &cli->lba))
            return fail(err, errlen, "bad LBA '%s': give a decimal or 0x hex number", value);
        cli->has_lba = true;
        return 0;
    case OPT_SIZE:
        if (zns_cli_parse_size(value, &cli->size_bytes) || cli->size_bytes == 0)
            return fail(err, errlen, "bad size '%s': give bytes, e.g. 4096, 0x1000, 64K, 1M",
                        value);
        cli->has_size = true;
        return 0;
    case OPT_COUNT:
        if (zns_cli_parse_size(value, &number) || number == 0 || number > UINT32_MAX)
            return fail(err, errlen, "bad zone count '%s'", value);
        cli->max_zones = (uint32_t)number;
        return 0;
    case OPT_STATE:
        if (zns_cli_parse_state(value, &cli->state_filter))
            return fail(err, errlen,
                        "bad state '%s': use all, EMPTY, IMP_OPENED, EXP_OPENED, CLOSED, FULL, "
                        "READONLY, OFFLINE or 0-7",
                        value);
        return 0;
    case OPT_FORMAT:
        if (strcmp(value, "json") != 0 && strcmp(value, "normal") != 0)
            return fail(err, errlen, "bad output format '%s': use json or normal", value);
        cli->json = strcmp(value, "json") == 0;
        return 0;
    case OPT_DATA:
        cli->data_path = value;
        return 0;
    case OPT_ALL:
        cli->all = true;
        return 0;
    case OPT_JSON:
        cli->json = true;
        return 0;
    case OPT_AT_WP:
        cli->at_wp = true;
        return 0;
    case OPT_SPLIT:
        cli->split = true;
        return 0;
    case OPT_ASYNC:
        cli->async = true;
        return 0;
    case OPT_CHUNK:
        if (zns_cli_parse_size(value, &cli->chunk_bytes) || cli->chunk_bytes == 0)
            return fail(err, errlen, "bad chunk size '%s': give bytes, e.g. 4096, 64K", value);
        cli->split = true;
        return 0;
    case OPT_BATCH:
        if (zns_cli_parse_size(value, &number) || number == 0 || number > UINT32_MAX)
            return fail(err, errlen, "bad batch '%s': give a number of zones, at least 1", value);
        cli->batch_zones = (uint32_t)number;
        return 0;
    case OPT_NO_CHECK:
        cli->no_check = true;
        return 0;
    case OPT_HELP:
        cli->help = true;
        return 0;
    }
    return fail(err, errlen, "internal error: option %d", (int)o->id);
}

static int parse_verb(const char *word, struct zns_cli *cli, char *err, size_t errlen)
{
    for (unsigned v = ZNS_VERB_INFO; v < NR_VERBS; v++) {
        if (strcmp(word, verb_names[v]) == 0) {
            cli->verb = (enum zns_verb)v;
            return 0;
        }
    }
    return fail(err, errlen, "unknown verb '%s' (see zns --help)", word);
}

/* What each verb needs, checked once every option is known. */
static int check_complete(const struct zns_cli *cli, char *err, size_t errlen)
{
    const char *verb = verb_names[cli->verb];
    if (!cli->device)
        return fail(err, errlen, "%s: missing device (e.g. /dev/ng0n1)", verb);
    unsigned bit = VERB_BIT(cli->verb);
    if ((bit & MGMT_VERBS) && cli->has_lba == cli->all)
        return fail(err, errlen, "%s: give exactly one of -s ZONE_START_LBA and -a (all zones)",
                    verb);
    if ((bit & IO_VERBS) && !cli->has_lba)
        return fail(err, errlen, "%s: missing -s %s", verb,
                    cli->verb == ZNS_VERB_READ ? "LBA" : "ZONE_START_LBA or LBA");
    if (cli->verb == ZNS_VERB_READ && !cli->has_size)
        return fail(err, errlen, "read: missing -z BYTES");
    if (cli->verb == ZNS_VERB_READ && cli->json &&
        (!cli->data_path || !strcmp(cli->data_path, "-")))
        return fail(err, errlen, "read: --json needs -d FILE (the data goes to stdout otherwise)");
    return 0;
}

static int positional(void *ctx, const char *arg, char *err, size_t errlen)
{
    struct zns_cli *cli = ctx;
    if (cli->verb == ZNS_VERB_NONE)
        return fail(err, errlen, "unknown verb '%s' (see zns --help)", arg);
    if (cli->device)
        return fail(err, errlen, "%s: unexpected argument '%s'", verb_names[cli->verb], arg);
    cli->device = arg;
    return 0;
}

int zns_cli_parse(int argc, char **argv, struct zns_cli *cli, char *err, size_t errlen)
{
    memset(cli, 0, sizeof(*cli));
    int i = 1;
    if (i < argc && argv[i][0] != '-' && parse_verb(argv[i++], cli, err, errlen))
        return -1;
    struct zns_cli_walk w = {
        .opts = opts,
        .nr_opts = NR_OPTS,
        .tool = "zns",
        .verb = verb_names[cli->verb],
        .verb_bit = cli->verb == ZNS_VERB_NONE ? 0 : VERB_BIT(cli->verb),
        .positional = positional,
        .apply = apply_opt,
        .ctx = cli,
    };
    if (zns_cli_walk(argc, argv, i, &w, err, errlen))
        return -1;
    if (cli->help)
        return 0;
    if (cli->verb == ZNS_VERB_NONE)
        return fail(err, errlen, "missing verb (see zns --help)");
    return check_complete(cli, err, errlen);
}
