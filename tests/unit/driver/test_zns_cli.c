/* SPDX-License-Identifier: MIT */
/*
 * test_zns_cli.c - the zns tool's command-line parser, number and state
 * parsing, JSON escaping and report JSON, without a device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zns_cli.h"
#include "zns_out.h"

static struct zns_cli cli;
static char err[256];

#define PARSE(...)                                                                                 \
    parse((char *[]){"zns", __VA_ARGS__, NULL},                                                    \
          sizeof((char *[]){"zns", __VA_ARGS__}) / sizeof(char *))

static int parse(char **argv, size_t argc)
{
    err[0] = '\0';
    return zns_cli_parse((int)argc, argv, &cli, err, sizeof(err));
}

static void verbs_and_options_parse(void **state)
{
    (void)state;
    assert_int_equal(
        PARSE("append", "/dev/ng0n1", "-s", "0x1000", "-z", "64K", "-d", "f", "--json"), 0);
    assert_int_equal(cli.verb, ZNS_VERB_APPEND);
    assert_string_equal(cli.device, "/dev/ng0n1");
    assert_true(cli.has_lba);
    assert_int_equal(cli.lba, 0x1000);
    assert_int_equal(cli.size_bytes, 65536);
    assert_string_equal(cli.data_path, "f");
    assert_true(cli.json);
    assert_int_equal(PARSE("reset", "--select-all", "/dev/nvme0n1", "-o", "json"), 0);
    assert_true(cli.all);
    assert_true(cli.json);
    assert_int_equal(PARSE("report", "/dev/ng0n1", "--state=full", "-n5", "--start-lba=64"), 0);
    assert_int_equal(cli.state_filter, 5);
    assert_int_equal(cli.max_zones, 5);
    assert_int_equal(cli.lba, 64);
    assert_int_equal(PARSE("write", "/dev/ng0n1", "-w", "-s", "0"), 0);
    assert_true(cli.at_wp);
    assert_int_equal(PARSE("read", "/dev/ng0n1", "-s", "8", "-z", "4096"), 0);
    assert_null(cli.data_path);
    assert_false(cli.no_check);
    assert_int_equal(PARSE("read", "/dev/ng0n1", "-s", "8", "-z", "4096", "--no-check"), 0);
    assert_true(cli.no_check);
    assert_int_equal(PARSE("append", "/dev/ng0n1", "-s", "0", "--chunk", "512"), 0);
    assert_int_equal(cli.chunk_bytes, 512);
    assert_true(cli.split); /* --chunk implies --split */
    assert_int_equal(PARSE("report", "/dev/ng0n1", "--batch=3"), 0);
    assert_int_equal(cli.batch_zones, 3);
    assert_int_equal(PARSE("--help"), 0);
    assert_true(cli.help);
    assert_int_equal(cli.verb, ZNS_VERB_NONE);
    assert_int_equal(PARSE("finish", "--help"), 0);
    assert_true(cli.help);
    assert_int_equal(cli.verb, ZNS_VERB_FINISH);
}

static void bad_command_lines_say_what_is_wrong(void **state)
{
    (void)state;
    static const struct {
        char *argv[10];
        const char *message;
    } bad[] = {
        {{"zns", NULL}, "missing verb"},
        {{"zns", "frob", "/dev/ng0n1", NULL}, "unknown verb 'frob'"},
        {{"zns", "info", NULL}, "missing device"},
        {{"zns", "info", "/dev/a", "/dev/b", NULL}, "unexpected argument '/dev/b'"},
        {{"zns", "report", "/dev/a", "--bogus", NULL}, "unknown option '--bogus'"},
        {{"zns", "reset", "/dev/a", NULL}, "exactly one of -s"},
        {{"zns", "reset", "/dev/a", "-s", "0", "-a", NULL}, "exactly one of -s"},
        {{"zns", "append", "/dev/a", "-a", NULL}, "does not apply"},
        {{"zns", "append", "/dev/a", NULL}, "missing -s"},
        {{"zns", "read", "/dev/a", "-s", "0", NULL}, "missing -z"},
        {{"zns", "read", "/dev/a", "-s", "0", "-z", "4k", "--json", NULL}, "needs -d FILE"},
        {{"zns", "write", "/dev/a", "-s", "-1", NULL}, "bad LBA '-1'"},
        {{"zns", "write", "/dev/a", "-s", "0", "-z", "0", NULL}, "bad size '0'"},
        {{"zns", "write", "/dev/a", "-s", "0", "-z", "12Q", NULL}, "bad size '12Q'"},
        {{"zns", "report", "/dev/a", "-S", "half", NULL}, "bad state 'half'"},
        {{"zns", "report", "/dev/a", "-o", "xml", NULL}, "bad output format 'xml'"},
        {{"zns", "write", "/dev/a", "-s", NULL}, "needs a value"},
        {{"zns", "report", "/dev/a", "--batch", "0", NULL}, "bad batch '0'"},
        {{"zns", "append", "/dev/a", "-s", "0", "--chunk", "0", NULL}, "bad chunk size '0'"},
        {{"zns", "write", "/dev/a", "-s", "0", "--chunk", "4K", NULL}, "does not apply"},
        {{"zns", "reset", "/dev/a", "-a", "--no-check", NULL}, "does not apply"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t argc = 0;
        while (bad[i].argv[argc])
            argc++;
        assert_int_equal(parse((char **)bad[i].argv, argc), -1);
        if (!strstr(err, bad[i].message))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].message);
    }
}

