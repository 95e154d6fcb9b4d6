#!/usr/bin/env bats
# make run's report: benchmark_accurate on the host and in a lab VM, with the
# allocator's counters compared and the latency curves plotted.

load test_helper/common

setup_file() {
    lab_setup_file
}

@test "make run's report finds the VM's allocator counters equal to the host's" {
    local out=$BATS_TEST_TMPDIR/out
    run env RUN_OUT="$out" RUN_BENCH_ARGS="--iterations 200000 --runs 1" \
        timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" "$REPO_ROOT/lab-scripts/run-report" 3>&-
    assert_success
    assert_output --partial "--- Tail Latency Attribution (128B size class) ---"
    assert_output --partial "== Counters: the VM's equal the host's"
    assert_output --partial "nr_zones: 64"
    assert_output --partial "== Zones: 64 in all; by state: EMPTY 64"
    # 200000 objects of 128 B fill 391 slabs of 64 KiB; both runs say so.
    assert_equal "$(jq .counters.new_slab_count "$out/host.json")" 391
    assert_equal "$(jq .counters.new_slab_count "$out/guest.json")" 391
    # A PNG file starts with \x89 "PNG".
    run bash -c 'head -c 4 "$1" | tail -c 3' _ "$out/latency.png"
    assert_output PNG
}
