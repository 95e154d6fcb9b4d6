#!/usr/bin/env bats
# Durability across power cycles, on the default profile: 50,000 objects of
# mixed sizes (one `zns store fill` process), every 7th deleted, flushed;
# after `zns-lab power-cycle` (orderly: open zones come back CLOSED) and
# `power-cycle --raw` (no controller shutdown: they stay IMPLICITLY OPEN),
# every object reads back byte-exact and no deleted one comes back; after the
# raw one the store resumes appending in the zone the crash left open.  The
# fill's appends go through io_uring (asynchronous), as zns store's do unless
# --sync-append.

load test_helper/common
load test_helper/store

# The fill and its check use the same options: check knows every object.
FILL="--count 50000 --min-size 16 --max-size 4000 --delete-every 7 --seed 9"
MORE="--count 4000 --first-id 1000000 --min-size 100 --max-size 9000 --seed 10"

setup_file() {
    lab_setup_file
}

@test "50,000 objects come back byte-exact after power-cycle and power-cycle --raw; deleted ones stay deleted" {
    store_up pc
    sx "zns store fill $DEV $FILL --flush-every 5000 --json"
    assert_success
    assert_equal "$(lab_json_get "$output" .objects)" 50000
    assert_equal "$(lab_json_get "$output" .deleted)" 7142
    # through io_uring passthrough: every append was started asynchronously
    assert_equal "$(lab_json_get "$output" .appends)" async
    assert_equal "$(counter "$output" async_appends)" "$(counter "$output" device_appends)"

    # orderly power cycle: the head zone comes back CLOSED
    lab_power_cycle "$STORE_VM"
    run jq -r '[.zone_list[].state] | map(select(. == "CLOSED")) | length' "$(zone_report)"
    assert_output "1"
    sx "zns store check $DEV $FILL"
    assert_success
    assert_output "checked 50000 ids: 42858 byte-exact, 7142 deleted and gone, 0 missing, 0 wrong, 0 back after delete"

    # more objects, then a power cycle without shutdown: the zone stays open
    sx "zns store fill $DEV $MORE"
    assert_success
    run timeout 300 "$ZNS_LAB" power-cycle --name "$STORE_VM" --raw 3>&-
    assert_success
    run jq -r '[.zone_list[].state] | map(select(. == "IMP_OPENED")) | length' "$(zone_report)"
    assert_output "1"
    sx "zns store check $DEV $FILL && zns store check $DEV $MORE"
    assert_success
    assert_line --partial "42858 byte-exact, 7142 deleted and gone, 0 missing, 0 wrong"
    assert_line "checked 4000 ids: 4000 byte-exact, 0 deleted and gone, 0 missing, 0 wrong, 0 back after delete"

    # reopened for writing, it goes on in the zone left open
    sx "zns store put $DEV 999999999 -v </dev/null"
    assert_success
    assert_output --partial "zone resumed at LBA"
    sx_json "zns store stats $DEV --json"
    assert_success
    assert_equal "$(lab_json_get "$(cat "$STORE_JSON")" .counters.corrupt_slabs)" 0
    assert_equal "$(lab_json_get "$(cat "$STORE_JSON")" .counters.zones_left_open)" 1
}
