#!/usr/bin/env bats
# Smoke: the lab boots the default profile, the zoned namespace looks as the
# profile says, exit statuses come back and nothing is left running.

load test_helper/common

setup_file() {
    lab_setup_file
}

@test "the default profile shows a host-managed zoned /dev/nvme0n1 and /dev/ng0n1" {
    lab_run -- sh -c 'ls /dev/nvme0n1 /dev/ng0n1 && cat /sys/block/nvme0n1/queue/zoned'
    assert_success
    assert_output --partial /dev/nvme0n1
    assert_output --partial /dev/ng0n1
    assert_output --partial host-managed
}

@test "nvme-cli id-ns, id-ctrl and report-zones match the default profile's geometry" {
    lab_run -- sh -c 'nvme zns id-ns /dev/nvme0n1 -o json | tr -d "\n";
        echo; nvme zns id-ctrl /dev/nvme0n1 -o json | tr -d "\n";
        echo; nvme zns report-zones /dev/nvme0n1 -o json | tr -d "\n"; echo'
    assert_success
    local id_ns id_ctrl zones
    id_ns=$(sed -n 1p <<<"$output")
    id_ctrl=$(sed -n 2p <<<"$output")
    zones=$(sed -n 3p <<<"$output")
    # 4 KiB LBAs: 4M zones are 1024 blocks, 3M capacity is 768.
    assert_equal "$(lab_json_get "$id_ns" '.lbafe[0].zsze')" 1024
    assert_equal "$(lab_json_get "$id_ns" '.mor')" 3 # 0-based: max open 4
    assert_equal "$(lab_json_get "$id_ns" '.mar')" 5 # 0-based: max active 6
    assert_equal "$(lab_json_get "$id_ctrl" '.zasl')" 4 # 4K * 2^4 = 64K
    assert_equal "$(lab_json_get "$zones" '.nr_zones')" 64
    assert_equal "$(lab_json_get "$zones" '[.zone_list[].cap] | unique | join(",")')" 768
    assert_equal "$(lab_json_get "$zones" '[.zone_list[].state] | unique | join(",")')" EMPTY
    assert_equal "$(lab_json_get "$zones" '.zone_list[1].slba')" 1024
}

@test "flags override the profile's geometry" {
    lab_run --zone-size 8M --zone-cap 8M --max-open 2 --max-active 2 -- \
        sh -c 'nvme zns report-zones /dev/nvme0n1 -o json | tr -d "\n"; echo;
            cat /sys/block/nvme0n1/queue/max_open_zones'
    assert_success
    assert_equal "$(lab_json_get "${lines[0]}" '.nr_zones')" 32
    assert_equal "$(lab_json_get "${lines[0]}" '.zone_list[0].cap')" 2048
    assert_equal "${lines[1]}" 2
}

@test "the guest command's exit status and output come back" {
    lab_run -- sh -c 'echo to-stdout; echo to-stderr >&2; printf no-newline; exit 42'
    assert_failure 42
    assert_line to-stdout
    assert_line to-stderr
    assert_line no-newline
}

@test "a large output arrives complete, up to its last line" {
    # ~110 KB: more than the 64 KiB the port's FIFO holds.
    lab_run -- seq 1 20000
    assert_success
    assert_equal "${#lines[@]}" 20000
    assert_equal "${lines[-1]}" 20000
}

@test "run leaves no QEMU process and no run directory behind" {
    local state=$BATS_TEST_TMPDIR/state
    ZNS_LAB_STATE_DIR=$state lab_run -- true
    assert_success
    run pgrep -f "$state"
    assert_failure 1
    run find "$state" -name 'run-*'
    assert_output ""
}

@test "the project's binaries and the tools are on the guest's PATH" {
    local want=""
    local exe
    for exe in "$REPO_ROOT"/build/bin/*; do
        [[ -f $exe && -x $exe ]] && want+=" ${exe##*/}"
    done
    # shellcheck disable=SC2086,SC2016 # one word a program; $p is the guest's
    lab_run -- sh -c 'for p in "$@"; do command -v "$p" || echo "missing $p"; done' sh nvme blkzone zbd fio $want
    assert_success
    refute_output --partial missing
}
