#!/usr/bin/env bats
# The zone store on other geometries: one open and one active zone with
# capacity < size (no Too Many Open/Active Zones, ever); large-zones (128 MiB
# zones, no limits, ZASL = MDTS); npo2 (6 MiB zones, /dev/ng0n1 only).  Each
# test boots its own VM.

load test_helper/common
load test_helper/store

setup_file() {
    lab_setup_file
}

@test "one open and one active zone, capacity < size: reclaim churns and no device limit error ever comes" {
    store_up tight --ns-size 64M --max-open 1 --max-active 1
    local opts="--count 40000 --utilization 70 --min-size 100 --max-size 4000 --seed 5"
    sx "zns store info $DEV"
    assert_success
    assert_line "open zone budget: 1"
    sx "zns store fill $DEV $opts --flush-every 500 --json 2>/mnt/host/fill.err"
    assert_success
    local out=$output
    assert [ "$(counter "$out" zone_resets)" -ge 10 ]
    assert [ "$(counter "$out" zone_finishes)" -ge 1 ]
    assert_equal "$(counter "$out" device_errors)" 0
    assert_equal "$(counter "$out" zone_full_retries)" 0
    run cat "$STORE_SHARE/fill.err"
    assert_no_limit_errors
    run jq -r '[.zone_list[] | select(.state == "IMP_OPENED" or .state == "EXP_OPENED" or .state == "CLOSED")] | length' \
        "$(zone_report)"
    assert_output "1"
    sx "zns store check $DEV $opts"
    assert_success
    assert_output --partial "0 missing, 0 wrong, 0 back after delete"
    # cache mode in the same limits
    sx "zns store format $DEV >/dev/null && zns store fill $DEV --mode cache --count 40000 --id-space 9000 --json"
    assert_success
    assert_no_limit_errors
    assert [ "$(counter "$output" zone_resets)" -ge 10 ]
    assert_equal "$(counter "$output" device_errors)" 0
}

@test "large-zones: 256 KiB slabs in 128 MiB zones survive a raw power cycle" {
    store_up large --profile large-zones
    sx "zns store info $DEV --json"
    assert_success
    assert_equal "$(lab_json_get "$output" .slab_bytes)" 262144
    assert_equal "$(lab_json_get "$output" .zone_cap_bytes)" 134217728
    local opts="--count 20000 --min-size 64 --max-size 16000 --delete-every 5 --seed 6"
    sx "zns store fill $DEV $opts --flush-every 4000"
    assert_success
    run timeout 300 "$ZNS_LAB" power-cycle --name "$STORE_VM" --raw 3>&-
    assert_success
    sx "zns store check $DEV $opts && zns store verify $DEV"
    assert_success
    assert_line "checked 20000 ids: 16000 byte-exact, 4000 deleted and gone, 0 missing, 0 wrong, 0 back after delete"
    assert_line --regexp '^verified [0-9]+ records, 0 corrupt, 16000 live objects$'
}

@test "npo2: the store works on /dev/ng0n1 alone, through a power cycle" {
    store_up npo2 --profile npo2
    sx "test ! -e /dev/nvme0n1 && zns store info /dev/ng0n1 --json"
    assert_success
    assert_equal "$(lab_json_get "$output" .zone_cap_bytes)" 5242880
    local opts="--count 10000 --min-size 16 --max-size 8000 --delete-every 3 --seed 7"
    sx "zns store fill /dev/ng0n1 $opts"
    assert_success
    lab_power_cycle "$STORE_VM"
    sx "zns store check /dev/ng0n1 $opts"
    assert_success
    assert_output "checked 10000 ids: 6667 byte-exact, 3333 deleted and gone, 0 missing, 0 wrong, 0 back after delete"
}
