#!/usr/bin/env bats
# zns-model, the host side of the randomized model check: deterministic from
# its seed, and its outputs have the shapes the lab's runner reads.

load test_helper

model() {
    "$ZNS_MODEL" "${MODEL_GEOMETRY[@]}" "$@"
}

@test "the same seed gives the same ops, outcomes and report" {
    local a="$BATS_TEST_TMPDIR/a" b="$BATS_TEST_TMPDIR/b"
    mkdir -p "$a" "$b"
    run model --seed 7 --ops-out "$a/ops" --expect-out "$a/expect" --report-out "$a/report"
    assert_success
    run model --seed 7 --ops-out "$b/ops" --expect-out "$b/expect" --report-out "$b/report"
    assert_success
    run cmp "$a/ops" "$b/ops"
    assert_success
    run cmp "$a/expect" "$b/expect"
    assert_success
    run cmp "$a/report" "$b/report"
    assert_success
}

@test "another seed gives another sequence" {
    model --seed 1 --ops-out "$BATS_TEST_TMPDIR/one"
    model --seed 2 --ops-out "$BATS_TEST_TMPDIR/two"
    run cmp -s "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
    assert_failure
}

@test "2000 ops give one outcome each, with valid and invalid ones" {
    local dir="$BATS_TEST_TMPDIR"
    model --seed 2026 --ops-out "$dir/ops" --expect-out "$dir/expect"
    assert_equal "$(wc -l <"$dir/ops")" 2000
    assert_equal "$(wc -l <"$dir/expect")" 2000
    run grep -c ' 0 ' "$dir/expect"
    assert_success
    run grep -c 'status=0x1bc' "$dir/expect" # Zone Invalid Write
    assert_success
    # Zone Boundary Error: appends past the capacity, and reads and writes
    # sent with --no-check.
    run grep -c 'status=0x1b8' "$dir/expect"
    assert_success
    run grep -c -- '--no-check' "$dir/ops"
    assert_success
    run grep -c ' 1 refused' "$dir/expect"
    assert_success
    run awk '$1 != NR' "$dir/ops"
    assert_output ""
}

@test "the predicted report is zns report --json for every zone" {
    local report="$BATS_TEST_TMPDIR/report"
    model --seed 3 --report-out "$report"
    run jq -r '.nr_zones, (.zone_list | length)' "$report"
    assert_success
    assert_output "$(printf '10\n10')"
    run jq -r '[.zone_list[].state] | map(select(IN("EMPTY","IMP_OPENED","EXP_OPENED","CLOSED","FULL")) | not) | any' "$report"
    assert_output "false"
}

@test "the geometry can come from zns info --json" {
    local info="$BATS_TEST_TMPDIR/info.json"
    cat >"$info" <<'JSON'
{"device": "/dev/ng0n1", "nsid": 1, "lba_bytes": 4096, "ns_lbas": 640, "zone_size_lbas": 64, "zone_size_bytes": 262144, "zone_cap_lbas": 48, "zone_cap_bytes": 196608, "nr_zones": 10, "max_open_zones": 3, "max_active_zones": 4, "zasl_bytes": 16384, "mdts_bytes": 0, "max_io_bytes": 268435456, "min_page_bytes": 4096, "variable_zone_cap": false, "read_across_zones": false}
JSON
    "$ZNS_MODEL" --seed 5 --info "$info" --report-out "$BATS_TEST_TMPDIR/from-info"
    model --seed 5 --report-out "$BATS_TEST_TMPDIR/from-flags"
    run cmp "$BATS_TEST_TMPDIR/from-info" "$BATS_TEST_TMPDIR/from-flags"
    assert_success
}

@test "zns-model refuses a missing seed and an impossible geometry" {
    run model
    assert_failure
    assert_output --partial "--seed is required"
    run "$ZNS_MODEL" --seed 1 --lba-bytes 4096 --zone-size-lbas 8 --zone-cap-lbas 9 --nr-zones 2
    assert_failure
    assert_output --partial "impossible geometry"
}
