/* SPDX-License-Identifier: MIT */
/* main.c - the unit-core suite: every group, in TAP when
 * CMOCKA_MESSAGE_OUTPUT=TAP.  Exits non-zero when a test failed. */
#include "harness.h"

int main(void)
{
    int failed = 0;
    failed += run_sizeclass_tests();
    failed += run_slab_tests();
    failed += run_counter_tests();
    failed += run_bad_input_tests();
    failed += run_large_tests();
    failed += run_platform_tests();
    failed += run_thread_tests();
    failed += run_random_tests();
    failed += run_debug_tests();
    failed += run_aligned_tests();
    failed += run_remote_tests();
    failed += run_decay_tests();
    return failed ? 1 : 0;
}
