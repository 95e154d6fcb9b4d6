/* SPDX-License-Identifier: MIT */
/*
 * zns_check.c - the checks done before a command is sent, so that a caller
 * learns exactly what is wrong (see the errno table in zns.h).  Pure functions
 * of the geometry: the model of tests/lib uses them too.
 */
#include <errno.h>

#include "zns_internal.h"

int _zns_check_len(const struct zns_geometry *geo, size_t len_bytes)
{
    if (len_bytes == 0 || geo->lba_bytes == 0 || len_bytes % geo->lba_bytes != 0)
        return -EINVAL;
    return 0;
}

int _zns_check_nlb_field(const struct zns_geometry *geo, size_t len_bytes)
{
    int err = _zns_check_len(geo, len_bytes);
    if (!err && len_bytes / geo->lba_bytes > ZNS_MAX_NLB_LBAS)
        err = -EINVAL;
    return err;
}

int _zns_check_zone_start(const struct zns_geometry *geo, uint64_t lba)
{
    if (lba >= geo->ns_lbas)
        return -ERANGE;
    if (lba % geo->zone_size_lbas != 0)
        return -EINVAL;
    return 0;
}

/* [lba, lba + nlb) inside the namespace, without overflow. */
static int check_in_namespace(const struct zns_geometry *geo, uint64_t lba, uint64_t nlb)
{
    if (lba >= geo->ns_lbas || nlb > geo->ns_lbas - lba)
        return -ERANGE;
    return 0;
}

/* A whole number of LBAs, inside the namespace; *nlb is their count. */
static int check_range(const struct zns_geometry *geo, uint64_t lba, size_t len_bytes,
                       uint64_t *nlb)
{
    int err = _zns_check_len(geo, len_bytes);
    if (err)
        return err;
    *nlb = len_bytes / geo->lba_bytes;
    return check_in_namespace(geo, lba, *nlb);
}

int _zns_check_write(const struct zns_geometry *geo, uint64_t lba, size_t len_bytes,
                     uint64_t zone_cap_lbas)
{
    uint64_t nlb;
    int err = check_range(geo, lba, len_bytes, &nlb);
    if (err)
        return err;
    uint64_t offset_lbas = lba % geo->zone_size_lbas;
    if (offset_lbas + nlb > geo->zone_size_lbas)
        return -EXDEV;
    if (offset_lbas + nlb > zone_cap_lbas)
        return -ENOSPC;
    return 0;
}

int _zns_check_read(const struct zns_geometry *geo, uint64_t lba, size_t len_bytes)
{
    uint64_t nlb;
    int err = check_range(geo, lba, len_bytes, &nlb);
    if (err)
        return err;
    if (!geo->read_across_zones && lba % geo->zone_size_lbas + nlb > geo->zone_size_lbas)
        return -EXDEV;
    return 0;
}

int _zns_check_append(const struct zns_geometry *geo, uint64_t zone_start_lba, size_t len_bytes)
{
    int err = _zns_check_zone_start(geo, zone_start_lba);
    if (err)
        return err;
    err = _zns_check_len(geo, len_bytes);
    if (err)
        return err;
    if (len_bytes > geo->zasl_bytes)
        return -E2BIG;
    if (len_bytes / geo->lba_bytes > geo->zone_cap_lbas && !geo->variable_zone_cap)
        return -ENOSPC;
    return 0;
}
