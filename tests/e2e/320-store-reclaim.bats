#!/usr/bin/env bats
# Reclaim past the device's capacity, on a small namespace (64 MiB: 16 zones
# of 4 MiB with 3 MiB capacity, max open 4, max active 6): cache mode drops
# the oldest zones and keeps going; store mode migrates live objects and
# resets zones; a store-mode store full of live data says "no space" and
# keeps serving.  nvme zns report-zones shows the resets.  One VM.

load test_helper/common
load test_helper/store

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    lab_setup_file
    store_up reclaim --ns-size 64M
}

teardown_file() {
    lab_teardown_file
}

setup() {
    sx "zns store format $DEV"
    assert_success
}

@test "cache mode fills twice past capacity: the oldest zones are dropped, and what is left is never stale" {
    local opts="--count 50000 --id-space 20000 --min-size 128 --max-size 4096 --seed 3"
    sx_json "zns store fill $DEV --mode cache $opts --flush-every 2000 --json"
    assert_success
    local out
    out=$(cat "$STORE_JSON")
    assert [ "$(counter "$out" zone_resets)" -ge 10 ]
    assert [ "$(counter "$out" objects_dropped)" -ge 1000 ]
    assert_equal "$(counter "$out" objects_migrated)" 0
    sx "zns store check $DEV --mode cache $opts --allow-missing"
    assert_success
    assert_output --regexp '^checked 20000 ids: [0-9]+ byte-exact, 0 deleted and gone, [0-9]+ missing \(allowed\), 0 wrong, 0 back after delete$'
    # one more drop, seen by nvme-cli: that zone goes from FULL to EMPTY
    reclaim_seen "--mode cache" "dropped: its objects are misses now"
}

@test "store mode at 60% utilization with random deletes: reclaim migrates, resets, loses nothing" {
    local opts="--count 40000 --utilization 60 --min-size 500 --max-size 4000 --seed 4"
    sx_json "zns store fill $DEV $opts --flush-every 1000 --json"
    assert_success
    local out
    out=$(cat "$STORE_JSON")
    assert [ "$(counter "$out" zone_resets)" -ge 10 ]
    assert [ "$(counter "$out" objects_migrated)" -ge 1 ]
    assert_equal "$(counter "$out" objects_dropped)" 0
    sx "zns store check $DEV $opts"
    assert_success
    assert_output --regexp '^checked 40000 ids: [0-9]+ byte-exact, [0-9]+ deleted and gone, 0 missing, 0 wrong, 0 back after delete$'
    assert_output --partial "deleted and gone"
    # nvme-cli sees one open zone, the head, and a reclaim's reset: the
    # victim goes from FULL to EMPTY after its live objects moved
    run jq -r '[.zone_list[] | select(.state == "IMP_OPENED" or .state == "EXP_OPENED")] | length' \
        "$(zone_report)"
    assert_output "1"
    reclaim_seen "" "reclaimed: live objects migrated"
    sx "zns store check $DEV $opts"
    assert_success
    assert_output --partial "0 missing, 0 wrong, 0 back after delete"
}

@test "a store-mode store full of live data refuses puts with 'no space' (exit 6) and keeps working" {
    sx_json "zns store fill $DEV --count 100000 --min-size 1000 --max-size 4000 --until-full --json"
    assert_success
    local out n
    out=$(cat "$STORE_JSON")
    assert_equal "$(lab_json_get "$out" .full)" true
    n=$(lab_json_get "$out" .objects)
    assert [ "$n" -ge 10000 ]
    sx "head -c 65000 /dev/zero >/tmp/o && zns store put $DEV 99999999 -d /tmp/o"
    assert_equal "$status" 6
    assert_output --partial "no space: "
    assert_output --partial "live bytes"
    # reads go on; deletes make room; then puts go on
    sx "zns store check $DEV --count $n --min-size 1000 --max-size 4000"
    assert_success
    assert_output --partial "0 missing, 0 wrong"
    sx "for i in \$(seq 0 40); do zns store del $DEV \$i >/dev/null || exit 1; done; zns store put $DEV 99999999 -d /tmp/o"
    assert_success
    assert_output --partial "put 99999999: 65000 bytes, flushed"
}
