/* SPDX-License-Identifier: MIT */
/*
 * zns_usage.c - the help texts of the `zns` tool, one per verb.
 */
#include "zns_cli.h"

static const char tool_usage[] =
    "usage: zns VERB DEVICE [OPTIONS]\n"
    "\n"
    "Drive an NVMe Zoned Namespace through NVMe passthrough (libnvme), on\n"
    "/dev/nvmeXnY or /dev/ngXnY.  LBAs are decimal or 0x hex; sizes are bytes,\n"
    "with an optional K, M, G suffix (KiB, MiB, GiB).\n"
    "\n"
    "verbs:\n"
    "  info     zone geometry and limits\n"
    "  report   report zones (state, write pointer, capacity)\n"
    "  open     explicitly open a zone (-s) or every closed zone (-a)\n"
    "  close    close an open zone, or every open zone\n"
    "  finish   move a zone, or every open/closed zone, to FULL\n"
    "  reset    reset a zone, or every zone, to EMPTY\n"
    "  offline  take a read-only zone offline\n"
    "  append   Zone Append; prints the LBA the device chose\n"
    "  write    write at an LBA, which must be the zone's write pointer\n"
    "  read     read LBAs to a file or stdout\n"
    "  flush    NVMe Flush: completed writes and appends become durable\n"
    "  store    the zone store: put, get, del, fill, check, verify... (zns store --help)\n"
    "\n"
    "common options:\n"
    "  -j, --json              JSON output (also: -o json)\n"
    "  -h, --help              help; `zns VERB --help` for a verb\n"
    "\n"
    "exit status: 0 success; 1 bad input, refused before any command was sent\n"
    "(bad device path, not zoned, LBA not a zone start, size not LBA-aligned,\n"
    "size over ZASL, range over a zone boundary or capacity); 2 the device\n"
    "returned an NVMe status (named, e.g. Zone Is Full); 3 system or I/O error.\n";

static const char info_usage[] = "usage: zns info DEVICE [--json]\n"
                                 "\n"
                                 "Zone size and capacity (LBAs and bytes), number of zones, LBA\n"
                                 "size, max open/active zones (0 = unlimited), ZASL and MDTS in\n"
                                 "bytes (MDTS 0 = unlimited).\n";

static const char report_usage[] =
    "usage: zns report DEVICE [-s LBA] [-n COUNT] [-S STATE] [--batch N] [--json]\n"
    "\n"
    "  -s, --start-lba LBA   report from the zone holding LBA (default 0)\n"
    "  -n, --count N         at most N zones (default: all)\n"
    "  -S, --state STATE     only zones in STATE: EMPTY, IMP_OPENED, EXP_OPENED,\n"
    "                        CLOSED, FULL, READONLY, OFFLINE (or filter 1-7; all = 0)\n"
    "      --batch N         ask at most N zones per Report Zones command (default:\n"
    "                        as many as the transfer limit allows, at most 1024);\n"
    "                        the report is complete whatever N\n"
    "\n"
    "The write pointer of a zone that has none (FULL, READONLY, OFFLINE) prints\n"
    "as 'none', and in JSON as 18446744073709551615 (~0), as the device reports it.\n"
    "JSON: {\"nr_zones\": N, \"zone_list\": [{\"slba\", \"wp\", \"cap\", \"state\",\n"
    "\"type\", \"attrs\"}]}, the field names of `nvme zns report-zones -o json`.\n";

static const char mgmt_usage[] =
    "usage: zns open|close|finish|reset|offline DEVICE (-s ZONE_START_LBA | -a) [--json]\n"
    "\n"
    "  -s, --start-lba LBA   the zone, by its start LBA\n"
    "  -a, --select-all      every zone the action applies to (Select All)\n"
    "\n"
    "A refused transition is named: e.g. Invalid Zone State Transition,\n"
    "Too Many Open Zones, Too Many Active Zones.\n";

static const char append_usage[] =
    "usage: zns append DEVICE -s ZONE_START_LBA [-z BYTES] [-d FILE] [--split]\n"
    "                  [--chunk BYTES] [--async] [--no-check] [--json]\n"
    "\n"
    "  -s, --start-lba LBA   the zone, by its start LBA\n"
    "  -z, --data-size N     bytes to append (default: all of the input)\n"
    "  -d, --data FILE       input (default or '-': stdin)\n"
    "      --split           append data larger than ZASL in ZASL-sized chunks,\n"
    "                        one Zone Append each, one after the other\n"
    "      --chunk N         with --split (implied): N bytes per append, at most ZASL\n"
    "      --async           send it through io_uring NVMe passthrough (the char\n"
    "                        device ngXnY), as zns store does, not the ioctl\n"
    "      --no-check        send without the driver's checks (zone start, ZASL,\n"
    "                        capacity): the device's own status comes back\n"
    "\n"
    "The size must be a multiple of the LBA size and at most ZASL (see info).\n"
    "Prints the LBA the device assigned (with --split, one line per append).\n";

static const char write_usage[] =
    "usage: zns write DEVICE -s LBA [-w] [-z BYTES] [-d FILE] [--no-check] [--json]\n"
    "\n"
    "  -s, --start-lba LBA   first LBA; must be the zone's write pointer\n"
    "  -w, --at-wp           -s names the zone; write at its current write pointer\n"
    "  -z, --data-size N     bytes to write (default: all of the input)\n"
    "  -d, --data FILE       input (default or '-': stdin)\n"
    "      --no-check        send without the driver's range checks: the device's\n"
    "                        own status comes back (e.g. Zone Boundary Error)\n"
    "\n"
    "The range must lie inside one zone's capacity; this is checked first.\n";

static const char read_usage[] =
    "usage: zns read DEVICE -s LBA -z BYTES [-d FILE] [--no-check] [--json]\n"
    "\n"
    "  -s, --start-lba LBA   first LBA\n"
    "  -z, --data-size N     bytes to read, a multiple of the LBA size\n"
    "  -d, --data FILE       output (default or '-': stdout)\n"
    "      --no-check        send without the driver's range checks: a read across\n"
    "                        a zone boundary gets the device's Zone Boundary Error\n"
    "  -j, --json            print a summary (needs -d FILE)\n";

static const char flush_usage[] =
    "usage: zns flush DEVICE [--json]\n"
    "\n"
    "NVMe Flush: a controller with a volatile write cache (QEMU's has one) may\n"
    "lose completed writes and appends on power loss until a flush returns.\n";

const char *zns_cli_usage(enum zns_verb verb)
{
    switch (verb) {
    case ZNS_VERB_NONE:
        return tool_usage;
    case ZNS_VERB_INFO:
        return info_usage;
    case ZNS_VERB_REPORT:
        return report_usage;
    case ZNS_VERB_OPEN:
    case ZNS_VERB_CLOSE:
    case ZNS_VERB_FINISH:
    case ZNS_VERB_RESET:
    case ZNS_VERB_OFFLINE:
        return mgmt_usage;
    case ZNS_VERB_APPEND:
        return append_usage;
    case ZNS_VERB_WRITE:
        return write_usage;
    case ZNS_VERB_READ:
        return read_usage;
    case ZNS_VERB_FLUSH:
        return flush_usage;
    }
    return tool_usage;
}
