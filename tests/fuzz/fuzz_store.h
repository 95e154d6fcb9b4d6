/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store.h - the geometry fuzz_store.c and fuzz_store_seeds.c share: four
 * zones of 512 LBAs of 512 bytes, 256 LBAs (128 KiB) of capacity, ZASL 8 KiB,
 * max open 2, max active 3; the store on it uses 8 KiB slabs.
 */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include "zdev_model.h"

#define LBA        512u
#define ZONE_LBAS  512u
#define CAP_LBAS   256u
#define NR_ZONES   4u
#define ZONE_DATA  (CAP_LBAS * LBA)
#define SLAB_BYTES 8192u

static inline struct zdev_model_config fuzz_geometry(void)
{
    struct zdev_model_config c = {.geo = {.lba_bytes = LBA,
                                          .zone_size_lbas = ZONE_LBAS,
                                          .zone_cap_lbas = CAP_LBAS,
                                          .nr_zones = NR_ZONES,
                                          .max_open = 2,
                                          .max_active = 3,
                                          .zasl_bytes = SLAB_BYTES,
                                          .mdts_bytes = 0},
                                  .auto_close = false,
                                  .keep_data = true};
    return c;
}

#endif /* FUZZ_STORE_H */
