#!/usr/bin/env bats
# Zone behaviour of the emulated device, seen through nvme-cli in one
# persistent VM (default profile: 4 MiB zones = 1024 LBAs of 4 KiB, capacity
# 768 LBAs, max open 4, max active 6, ZASL 64K).  Each test starts from all
# zones EMPTY; the tests of this file run one after another.

load test_helper/common

DEV=/dev/nvme0n1
ZONE_LBAS=1024
CAP_LBAS=768

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    lab_setup_file
    ZONES_VM=$(lab_vm_name zones)
    export ZONES_VM
    lab_up "$ZONES_VM"
}

teardown_file() {
    lab_teardown_file
}

setup() {
    lab_exec "$ZONES_VM" nvme zns reset-zone "$DEV" -a
    assert_success
}

# Prints "STATE WP" of the zone starting at LBA $1, WP in hex as nvme-cli
# reports it (JSON would do, but jq rounds 2^64 - 1 to a double).
zone_state() {
    lab_exec "$ZONES_VM" nvme zns report-zones "$DEV" -s "$1" -d 1
    assert_success
    awk '$1 == "SLBA:" {
        split("10 EMPTY 20 IMP_OPENED 30 EXP_OPENED 40 CLOSED d0 READ_ONLY e0 FULL f0 OFFLINE", m, " ")
        for (i = 1; i < 14; i += 2) name["0x" m[i]] = m[i + 1]
        for (i = 1; i < NF; i++) { if ($i == "WP:") wp = $(i + 1); if ($i == "State:") st = $(i + 1) }
        print name[st], wp; exit }' <<<"$output"
}

hex() { printf '0x%x' "$1"; }

@test "zone append advances the write pointer and returns the LBA it wrote" {
    local z=$((2 * ZONE_LBAS))
    lab_exec "$ZONES_VM" sh -c "
        nvme zns zone-append $DEV -s $z -z 8192 -d /dev/zero &&
        nvme zns zone-append $DEV -s $z -z 4096 -d /dev/zero"
    assert_success
    # nvme-cli prints the assigned LBA in hex without 0x.
    assert_line "Success appended data to LBA $(printf '%x' "$z")"
    assert_line "Success appended data to LBA $(printf '%x' $((z + 2)))"
    assert_equal "$(zone_state "$z")" "IMP_OPENED $(hex $((z + 3)))"
}

@test "open, close, finish and reset move a zone through its states" {
    local z=$ZONE_LBAS
    lab_exec "$ZONES_VM" nvme zns open-zone "$DEV" -s "$z"
    assert_success
    assert_equal "$(zone_state "$z")" "EXP_OPENED $(hex "$z")"
    lab_exec "$ZONES_VM" sh -c "nvme zns zone-append $DEV -s $z -z 4096 -d /dev/zero &&
        nvme zns close-zone $DEV -s $z"
    assert_success
    assert_equal "$(zone_state "$z")" "CLOSED $(hex $((z + 1)))"
    lab_exec "$ZONES_VM" nvme zns finish-zone "$DEV" -s "$z"
    assert_success
    # A FULL zone reports its write pointer as all ones.
    assert_equal "$(zone_state "$z")" "FULL 0xffffffffffffffff"
    lab_exec "$ZONES_VM" nvme zns reset-zone "$DEV" -s "$z"
    assert_success
    assert_equal "$(zone_state "$z")" "EMPTY $(hex "$z")"
}

@test "opening more zones than max open is refused with Too Many Open Zones" {
    lab_exec "$ZONES_VM" sh -c "for z in 0 1 2 3; do nvme zns open-zone $DEV -s \$((z * $ZONE_LBAS)) || exit; done
        nvme zns open-zone $DEV -s $((4 * ZONE_LBAS))"
    assert_failure
    assert_output --regexp 'Too Many Open Zones.*\(0x4?1be\)'
}

@test "activating more zones than max active is refused with Too Many Active Zones" {
    # Four opened then closed zones stay active; two more open reach six.
    lab_exec "$ZONES_VM" sh -c "for z in 0 1 2 3; do nvme zns open-zone $DEV -s \$((z * $ZONE_LBAS)) || exit; done
        nvme zns close-zone $DEV -a || exit
        for z in 4 5; do nvme zns open-zone $DEV -s \$((z * $ZONE_LBAS)) || exit; done
        nvme zns open-zone $DEV -s $((6 * ZONE_LBAS))"
    assert_failure
    assert_output --regexp 'Too Many Active Zones.*\(0x4?1bd\)'
}

@test "writing past the zone capacity is refused with Zone Is Full" {
    local z=$((3 * ZONE_LBAS)) chunk=128 # 128 LBAs = 512 KiB, the MDTS
    lab_exec "$ZONES_VM" sh -c "for i in 0 1 2 3 4 5; do
            nvme write $DEV -s \$(($z + i * $chunk)) -c $((chunk - 1)) -z $((chunk * 4096)) -d /dev/zero >/dev/null || exit
        done
        nvme zns zone-append $DEV -s $z -z 4096 -d /dev/zero"
    assert_failure
    assert_output --regexp 'Zone Is Full.*\(0x4?1b9\)'
    assert_equal "$(zone_state "$z")" "FULL 0xffffffffffffffff"
    # 6 x 128 LBAs is exactly the 768-LBA capacity.
    assert_equal $((6 * chunk)) "$CAP_LBAS"
}

@test "a read across a zone boundary is refused with Zone Boundary Error" {
    lab_exec "$ZONES_VM" nvme read "$DEV" -s $((ZONE_LBAS - 1)) -c 1 -z 8192 -d /tmp/out
    assert_failure
    assert_output --regexp 'Boundary Error.*\(0x4?1b8\)'
}

@test "a write away from the write pointer is refused with Zone Invalid Write" {
    lab_exec "$ZONES_VM" nvme write "$DEV" -s 5 -c 0 -z 4096 -d /dev/zero
    assert_failure
    assert_output --regexp 'Zone Invalid Write.*\(0x4?1bc\)'
    assert_equal "$(zone_state 0)" "EMPTY 0"
}

@test "a zone append larger than ZASL is refused" {
    # ZASL is 64K in the default profile; 128K must not be accepted.
    lab_exec "$ZONES_VM" nvme zns zone-append "$DEV" -s 0 -z 131072 -d /dev/zero
    assert_failure
    lab_exec "$ZONES_VM" nvme zns zone-append "$DEV" -s 0 -z 65536 -d /dev/zero
    assert_success
    assert_equal "$(zone_state 0)" "IMP_OPENED 0x10"
}