static void sizes_and_states_parse_strictly(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(zns_cli_parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(zns_cli_parse_size("0x10", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(zns_cli_parse_size("2MiB", &v), 0);
    assert_int_equal(v, 2u << 20);
    assert_int_equal(zns_cli_parse_size("1G", &v), 0);
    assert_int_equal(v, 1u << 30);
    assert_int_equal(zns_cli_parse_size("18446744073709551615", &v), 0);
    assert_int_equal(zns_cli_parse_size("18446744073709551616", &v), -1);
    assert_int_equal(zns_cli_parse_size("17179869184G", &v), -1);
    assert_int_equal(zns_cli_parse_size("", &v), -1);
    assert_int_equal(zns_cli_parse_size(" 1", &v), -1);
    assert_int_equal(zns_cli_parse_size("1 ", &v), -1);
    unsigned s = 0;
    assert_int_equal(zns_cli_parse_state("imp_opened", &s), 0);
    assert_int_equal(s, 2);
    assert_int_equal(zns_cli_parse_state("READONLY", &s), 0);
    assert_int_equal(s, 6);
    assert_int_equal(zns_cli_parse_state("7", &s), 0);
    assert_int_equal(s, 7);
    assert_int_equal(zns_cli_parse_state("8", &s), -1);
}

static char *capture(void (*print)(FILE *, const void *), const void *arg)
{
    static char text[4096];
    FILE *f = fmemopen(text, sizeof(text), "w");
    assert_non_null(f);
    print(f, arg);
    fclose(f);
    return text;
}

static void print_escaped(FILE *f, const void *arg)
{
    zns_json_string(f, arg);
}

static void json_strings_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(capture(print_escaped, "/dev/ng0n1"), "\"/dev/ng0n1\"");
    assert_string_equal(capture(print_escaped, "a\"b\\c\nd\te\x01\x7f\xc3\xa9"),
                        "\"a\\\"b\\\\c\\nd\\te\\u0001\x7f\\u00c3\\u00a9\"");
}

static void print_report(FILE *f, const void *arg)
{
    (void)arg;
    const struct zslab_zone zones[] = {
        {.start_lba = 0, .cap_lbas = 48, .wp_lba = 8, .state = ZSLAB_ZONE_IMP_OPEN, .type = 2},
        {.start_lba = 64,
         .cap_lbas = 48,
         .wp_lba = ZSLAB_ZONE_WP_NONE,
         .state = ZSLAB_ZONE_FULL,
         .type = 2},
    };
    zns_print_report(f, zones, 2, 1);
}

static void report_json_uses_nvme_cli_field_names(void **state)
{
    (void)state;
    assert_string_equal(capture(print_report, NULL),
                        "{\"nr_zones\": 2, \"zone_list\": [\n"
                        "  {\"slba\": 0, \"wp\": 8, \"cap\": 48, \"state\": \"IMP_OPENED\", "
                        "\"type\": \"SEQWRITE_REQ\", \"attrs\": 0},\n"
                        "  {\"slba\": 64, \"wp\": 18446744073709551615, \"cap\": 48, "
                        "\"state\": \"FULL\", \"type\": \"SEQWRITE_REQ\", \"attrs\": 0}\n"
                        "]}\n");
}

static void every_verb_has_help(void **state)
{
    (void)state;
    for (unsigned v = ZNS_VERB_INFO; v <= ZNS_VERB_READ; v++) {
        const char *usage = zns_cli_usage((enum zns_verb)v);
        if (!strstr(usage, zns_cli_verb_name((enum zns_verb)v)))
            fail_msg("help of '%s' does not name it", zns_cli_verb_name((enum zns_verb)v));
    }
    assert_non_null(strstr(zns_cli_usage(ZNS_VERB_NONE), "exit status"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verbs_and_options_parse),
        cmocka_unit_test(bad_command_lines_say_what_is_wrong),
        cmocka_unit_test(sizes_and_states_parse_strictly),
        cmocka_unit_test(json_strings_are_escaped),
        cmocka_unit_test(report_json_uses_nvme_cli_field_names),
        cmocka_unit_test(every_verb_has_help),
    };
    return cmocka_run_group_tests_name("zns cli", tests, NULL, NULL);
}
