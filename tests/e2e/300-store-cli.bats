#!/usr/bin/env bats
# The zone store from the command line on the default profile (64 zones of
# 4 MiB with 3 MiB capacity, max open 4, max active 6, ZASL 64K): put, get,
# del, info, stats, zones, and the errors a device gives a reason for.  One
# VM; every test starts from a formatted store.

load test_helper/common
load test_helper/store

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    lab_setup_file
    store_up cli
}

teardown_file() {
    lab_teardown_file
}

setup() {
    sx "zns store format $DEV"
    assert_success
}

@test "a put object reads back byte for byte; after del it is gone, and get says so (exit 4)" {
    head -c 3000 /dev/urandom >"$STORE_SHARE/obj"
    sx "zns store put $DEV 42 -d $GUEST_SHARE/obj && zns store get $DEV 42 -d $GUEST_SHARE/back"
    assert_success
    assert_output --partial "put 42: 3000 bytes, flushed"
    run cmp "$STORE_SHARE/obj" "$STORE_SHARE/back"
    assert_success
    sx "zns store del $DEV 42"
    assert_success
    assert_output "deleted 42, flushed"
    sx "zns store get $DEV 42 -d $GUEST_SHARE/back"
    assert_equal "$status" 4
    assert_output "zns store get: $DEV: object 42: no such object"
    sx "zns store del $DEV 42"
    assert_equal "$status" 4
    # an empty object exists, and is not "no such object"
    sx "zns store put $DEV 7 </dev/null && zns store get $DEV 7 | wc -c"
    assert_success
    assert_line "0"
}

@test "info tells the slab size ZASL allows and the largest object; JSON too" {
    sx_json "zns store info $DEV --json"
    assert_success
    run jq -c '{slab_bytes, max_object_bytes, nr_zones, zone_cap_bytes, lba_bytes, format_version, mode}' \
        "$STORE_JSON"
    assert_output '{"slab_bytes":65536,"max_object_bytes":65440,"nr_zones":64,"zone_cap_bytes":3145728,"lba_bytes":4096,"format_version":2,"mode":"store"}'
    sx "zns store info $DEV"
    assert_success
    assert_line "slab:             65536 bytes (one Zone Append)"
}

@test "an object larger than a slab holds, or a range past the device, is refused by name" {
    sx "head -c 65441 /dev/zero >/tmp/big && zns store put $DEV 1 -d /tmp/big"
    assert_equal "$status" 1
    assert_output --partial "object of 65441 bytes is larger than the largest object, 65440 bytes"
    sx "zns store info $DEV --zones 64:1"
    assert_equal "$status" 1
    assert_output --partial "first zone 64 is past the device's zones: 64"
    sx "zns store info $DEV --zones 60:8"
    assert_equal "$status" 1
    assert_output --partial "the range runs past the device's zones"
    sx "zns store info /dev/nvme0n1 --slab 10000"
    assert_equal "$status" 1
    assert_output --partial "slab size 10000 bytes: give a multiple of the LBA size"
}

@test "the store's zones agree with nvme zns report-zones: state and write pointer" {
    sx "zns store fill $DEV --count 3000 --min-size 500 --max-size 4000 >/dev/null"
    assert_success
    sx_json "zns store zones $DEV --json"
    assert_success
    local nvme
    nvme=$(zone_report)
    # HEAD is implicitly open; FULL is FULL; EMPTY is EMPTY; an open zone's
    # write pointer is where the store's written bytes end
    run jq -rn --slurpfile st "$STORE_JSON" --slurpfile nv "$nvme" '
        [range(0; $st[0].zones | length) as $i | $st[0].zones[$i] as $z | $nv[0].zone_list[$i] as $n |
         select(($z.state == "HEAD" and ($n.state != "IMP_OPENED" or $n.wp != $n.slba + $z.written_bytes / 4096))
             or ($z.state == "FULL" and $n.state != "FULL")
             or ($z.state == "EMPTY" and $n.state != "EMPTY")) | "\($i): \($z.state) vs \($n.state)"] | join(", ")'
    assert_success
    assert_output ""
    run jq '[.zones[] | select(.state == "FULL")] | length' "$STORE_JSON"
    assert [ "$output" -ge 1 ]
}

@test "stats after recovery count the records read, in text and JSON" {
    sx "zns store fill $DEV --count 2000 >/dev/null"
    assert_success
    sx_json "zns store stats $DEV --json"
    assert_success
    local scanned
    scanned=$(lab_json_get "$(cat "$STORE_JSON")" '.counters.slabs_scanned')
    assert [ "$scanned" -ge 10 ]
    assert_equal "$(lab_json_get "$(cat "$STORE_JSON")" '.counters.live_objects')" 2000
    assert_equal "$(lab_json_get "$(cat "$STORE_JSON")" '.counters.corrupt_slabs')" 0
    sx "zns store stats $DEV"
    assert_success
    assert_line --regexp '^zones: [0-9]+ EMPTY, 1 HEAD, 0 RETIRING, [0-9]+ FULL, 0 BAD$'
}

@test "flush, ls and verify on the device: every record's CRCs check" {
    sx "zns store fill $DEV --count 500 >/dev/null && zns store ls $DEV | wc -l && zns store verify $DEV"
    assert_success
    assert_line "500"
    assert_line --regexp '^verified [0-9]+ records, 0 corrupt, 500 live objects$'
}
