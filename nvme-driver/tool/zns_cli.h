/* SPDX-License-Identifier: MIT */
/*
 * zns_cli.h - the `zns` tool's command line, parsed into one struct.
 * Parsing touches no device, so the unit tests drive it directly.
 */
#ifndef ZNS_CLI_H
#define ZNS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum zns_verb {
    ZNS_VERB_NONE,
    ZNS_VERB_INFO,
    ZNS_VERB_REPORT,
    ZNS_VERB_OPEN,
    ZNS_VERB_CLOSE,
    ZNS_VERB_FINISH,
    ZNS_VERB_RESET,
    ZNS_VERB_OFFLINE,
    ZNS_VERB_APPEND,
    ZNS_VERB_WRITE,
    ZNS_VERB_READ,
    ZNS_VERB_FLUSH,
};

/**
 * struct zns_cli - one parsed command line.
 * @verb:         the verb; ZNS_VERB_NONE with @help for `zns --help`.
 * @device:       namespace path (/dev/nvmeXnY or /dev/ngXnY).
 * @has_lba:      -s was given.
 * @lba:          -s/--start-lba: zone start LBA, or first LBA of read/write.
 * @all:          -a/--select-all (zone management).
 * @has_size:     -z was given.
 * @size_bytes:   -z/--data-size, bytes.
 * @max_zones:    report -n/--count: at most this many zones; 0 means all.
 * @state_filter: report -S/--state: a Report Zones filter (0 = all).
 * @data_path:    -d/--data: input (append, write) or output (read); NULL or
 *                "-" means stdin or stdout.
 * @json:         --json or -o json.
 * @at_wp:        write -w/--at-wp: -s names the zone, data goes to its wp.
 * @split:        append --split: split data larger than ZASL.
 * @async:        append --async: through io_uring passthrough
 *                (zns_append_start()/zns_append_wait()), not the ioctl.
 * @chunk_bytes:  append --chunk: bytes per append when splitting (implies
 *                @split); 0 means ZASL.
 * @batch_zones:  report --batch: zone descriptors per Report Zones command;
 *                0 means the driver's choice (as many as MDTS allows).
 * @no_check:     append/write/read --no-check: send the command without the
 *                driver's range checks, to see the device's own status.
 * @help:         -h/--help.
 */
struct zns_cli {
    enum zns_verb verb;
    const char *device;
    bool has_lba;
    uint64_t lba;
    bool all;
    bool has_size;
    uint64_t size_bytes;
    uint32_t max_zones;
    unsigned state_filter;
    const char *data_path;
    bool json;
    bool at_wp;
    bool split;
    bool async;
    uint64_t chunk_bytes;
    uint32_t batch_zones;
    bool no_check;
    bool help;
};

/**
 * struct zns_cli_opt - one option of a command line (zns_cli_walk()).
 * @id:          what the option is, to its parser.
 * @short_name:  e.g. 's' for -s; 0 for none.  A value may follow at once (-s5).
 * @long_name:   e.g. "start-lba" for --start-lba; a value may follow after '='.
 * @takes_value: the option needs a value (the next argument, or attached).
 * @verbs:       bits (1 << verb) of the verbs that accept it.
 */
struct zns_cli_opt {
    int id;
    char short_name;
    const char *long_name;
    bool takes_value;
    unsigned verbs;
};

/**
 * struct zns_cli_walk - how zns_cli_walk() reads a command line.
 * @opts, @nr_opts: the options.
 * @tool:       the command for messages, e.g. "zns" or "zns store".
 * @verb:       the verb's name, or "" when none was given.
 * @verb_bit:   1 << verb, or 0 when none was given (every option accepted).
 * @positional: called with each argument that is no option.
 * @apply:      called with each option and its value (NULL if it takes none).
 * @ctx:        passed to both.
 * The callbacks return 0, or -1 with a message in @err.
 */
struct zns_cli_walk {
    const struct zns_cli_opt *opts;
    size_t nr_opts;
    const char *tool;
    const char *verb;
    unsigned verb_bit;
    int (*positional)(void *ctx, const char *arg, char *err, size_t errlen);
    int (*apply)(void *ctx, const struct zns_cli_opt *o, const char *value, char *err,
                 size_t errlen);
    void *ctx;
};

/**
 * zns_cli_walk() - read argv from @first: options to @w->apply, the rest to
 * @w->positional; unknown options, options of other verbs and missing values
 * are refused by name.
 * @argc, @argv: the command line.
 * @first:       the first argument to read.
 * @w:           options and callbacks.
 * @err, @errlen: the message on failure.
 *
 * Return: 0, or -1 with @err set.
 */
int zns_cli_walk(int argc, char **argv, int first, const struct zns_cli_walk *w, char *err,
                 size_t errlen);

/**
 * zns_cli_fail() - format a message into @err; returns -1.
 * @err, @errlen: where.
 * @fmt:          printf format.
 */
int zns_cli_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * zns_cli_parse() - parse argv (argv[0] is the program name).
 * @argc:   argument count.
 * @argv:   arguments; the strings stay referenced by @cli.
 * @cli:    receives the parsed command line.
 * @err:    receives a one-line message on failure.
 * @errlen: size of @err, bytes.
 *
 * Return: 0, or -1 with @err set (unknown verb or option, missing or bad
 * value, option not valid for the verb, missing device).
 */
int zns_cli_parse(int argc, char **argv, struct zns_cli *cli, char *err, size_t errlen);

/**
 * zns_cli_usage() - the help text of a verb, or of the tool (ZNS_VERB_NONE).
 * @verb: the verb.
 *
 * Return: a static string.
 */
const char *zns_cli_usage(enum zns_verb verb);

/**
 * zns_cli_verb_name() - the name of a verb as typed.
 * @verb: the verb.
 *
 * Return: a static string ("" for ZNS_VERB_NONE).
 */
const char *zns_cli_verb_name(enum zns_verb verb);

/**
 * zns_cli_parse_size() - parse a number with an optional binary suffix.
 * @text: decimal or 0x hex, optionally followed by k, K, KiB, M, MiB, G, GiB.
 * @out:  receives the value.
 *
 * Return: 0, or -1 when @text is empty, negative, malformed or overflows.
 */
int zns_cli_parse_size(const char *text, uint64_t *out);

/**
 * zns_cli_parse_state() - parse a report state filter.
 * @text: a state name as nvme-cli prints it (EMPTY, IMP_OPENED, EXP_OPENED,
 *        CLOSED, FULL, READONLY, OFFLINE; any case) or "all", or the filter
 *        number 0-7.
 * @out:  receives the Report Zones filter value.
 *
 * Return: 0, or -1 when @text names no state.
 */
int zns_cli_parse_state(const char *text, unsigned *out);

#endif /* ZNS_CLI_H */
