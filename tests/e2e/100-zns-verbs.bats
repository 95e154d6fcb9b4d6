#!/usr/bin/env bats
# Every `zns` verb on the default profile, cross-checked against nvme-cli:
# after each operation `zns report --json` and `nvme zns report-zones -o json`
# agree on every zone, and nvme-cli shows the state the operation should have
# left.  Default profile: 64 zones of 1024 LBAs (4 KiB), capacity 768, max
# open 4, max active 6, ZASL 64K, MDTS 512K.  One VM; every test starts with
# all zones EMPTY.

load test_helper/common
load test_helper/driver


setup_file() {
    driver_setup_file
}

teardown_file() {
    lab_teardown_file
}

setup() {
    reset_all_zones
}

@test "zns info agrees with nvme-cli's identify data and with the profile" {
    local s=$GUEST_SHARE
    zexec "zns info $DEV --json >$s/info.json &&
        zns info /dev/ng0n1 --json >$s/info-ng.json &&
        nvme id-ns $DEV -o json >$s/id-ns.json &&
        nvme zns id-ns $DEV -o json >$s/zns-id-ns.json &&
        nvme id-ctrl $DEV -o json >$s/id-ctrl.json &&
        nvme zns id-ctrl $DEV -o json >$s/zns-id-ctrl.json &&
        nvme zns report-zones $DEV -d 1 -o json >$s/zone0.json"
    assert_success
    local h=$DRIVER_SHARE info nvme
    # What nvme-cli says, converted to zns info's units: MOR/MAR are 0-based
    # (~0: no limit, shown as 0), ZASL and MDTS are powers of two of 4 KiB
    # pages (ZASL 0: MDTS).
    nvme=$(jq -nc --slurpfile ns "$h/id-ns.json" --slurpfile zns "$h/zns-id-ns.json" \
        --slurpfile ctrl "$h/id-ctrl.json" --slurpfile zctrl "$h/zns-id-ctrl.json" \
        --slurpfile z0 "$h/zone0.json" '
        def limit(raw): if raw == 4294967295 then 0 else raw + 1 end;
        def pages(exp): 4096 * pow(2; exp) | floor;
        ($ns[0].flbas % 16) as $f |
        { lba_bytes: (pow(2; $ns[0].lbafs[$f].ds) | floor),
          ns_lbas: $ns[0].nsze,
          zone_size_lbas: $zns[0].lbafe[$f].zsze,
          zone_cap_lbas: $z0[0].zone_list[0].cap,
          nr_zones: ($ns[0].nsze / $zns[0].lbafe[$f].zsze | floor),
          max_open_zones: limit($zns[0].mor),
          max_active_zones: limit($zns[0].mar),
          zasl_bytes: (if $zctrl[0].zasl == 0 then pages($ctrl[0].mdts)
                       else pages($zctrl[0].zasl) end),
          mdts_bytes: pages($ctrl[0].mdts) }')
    info=$(jq -c '{lba_bytes, ns_lbas, zone_size_lbas, zone_cap_lbas, nr_zones,
        max_open_zones, max_active_zones, zasl_bytes, mdts_bytes}' "$h/info.json")
    assert_equal "$info" "$nvme"
    # And both say what the profile asked for.
    assert_equal "$info" '{"lba_bytes":4096,"ns_lbas":65536,"zone_size_lbas":1024,"zone_cap_lbas":768,"nr_zones":64,"max_open_zones":4,"max_active_zones":6,"zasl_bytes":65536,"mdts_bytes":524288}'
    # The char device is the same namespace.
    assert_equal "$(jq -c 'del(.device)' "$h/info-ng.json")" "$(jq -c 'del(.device)' "$h/info.json")"
}

@test "zns report lists the zones as nvme-cli does: all, from an LBA, and by state" {
    local s=$GUEST_SHARE z1 z2 z3
    z1=$(zslba 1) z2=$(zslba 2) z3=$(zslba 3)
    zns_step "nvme zns zone-append $DEV -s $z1 -z 8192 -d /dev/zero &&
        nvme zns open-zone $DEV -s $z2 && nvme zns finish-zone $DEV -s $z3 &&
        nvme zns finish-zone $DEV -s $(zslba 40)"
    assert_success
    assert_reports_agree
    assert_equal "$(zone_state 1)" "IMP_OPENED $((z1 + 2))"
    zexec "zns report $DEV -s $((z1 + 5)) -n 4 --json >$s/part.json &&
        nvme zns report-zones $DEV -s $((z1 + 5)) -d 4 -o json >$s/part-nvme.json &&
        zns report $DEV -S FULL --json >$s/full.json &&
        nvme zns report-zones $DEV -S 5 -o json >$s/full-nvme.json &&
        zns report $DEV -s $z1 -n 3"
    assert_success
    # Human output: state names, LBAs in hex and decimal, no write pointer when FULL.
    assert_line --regexp "^SLBA: 0x400 +\(1024\) +WP: 0x402 +\(1026\) +Cap: 0x300 \(768\) +State: IMP_OPENED"
    assert_line --regexp "^SLBA: 0x800 +\(2048\) +WP: 0x800 +\(2048\) .*State: EXP_OPENED"
    assert_line --regexp "^SLBA: 0xc00 +\(3072\) +WP: none .*State: FULL"
    run diff <(_zone_lines "$DRIVER_SHARE/part.json") <(_zone_lines "$DRIVER_SHARE/part-nvme.json")
    assert_success
    assert_equal "$(jq -c '[.zone_list[].slba]' "$DRIVER_SHARE/part.json")" "[$z1,$z2,$z3,$(zslba 4)]"
    run diff <(_zone_lines "$DRIVER_SHARE/full.json") <(_zone_lines "$DRIVER_SHARE/full-nvme.json")
    assert_success
    assert_equal "$(jq -c '[.zone_list[].slba]' "$DRIVER_SHARE/full.json")" "[$z3,$(zslba 40)]"
}

@test "zns append returns exactly the LBA that nvme-cli then shows" {
    local z lba
    z=$(zslba 2)
    zns_step "zns append $DEV -s $z -z 8K -d /dev/zero --json"
    assert_success
    lba=$(json_lba "$output")
    assert_equal "$lba" "$z"
    assert_reports_agree
    assert_equal "$(zone_state 2)" "IMP_OPENED $((lba + 2))"
    # After nvme-cli's own append, zns continues where nvme-cli's wp is.
    zns_step "nvme zns zone-append $DEV -s $z -z 4096 -d /dev/zero >/dev/null &&
        zns append $DEV -s $z -z 4096 -d /dev/zero"
    assert_success
    assert_output "appended 1 LBAs (4096 bytes) at LBA 0x803 (2051)"
    assert_reports_agree
    assert_equal "$(zone_state 2)" "IMP_OPENED $((z + 4))"
    # --split: one append per ZASL (64K = 16 LBAs), each LBA reported.
    zns_step "zns append $DEV -s $z -z 128K -d /dev/zero --split --json"
    assert_success
    assert_equal "$(lab_json_get "$output" '[.chunks[] | "\(.lba)+\(.nlb)"] | join(" ")')" \
        "$((z + 4))+16 $((z + 20))+16"
    assert_reports_agree
    assert_equal "$(zone_state 2)" "IMP_OPENED $((z + 36))"
}

@test "zns open, close, finish and reset move a zone through its states as nvme-cli shows" {
    local z
    z=$(zslba 5)
    zns_step "zns open $DEV -s $z"
    assert_success
    assert_output "open zone 0x1400 (5120): Success"
    assert_reports_agree
    assert_equal "$(zone_state 5)" "EXP_OPENED $z"
    zns_step "zns append $DEV -s $z -z 4K -d /dev/zero >/dev/null && zns close $DEV -s $z --json"
    assert_success
    assert_equal "$(lab_json_get "$output" '"\(.action) \(.slba) \(.all)"')" "close $z false"
    assert_reports_agree
    assert_equal "$(zone_state 5)" "CLOSED $((z + 1))"
    zns_step "zns finish $DEV -s $z"
    assert_success
    assert_reports_agree
    assert_equal "$(zone_state 5)" "FULL none"
    zns_step "zns reset $DEV -s $z"
    assert_success
    assert_reports_agree
    assert_equal "$(zone_state 5)" "EMPTY $z"
}

@test "zns open, close, finish and reset with -a act on every zone as nvme-cli shows" {
    local i
    zns_step "for i in 0 1 2; do nvme zns zone-append $DEV -s \$((i * $ZONE_LBAS)) -z 4096 -d /dev/zero >/dev/null || exit; done
        zns close $DEV -a"
    assert_success
    assert_output "close all zones: Success"
    assert_reports_agree
    for i in 0 1 2; do assert_equal "$(zone_state $i)" "CLOSED $(($(zslba $i) + 1))"; done
    zns_step "zns open $DEV -a"
    assert_success
    assert_reports_agree
    for i in 0 1 2; do assert_equal "$(zone_state $i)" "EXP_OPENED $(($(zslba $i) + 1))"; done
    assert_equal "$(zone_state 3)" "EMPTY $(zslba 3)"
    zns_step "zns finish $DEV -a"
    assert_success
    assert_reports_agree
    for i in 0 1 2; do assert_equal "$(zone_state $i)" "FULL none"; done
    assert_equal "$(zone_state 3)" "EMPTY $(zslba 3)"
    zns_step "zns reset $DEV -a"
    assert_success
    assert_reports_agree
    assert_equal "$(jq -r '[.zone_list[].state] | unique | join(",")' "$DRIVER_SHARE/nvme.json")" EMPTY
}

@test "zns write at an LBA and at the write pointer advances the zone as nvme-cli shows" {
    local z
    z=$(zslba 4)
    zns_step "zns write $DEV -s $z -z 16K -d /dev/zero"
    assert_success
    assert_output "wrote 4 LBAs (16384 bytes) at LBA 0x1000 (4096)"
    assert_reports_agree
    assert_equal "$(zone_state 4)" "IMP_OPENED $((z + 4))"
    zns_step "zns write $DEV -w -s $z -z 8K -d /dev/zero --json"
    assert_success
    assert_equal "$(json_lba "$output")" $((z + 4))
    assert_reports_agree
    assert_equal "$(zone_state 4)" "IMP_OPENED $((z + 6))"
    # 1 MiB is two commands at the 512K MDTS; writing to the capacity fills the zone.
    zns_step "zns write $DEV -s $((z + 6)) -z 1M -d /dev/zero >/dev/null &&
        zns write $DEV -w -s $z -z $(((768 - 262) * 4096)) -d /dev/zero"
    assert_success
    assert_reports_agree
    assert_equal "$(zone_state 4)" "FULL none"
}

@test "data written by zns reads back byte-exactly with nvme read" {
    local s=$GUEST_SHARE z1 z2
    z1=$(zslba 6) z2=$(zslba 7)
    head -c 262144 /dev/urandom >"$DRIVER_SHARE/data.bin"
    # 256 KiB = 64 LBAs: one nvme read command (under the 512K MDTS).
    zns_step "zns write $DEV -s $z1 -d $s/data.bin &&
        nvme read $DEV -s $z1 -c 63 -z 262144 -d $s/back-write.bin &&
        zns append $DEV -s $z2 -d $s/data.bin --split --json >$s/append.json &&
        nvme read $DEV -s $z2 -c 63 -z 262144 -d $s/back-append.bin"
    assert_success
    assert_reports_agree
    # One appender: the four 64K chunks went one after the other.
    assert_equal "$(jq -c '[.chunks[].lba]' "$DRIVER_SHARE/append.json")" \
        "[$z2,$((z2 + 16)),$((z2 + 32)),$((z2 + 48))]"
    run cmp "$DRIVER_SHARE/data.bin" "$DRIVER_SHARE/back-write.bin"
    assert_success
    run cmp "$DRIVER_SHARE/data.bin" "$DRIVER_SHARE/back-append.bin"
    assert_success
}

@test "data written by nvme-cli reads back byte-exactly with zns read" {
    local s=$GUEST_SHARE z1 z2
    z1=$(zslba 8) z2=$(zslba 9)
    head -c 262144 /dev/urandom >"$DRIVER_SHARE/data2.bin"
    head -c 65536 /dev/urandom >"$DRIVER_SHARE/data3.bin"
    zns_step "nvme write $DEV -s $z1 -c 63 -z 262144 -d $s/data2.bin &&
        zns read $DEV -s $z1 -z 256K -d $s/back2.bin &&
        nvme zns zone-append $DEV -s $z2 -z 4096 -d /dev/zero &&
        nvme zns zone-append $DEV -s $z2 -z 65536 -d $s/data3.bin &&
        zns read $DEV -s $((z2 + 1)) -z 64K -d $s/back3.bin --json"
    assert_success
    assert_line "{\"zslba\": $z2, \"lba\": $((z2 + 1)), \"nlb\": 16, \"bytes\": 65536}"
    assert_reports_agree
    run cmp "$DRIVER_SHARE/data2.bin" "$DRIVER_SHARE/back2.bin"
    assert_success
    run cmp "$DRIVER_SHARE/data3.bin" "$DRIVER_SHARE/back3.bin"
    assert_success
    # zns read to stdout gives the same bytes.
    zexec "zns read $DEV -s $z1 -z 256K >$s/back2-stdout.bin"
    assert_success
    run cmp "$DRIVER_SHARE/data2.bin" "$DRIVER_SHARE/back2-stdout.bin"
    assert_success
}

@test "zns offline of a zone that is not read-only is refused as nvme-cli's is, and changes nothing" {
    local z
    z=$(zslba 10)
    zns_step "nvme zns zone-append $DEV -s $z -z 4096 -d /dev/zero >/dev/null
        nvme zns offline-zone $DEV -s $z
        zns offline $DEV -s $z"
    assert_failure 2
    assert_line --partial "NVMe status: Invalid Zone State Transition"
    assert_line "zns offline: $DEV: offline zone 0x2800 (10240): Invalid Zone State Transition (NVMe status 0x1bf)"
    assert_reports_agree
    assert_equal "$(zone_state 10)" "IMP_OPENED $((z + 1))"
}

@test "zns flush sends an NVMe Flush after appends, on both device nodes, and changes no zone" {
    local z
    z=$(zslba 11)
    zns_step "zns append $DEV -s $z -z 8K -d /dev/zero >/dev/null
        zns flush $DEV && zns flush /dev/ng0n1 --json"
    assert_success
    assert_line "flush: Success"
    assert_line '{"flushed": true}'
    assert_reports_agree
    assert_equal "$(zone_state 11)" "IMP_OPENED $((z + 2))"
}
