/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store_seeds.c - `fuzz_store_seeds DIR`: a starting corpus for
 * fuzz_store, zone images the store itself wrote on the fuzz target's
 * geometry (see fuzz_store.c for the input layout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "zslab/zstore.h"

static int seed(const char *dir, unsigned n, unsigned objects, size_t max_len, bool deletes,
                unsigned zones_used, uint8_t finished)
{
    struct zdev_model m;
    struct zdev_model_config mc = fuzz_geometry();
    if (zdev_model_init(&m, &mc))
        return -1;
    zslab_store_config_t cfg;
    zslab_store_config_default(&cfg);
    cfg.ops = &zdev_model_ops;
    cfg.dev = &m;
    cfg.slab_bytes = SLAB_BYTES;
    cfg.mode = n % 2 ? ZSLAB_STORE_MODE_CACHE : ZSLAB_STORE_MODE_STORE;
    zslab_store_t *s;
    char msg[256];
    if (zslab_store_open(&cfg, &s, msg, sizeof(msg)))
        return fprintf(stderr, "seeds: %s\n", msg), -1;
    uint8_t buf[8192];
    for (unsigned i = 0; i < objects; i++) {
        size_t len = (i * 131u + n * 17u) % (max_len + 1);
        memset(buf, (int)(i + n), len);
        zslab_store_put(s, i % (objects / 2 + 1), buf, len);
        if (deletes && i % 5 == 4)
            zslab_store_delete(s, (i - 3) % (objects / 2 + 1));
        if (i % 16 == 15)
            zslab_store_flush(s);
    }
    zslab_store_close(s, true);
    size_t each = 0; /* what the most written zone holds: the rest is zeros */
    for (unsigned z = 0; z < zones_used; z++) {
        uint64_t start = (uint64_t)z * ZONE_LBAS, wp = m.zones[z].wp_lba;
        if (m.zones[z].state != ZSLAB_ZONE_EMPTY && (wp - start) * LBA > each)
            each = (size_t)(wp - start) * LBA;
    }
    if (each == 0)
        each = LBA;
    uint8_t *out = calloc(1, 1 + zones_used * each);
    out[0] = (uint8_t)(((zones_used - 1) << 4) | finished);
    for (unsigned z = 0; z < zones_used; z++)
        zdev_model_read(&m, (uint64_t)z * ZONE_LBAS, out + 1 + z * each, each);
    char path[512];
    snprintf(path, sizeof(path), "%s/seed-%02u", dir, n);
    FILE *f = fopen(path, "wb");
    int ret = f && fwrite(out, 1, 1 + zones_used * each, f) == 1 + zones_used * each ? 0 : -1;
    if (f)
        fclose(f);
    free(out);
    zdev_model_destroy(&m);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_store_seeds DIR\n");
        return 2;
    }
    int err = 0;
    err |= seed(argv[1], 0, 20, 200, false, 1, 0);
    err |= seed(argv[1], 1, 40, 3000, true, 1, 1);
    err |= seed(argv[1], 2, 60, 64, true, 1, 0);
    err |= seed(argv[1], 3, 200, 7000, true, 2, 1);
    err |= seed(argv[1], 4, 30, 0, true, 1, 0);
    err |= seed(argv[1], 5, 400, 1500, true, 3, 5);
    return err ? 1 : 0;
}
