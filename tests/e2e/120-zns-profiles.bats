#!/usr/bin/env bats
# zns on the other profiles: npo2, whose 6 MiB zones leave Linux only the
# char device /dev/ng0n1, and large zones, whose reports span several Report
# Zones commands.  Each test boots its own VM.

load test_helper/common
load test_helper/driver

setup_file() {
    lab_setup_file
}

# Each test's own share: its VM's /mnt/host.
setup() {
    DRIVER_SHARE=$BATS_TEST_TMPDIR/share
    mkdir -p "$DRIVER_SHARE"
}

# npo2: 252 MiB, zones of 6 MiB = 1536 LBAs, capacity 5 MiB = 1280 LBAs.
NPO2_ZONE_LBAS=1536

@test "on npo2 only /dev/ng0n1 exists, and zns info reads its 6 MiB zones there" {
    lab_run --profile npo2 -- sh -c 'test -e /dev/nvme0n1 && echo block device present
        zns info /dev/ng0n1 --json; nvme zns id-ns /dev/ng0n1 -o json | grep -m1 zsze'
    assert_success
    refute_line "block device present"
    assert_equal "$(lab_json_get "${lines[0]}" '"\(.zone_size_lbas) \(.zone_cap_lbas) \(.nr_zones)"')" \
        "1536 1280 42"
    assert_line --partial "\"zsze\":1536"
}

@test "on npo2 every zns verb works through /dev/ng0n1 and agrees with nvme-cli" {
    local DEV=/dev/ng0n1 s=$GUEST_SHARE z1=$NPO2_ZONE_LBAS z2=$((2 * NPO2_ZONE_LBAS)) z3
    z3=$((3 * NPO2_ZONE_LBAS))
    head -c 65536 /dev/urandom >"$DRIVER_SHARE/data.bin"
    # Each step saves both reports under its own name, then the host compares.
    cat >"$DRIVER_SHARE/steps.sh" <<EOF
set -e
step() { zns report $DEV --json >$s/zns.\$1.json; nvme zns report-zones $DEV -o json >$s/nvme.\$1.json; }
zns append $DEV -s $z1 -d $s/data.bin --json >$s/append.json; step append
zns write $DEV -w -s $z1 -z 8K -d /dev/zero >/dev/null; step write
zns read $DEV -s $z1 -z 64K -d $s/back.bin; step read
nvme read $DEV -s $z1 -c 15 -z 65536 -d $s/back-nvme.bin >/dev/null 2>&1
zns open $DEV -s $z2 >/dev/null; step open
zns close $DEV -s $z2 >/dev/null; step close
zns finish $DEV -s $z3 >/dev/null; step finish
zns reset $DEV -s $z1 >/dev/null; step reset
zns offline $DEV -s $z2 2>$s/offline.err || echo "offline: \$?"; step offline
zns close $DEV -a >/dev/null; step close-all
zns reset $DEV -a >/dev/null; step reset-all
EOF
    lab_run --profile npo2 --share "$DRIVER_SHARE" -- sh /mnt/host/steps.sh
    assert_success
    assert_output "offline: 2"
    assert_equal "$(json_lba "$(cat "$DRIVER_SHARE/append.json")")" "$z1"
    run cmp "$DRIVER_SHARE/data.bin" "$DRIVER_SHARE/back.bin"
    assert_success
    run cmp "$DRIVER_SHARE/data.bin" "$DRIVER_SHARE/back-nvme.bin"
    assert_success
    assert_equal "$(cat "$DRIVER_SHARE/offline.err")" \
        "zns offline: $DEV: offline zone 0xc00 (3072): Invalid Zone State Transition (NVMe status 0x1bf)"
    local step expected
    for step in append write read open close finish reset offline close-all reset-all; do
        run diff <(_zone_lines "$DRIVER_SHARE/zns.$step.json") <(_zone_lines "$DRIVER_SHARE/nvme.$step.json")
        assert_success
        assert_equal "$(jq '.zone_list | length' "$DRIVER_SHARE/zns.$step.json")" 42
    done
    state_at() { jq -r --argjson i "$2" '.zone_list[$i] | "\(.state) \(.wp)"' "$DRIVER_SHARE/nvme.$1.json"; }
    assert_equal "$(state_at write 1)" "IMP_OPENED $((z1 + 18))"
    assert_equal "$(state_at open 2)" "EXP_OPENED $z2"
    assert_equal "$(state_at close 2)" "CLOSED $z2"
    assert_equal "$(state_at finish 3 | cut -d' ' -f1)" FULL
    assert_equal "$(state_at reset 1)" "EMPTY $z1"
    assert_equal "$(state_at close-all 2)" "CLOSED $z2"
    expected=$(jq -r '[.zone_list[].state] | unique | join(",")' "$DRIVER_SHARE/nvme.reset-all.json")
    assert_equal "$expected" EMPTY
}

