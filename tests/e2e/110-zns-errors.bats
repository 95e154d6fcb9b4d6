#!/usr/bin/env bats
# Every ZNS error path of the lab, now through `zns`: the device's status is
# named (exit 2), the driver's own refusals say what is wrong (exit 1, nothing
# sent), and nvme-cli confirms what changed and what did not.  Default
# profile (64 zones of 1024 LBAs, capacity 768, max open 4, max active 6,
# ZASL 64K); one VM, all zones EMPTY at the start of each test.

load test_helper/common
load test_helper/driver

CAP_LBAS=768

setup_file() {
    driver_setup_file
}

teardown_file() {
    lab_teardown_file
}

setup() {
    reset_all_zones
}

@test "zns append past the zone capacity fails with Zone Is Full" {
    local z
    z=$(zslba 3)
    zns_step "zns write $DEV -s $z -z $((CAP_LBAS * 4096)) -d /dev/zero >/dev/null &&
        zns append $DEV -s $z -z 4K -d /dev/zero"
    assert_failure 2
    assert_output "zns append: $DEV: append: Zone Is Full (NVMe status 0x1b9)"
    assert_reports_agree
    assert_equal "$(zone_state 3)" "FULL none"
    zexec "zns write $DEV -w -s $z -z 4K -d /dev/zero"
    assert_failure 2
    assert_output --partial "Zone Is Full"
}

@test "zns append larger than the room left gets the device's Zone Boundary Error" {
    local z
    z=$(zslba 4)
    # 8 LBAs of room; a 16-LBA append is the device's to refuse.
    zns_step "zns write $DEV -s $z -z $(((CAP_LBAS - 8) * 4096)) -d /dev/zero >/dev/null &&
        zns append $DEV -s $z -z 64K -d /dev/zero"
    assert_failure 2
    assert_output "zns append: $DEV: append: Zone Boundary Error (NVMe status 0x1b8)"
    assert_reports_agree
    assert_equal "$(zone_state 4)" "IMP_OPENED $((z + CAP_LBAS - 8))"
}

@test "a zns read across a zone boundary is refused before sending, and with --no-check the device says Zone Boundary Error" {
    zexec "zns read $DEV -s $((ZONE_LBAS - 1)) -z 8K -d /tmp/out"
    assert_failure 1
    assert_output "zns read: $DEV: read: Range crosses a zone boundary (checked before sending)"
    zexec "zns read $DEV -s $((ZONE_LBAS - 1)) -z 8K -d /tmp/out --no-check"
    assert_failure 2
    assert_output "zns read: $DEV: read: Zone Boundary Error (NVMe status 0x1b8)"
}

@test "a zns write past the capacity is refused before sending, and with --no-check the device says Zone Boundary Error" {
    local z
    z=$(zslba 5)
    zns_step "zns write $DEV -s $((z + CAP_LBAS - 1)) -z 8K -d /dev/zero"
    assert_failure 1
    assert_output "zns write: $DEV: write: Range runs past the zone capacity (checked before sending)"
    assert_reports_agree
    assert_equal "$(zone_state 5)" "EMPTY $z"
    zns_step "zns write $DEV -s $z -z $(((CAP_LBAS - 1) * 4096)) -d /dev/zero >/dev/null &&
        zns write $DEV -w -s $z -z 8K -d /dev/zero --no-check"
    assert_failure 2
    assert_output "zns write: $DEV: write: Zone Boundary Error (NVMe status 0x1b8)"
    assert_reports_agree
    assert_equal "$(zone_state 5)" "IMP_OPENED $((z + CAP_LBAS - 1))"
}

@test "a zns write away from the write pointer fails with Zone Invalid Write" {
    zns_step "zns write $DEV -s 5 -z 4K -d /dev/zero"
    assert_failure 2
    assert_output "zns write: $DEV: write: Zone Invalid Write (NVMe status 0x1bc)"
    assert_reports_agree
    assert_equal "$(zone_state 0)" "EMPTY 0"
}

@test "zns opening a fifth zone fails with Too Many Open Zones" {
    zns_step "for i in 0 1 2 3; do zns open $DEV -s \$((i * $ZONE_LBAS)) >/dev/null || exit; done
        zns open $DEV -s $(zslba 4)"
    assert_failure 2
    assert_output "zns open: $DEV: open zone 0x1000 (4096): Too Many Open Zones (NVMe status 0x1be)"
    assert_reports_agree
    assert_equal "$(zone_state 3)" "EXP_OPENED $(zslba 3)"
    assert_equal "$(zone_state 4)" "EMPTY $(zslba 4)"
}

@test "zns activating a seventh zone fails with Too Many Active Zones" {
    # Four opened and closed zones stay active; two more open make six.
    zns_step "for i in 0 1 2 3; do zns open $DEV -s \$((i * $ZONE_LBAS)) >/dev/null || exit; done
        zns close $DEV -a >/dev/null || exit
        for i in 4 5; do zns open $DEV -s \$((i * $ZONE_LBAS)) >/dev/null || exit; done
        zns append $DEV -s $(zslba 6) -z 4K -d /dev/zero"
    assert_failure 2
    assert_output "zns append: $DEV: append: Too Many Active Zones (NVMe status 0x1bd)"
    assert_reports_agree
    assert_equal "$(zone_state 0)" "CLOSED 0"
    assert_equal "$(zone_state 6)" "EMPTY $(zslba 6)"
}

