/* SPDX-License-Identifier: MIT */
/*
 * zns_out.h - output of the `zns` tool: JSON and human formats.
 */
#ifndef ZNS_OUT_H
#define ZNS_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "zns.h"

/**
 * zns_json_string() - print a JSON string literal, escaped.
 * @out:  stream.
 * @text: bytes to print; '"', '\\' and control characters are escaped, and
 *        bytes of 0x80 and above become \u00XX so the output is valid JSON
 *        whatever the input's encoding.
 */
void zns_json_string(FILE *out, const char *text);

/**
 * zns_print_info() - print the geometry, human or JSON.
 * @out:    stream.
 * @device: device path.
 * @geo:    geometry.
 * @json:   JSON instead of text.
 */
void zns_print_info(FILE *out, const char *device, const struct zns_geometry *geo, int json);

/**
 * zns_print_report() - print zones as `zns report` does, human or JSON.
 * @out:      stream.
 * @zones:    descriptors.
 * @nr_zones: how many.
 * @json:     JSON (the field names of nvme-cli's report-zones) instead of text.
 */
void zns_print_report(FILE *out, const struct zslab_zone *zones, uint32_t nr_zones, int json);

#endif /* ZNS_OUT_H */