# zns.$1.json and nvme.$1.json in the share list the same zones.
assert_report_pair() {
    run diff <(_zone_lines "$DRIVER_SHARE/zns.$1.json") <(_zone_lines "$DRIVER_SHARE/nvme.$1.json")
    assert_success
}

@test "on large-zones a report in pages smaller than the zone count is complete and matches nvme-cli" {
    local s=$GUEST_SHARE z=32768 # 128 MiB zones of 4 KiB LBAs
    lab_run --profile large-zones --share "$DRIVER_SHARE" -- sh -c "set -e
        zns append /dev/ng0n1 -s $z -z 8K -d /dev/zero >/dev/null
        for i in 3 5 6; do zns finish /dev/ng0n1 -s \$((i * $z)) >/dev/null; done
        zns open /dev/ng0n1 -s $((7 * z)) >/dev/null
        nvme zns report-zones /dev/ng0n1 -o json >$s/nvme.all.json
        for b in 1 3 7 8 1024; do zns report /dev/ng0n1 --batch \$b --json >$s/zns.batch\$b.json; done
        zns report /dev/ng0n1 -s $((2 * z + 5)) --batch 2 --json >$s/zns.from.json
        nvme zns report-zones /dev/ng0n1 -s $((2 * z + 5)) -o json >$s/nvme.from.json
        zns report /dev/ng0n1 -S FULL --batch 1 --json >$s/zns.full.json
        nvme zns report-zones /dev/ng0n1 -S 5 -o json >$s/nvme.full.json
        zns info /dev/ng0n1 --json"
    assert_success
    assert_equal "$(lab_json_get "$output" .nr_zones)" 8
    local b
    for b in 1 3 7 8 1024; do
        cp "$DRIVER_SHARE/nvme.all.json" "$DRIVER_SHARE/nvme.batch$b.json"
        assert_report_pair "batch$b"
        assert_equal "$(jq '.zone_list | length' "$DRIVER_SHARE/zns.batch$b.json")" 8
    done
    assert_report_pair from
    assert_equal "$(jq -c '[.zone_list[].slba]' "$DRIVER_SHARE/zns.from.json")" \
        "[$((2 * z)),$((3 * z)),$((4 * z)),$((5 * z)),$((6 * z)),$((7 * z))]"
    assert_report_pair full
    assert_equal "$(jq -c '[.zone_list[].slba]' "$DRIVER_SHARE/zns.full.json")" \
        "[$((3 * z)),$((5 * z)),$((6 * z))]"
    assert_equal "$(jq -r '.zone_list[1] | "\(.state) \(.wp)"' "$DRIVER_SHARE/zns.batch1.json")" \
        "IMP_OPENED $((z + 2))"
}

@test "a report of 2048 zones, more than one Report Zones command holds, is complete and matches nvme-cli" {
    local s=$GUEST_SHARE
    # 1 GiB in 512 KiB zones: 2048 zones; a page holds 1024 descriptors.
    lab_run --profile large-zones --zone-size 512K --zone-cap 512K --share "$DRIVER_SHARE" -- \
        sh -c "set -e
        zns append /dev/ng0n1 -s $((2047 * 128)) -z 4K -d /dev/zero >/dev/null
        zns finish /dev/ng0n1 -s $((1024 * 128)) >/dev/null
        zns report /dev/ng0n1 --json >$s/zns.all.json
        nvme zns report-zones /dev/ng0n1 -o json >$s/nvme.all.json"
    assert_success
    assert_report_pair all
    assert_equal "$(jq '.zone_list | length' "$DRIVER_SHARE/zns.all.json")" 2048
    assert_equal "$(jq -r '.zone_list[2047] | "\(.state) \(.wp)"' "$DRIVER_SHARE/zns.all.json")" \
        "IMP_OPENED $((2047 * 128 + 1))"
    assert_equal "$(jq -r '.zone_list[1024].state' "$DRIVER_SHARE/zns.all.json")" FULL
}