@test "zns names an invalid zone state transition" {
    zns_step "zns close $DEV -s $(zslba 1)"
    assert_failure 2
    assert_output "zns close: $DEV: close zone 0x400 (1024): Invalid Zone State Transition (NVMe status 0x1bf)"
    zns_step "zns finish $DEV -s $(zslba 2) >/dev/null && zns open $DEV -s $(zslba 2)"
    assert_failure 2
    assert_output "zns open: $DEV: open zone 0x800 (2048): Invalid Zone State Transition (NVMe status 0x1bf)"
    assert_reports_agree
    assert_equal "$(zone_state 1)" "EMPTY $(zslba 1)"
    assert_equal "$(zone_state 2)" "FULL none"
}

@test "zns refuses an LBA that is not a zone start, and sends nothing" {
    zns_step "zns append $DEV -s 5 -z 4K -d /dev/zero; echo \$?
        zns reset $DEV -s $((ZONE_LBAS + 1)); echo \$?
        zns write $DEV -w -s 7 -z 4K -d /dev/zero; echo \$?
        zns open $DEV -s 0x10000"
    assert_failure 1
    assert_output "zns append: $DEV: LBA 0x5 (5) is not a zone start (zone size 0x400 LBAs)
1
zns reset: $DEV: LBA 0x401 (1025) is not a zone start (zone size 0x400 LBAs)
1
zns write: $DEV: LBA 0x7 (7) is not a zone start (zone size 0x400 LBAs)
1
zns open: $DEV: LBA 0x10000 (65536) is past the end of the namespace (65536 LBAs)"
    assert_reports_agree
    assert_equal "$(jq -r '[.zone_list[].state] | unique | join(",")' "$DRIVER_SHARE/nvme.json")" EMPTY
}

@test "zns refuses a size that is not a multiple of the LBA size" {
    zns_step "zns append $DEV -s 0 -z 1000 -d /dev/zero; echo \$?
        zns write $DEV -s 0 -z 6000 -d /dev/zero; echo \$?
        zns read $DEV -s 0 -z 512 -d /tmp/out"
    assert_failure 1
    assert_output "zns append: $DEV: size 1000 bytes is not a non-zero multiple of the LBA size (4096 bytes)
1
zns write: $DEV: size 6000 bytes is not a non-zero multiple of the LBA size (4096 bytes)
1
zns read: $DEV: size 512 bytes is not a non-zero multiple of the LBA size (4096 bytes)"
    assert_reports_agree
    assert_equal "$(zone_state 0)" "EMPTY 0"
}

@test "zns refuses an append over ZASL, and --split sends it in ZASL pieces" {
    zns_step "zns append $DEV -s 0 -z 128K -d /dev/zero; echo \$?
        zns append $DEV -s 0 -z 128K -d /dev/zero --chunk 128K"
    assert_failure 1
    assert_output "zns append: $DEV: size 131072 bytes is over the Zone Append Size Limit (ZASL, 65536 bytes); use --split to append it in chunks
1
zns append: $DEV: chunk 131072 bytes is over the Zone Append Size Limit (ZASL, 65536 bytes)"
    assert_reports_agree
    assert_equal "$(zone_state 0)" "EMPTY 0"
    # The device itself refuses an append over ZASL with Invalid Field.
    zexec "zns append $DEV -s 0 -z 128K -d /dev/zero --no-check"
    assert_failure 2
    assert_output "zns append: $DEV: append: Invalid Field in Command (NVMe status 0x2)"
    zns_step "zns append $DEV -s 0 -z 128K -d /dev/zero --split"
    assert_success
    assert_output "appended 16 LBAs (65536 bytes) at LBA 0x0 (0)
appended 16 LBAs (65536 bytes) at LBA 0x10 (16)"
    assert_reports_agree
    assert_equal "$(zone_state 0)" "IMP_OPENED 32"
    # --split streams its input: from a pipe too; a partial LBA at the end of
    # a pipe is found once the whole LBAs before it are appended.
    zns_step "head -c 81920 /dev/zero | zns append $DEV -s 0 --split --json; echo \$?
        head -c 5000 /dev/zero | zns append $DEV -s 0 --split"
    assert_failure 1
    assert_output '{"zslba": 0, "chunks": [{"lba": 32, "nlb": 16}, {"lba": 48, "nlb": 4}], "bytes": 81920}
0
zns append: /dev/nvme0n1: input ends with 5000 bytes, not a whole LBA (4096 bytes); the 0 bytes before were appended'
    assert_reports_agree
    assert_equal "$(zone_state 0)" "IMP_OPENED 52"
}

@test "zns refuses a path that is not an NVMe namespace" {
    zexec "zns info /dev/nvme0n9; echo \$?; zns info /dev/nvme0; echo \$?; zns report /dev/vda"
    assert_failure 1
    assert_output "zns info: /dev/nvme0n9: open: No such file or directory
1
zns info: /dev/nvme0: open: Not an NVMe namespace device
1
zns report: /dev/vda: open: Not an NVMe namespace device"
}

@test "zns refuses the conventional namespace of conv+zns as not zoned" {
    # shellcheck disable=SC2016 # $d and $? are the guest's
    lab_run --profile conv+zns -- sh -c 'nvme id-ns /dev/nvme0n2 -o json | grep -c nsze
        for d in /dev/nvme0n2 /dev/ng0n2; do zns info $d; echo "exit $?"; done
        zns append /dev/nvme0n2 -s 0 -z 4K -d /dev/zero; echo "exit $?"
        zns info /dev/nvme0n1 --json'
    assert_success
    assert_line "zns info: /dev/nvme0n2: open: Not a zoned namespace"
    assert_line "zns info: /dev/ng0n2: open: Not a zoned namespace"
    assert_line "zns append: /dev/nvme0n2: open: Not a zoned namespace"
    assert_equal "$(grep -c '^exit 1$' <<<"$output")" 3
    # Its zoned neighbour is fine.
    assert_equal "$(lab_json_get "${lines[-1]}" '.nr_zones')" 64
}
