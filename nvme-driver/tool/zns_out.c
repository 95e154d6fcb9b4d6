/* SPDX-License-Identifier: MIT */
/*
 * zns_out.c - JSON escaping, and the info and report printers.  The report
 * JSON uses nvme-cli's field names so tests compare the two with jq.
 */
#include <inttypes.h>

#include "zns_out.h"

#define ASCII_CONTROL_END 0x20
#define ASCII_END         0x80

void zns_json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (*p < ASCII_CONTROL_END || *p >= ASCII_END)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static const char *zone_type_name(uint8_t type)
{
    return type == ZSLAB_ZONE_TYPE_SEQWRITE_REQ ? "SEQWRITE_REQ" : "Unknown";
}

static void print_limit(FILE *out, const char *label, uint64_t value, const char *unit)
{
    if (value == 0)
        fprintf(out, "%-18s unlimited\n", label);
    else
        fprintf(out, "%-18s %" PRIu64 "%s\n", label, value, unit);
}

static void print_info_text(FILE *out, const char *device, const struct zns_geometry *g)
{
    fprintf(out, "%-18s %s\n", "device:", device);
    fprintf(out, "%-18s %u\n", "nsid:", g->nsid);
    fprintf(out, "%-18s %u bytes\n", "lba size:", g->lba_bytes);
    fprintf(out, "%-18s 0x%" PRIx64 " (%" PRIu64 ") LBAs\n", "namespace size:", g->ns_lbas,
            g->ns_lbas);
    fprintf(out, "%-18s 0x%" PRIx64 " (%" PRIu64 ") LBAs, %" PRIu64 " bytes\n",
            "zone size:", g->zone_size_lbas, g->zone_size_lbas, g->zone_size_bytes);
    fprintf(out, "%-18s 0x%" PRIx64 " (%" PRIu64 ") LBAs, %" PRIu64 " bytes%s\n",
            "zone capacity:", g->zone_cap_lbas, g->zone_cap_lbas, g->zone_cap_bytes,
            g->variable_zone_cap ? " (first zone; may vary)" : "");
    fprintf(out, "%-18s %u\n", "zones:", g->nr_zones);
    print_limit(out, "max open zones:", g->max_open_zones, "");
    print_limit(out, "max active zones:", g->max_active_zones, "");
    fprintf(out, "%-18s %u bytes\n", "zasl:", g->zasl_bytes);
    print_limit(out, "mdts:", g->mdts_bytes, " bytes");
    fprintf(out, "%-18s %u bytes (MDTS capped at what the host maps into one command)\n",
            "max command:", g->max_io_bytes);
}

void zns_print_info(FILE *out, const char *device, const struct zns_geometry *g, int json)
{
    if (!json) {
        print_info_text(out, device, g);
        return;
    }
    fputs("{\"device\": ", out);
    zns_json_string(out, device);
    fprintf(out,
            ", \"nsid\": %u, \"lba_bytes\": %u, \"ns_lbas\": %" PRIu64
            ", \"zone_size_lbas\": %" PRIu64 ", \"zone_size_bytes\": %" PRIu64
            ", \"zone_cap_lbas\": %" PRIu64 ", \"zone_cap_bytes\": %" PRIu64
            ", \"nr_zones\": %u, \"max_open_zones\": %u, \"max_active_zones\": %u"
            ", \"zasl_bytes\": %u, \"mdts_bytes\": %u, \"max_io_bytes\": %u"
            ", \"min_page_bytes\": %u, \"variable_zone_cap\": %s"
            ", \"read_across_zones\": %s}\n",
            g->nsid, g->lba_bytes, g->ns_lbas, g->zone_size_lbas, g->zone_size_bytes,
            g->zone_cap_lbas, g->zone_cap_bytes, g->nr_zones, g->max_open_zones,
            g->max_active_zones, g->zasl_bytes, g->mdts_bytes, g->max_io_bytes, g->min_page_bytes,
            g->variable_zone_cap ? "true" : "false", g->read_across_zones ? "true" : "false");
}

static void print_zone_text(FILE *out, const struct zslab_zone *z)
{
    fprintf(out, "SLBA: 0x%-8" PRIx64 " (%" PRIu64 ")  ", z->start_lba, z->start_lba);
    if (z->wp_lba == ZSLAB_ZONE_WP_NONE)
        fprintf(out, "WP: none  ");
    else
        fprintf(out, "WP: 0x%-8" PRIx64 " (%" PRIu64 ")  ", z->wp_lba, z->wp_lba);
    fprintf(out, "Cap: 0x%" PRIx64 " (%" PRIu64 ")  State: %-10s  Type: %s\n", z->cap_lbas,
            z->cap_lbas, zns_zone_state_name(z->state), zone_type_name(z->type));
}

void zns_print_report(FILE *out, const struct zslab_zone *zones, uint32_t nr_zones, int json)
{
    if (!json) {
        fprintf(out, "nr_zones: %u\n", nr_zones);
        for (uint32_t i = 0; i < nr_zones; i++)
            print_zone_text(out, &zones[i]);
        return;
    }
    fprintf(out, "{\"nr_zones\": %u, \"zone_list\": [", nr_zones);
    for (uint32_t i = 0; i < nr_zones; i++) {
        const struct zslab_zone *z = &zones[i];
        fprintf(out,
                "%s\n  {\"slba\": %" PRIu64 ", \"wp\": %" PRIu64 ", \"cap\": %" PRIu64
                ", \"state\": \"%s\", \"type\": \"%s\", \"attrs\": %u}",
                i ? "," : "", z->start_lba, z->wp_lba, z->cap_lbas, zns_zone_state_name(z->state),
                zone_type_name(z->type), z->attrs);
    }
    fputs(nr_zones ? "\n]}\n" : "]}\n", out);
}
