/* SPDX-License-Identifier: MIT */
/*
 * tls_module.c - a module with thread-local storage, for dlopen(): the
 * dynamic loader allocates its TLS block in each thread that touches it (with
 * malloc, that is the shim) and frees it when the thread exits or the module
 * is closed (with free, the shim again).
 */
#include <stddef.h>

#define TLS_BYTES 8192

static __thread unsigned char block[TLS_BYTES];

/* Fills this thread's block and returns the sum of what it reads back. */
__attribute__((visibility("default"))) unsigned long tls_module_touch(unsigned char seed);

unsigned long tls_module_touch(unsigned char seed)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < TLS_BYTES; i++)
        block[i] = (unsigned char)(seed + i);
    for (size_t i = 0; i < TLS_BYTES; i++)
        sum += block[i];
    return sum;
}
