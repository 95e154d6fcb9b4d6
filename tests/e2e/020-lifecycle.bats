#!/usr/bin/env bats
# Lab lifecycle: power cycles, power loss, the profiles that change the
# machine (npo2, conv+zns, numa2), files in and out.

load test_helper/common

DEV=/dev/nvme0n1

setup_file() {
    lab_setup_file
}

# Prints "STATE WP" of the zone at LBA $2 of VM $1 (text report: WP in hex).
vm_zone() {
    lab_exec "$1" nvme zns report-zones "$DEV" -s "$2" -d 1
    assert_success
    awk '$1 == "SLBA:" { for (i = 1; i < NF; i++) { if ($i == "WP:") wp = $(i + 1); if ($i == "State:") st = $(i + 1) }
        print st, wp; exit }' <<<"$output"
}

@test "power-cycle keeps write pointers and brings open zones back CLOSED" {
    local vm
    vm=$(lab_vm_name)
    lab_up "$vm"
    # Zone 0: implicitly opened with 3 LBAs; zone 1024: explicitly opened with 1.
    lab_exec "$vm" sh -c "nvme zns zone-append $DEV -s 0 -z 12288 -d /dev/zero &&
        nvme zns open-zone $DEV -s 1024 && nvme zns zone-append $DEV -s 1024 -z 4096 -d /dev/zero &&
        cat /proc/sys/kernel/random/boot_id"
    assert_success
    local boot_before=${lines[-1]}
    assert_equal "$(vm_zone "$vm" 0)" "0x20 0x3"
    assert_equal "$(vm_zone "$vm" 1024)" "0x30 0x401"
    lab_power_cycle "$vm"
    lab_exec "$vm" cat /proc/sys/kernel/random/boot_id
    assert_success
    refute_output "$boot_before"
    # 0x40: CLOSED; the write pointers did not move.
    assert_equal "$(vm_zone "$vm" 0)" "0x40 0x3"
    assert_equal "$(vm_zone "$vm" 1024)" "0x40 0x401"
}

@test "kill then up on the same image loses the zone state but keeps the data" {
    local vm
    vm=$(lab_vm_name)
    lab_up "$vm"
    lab_exec "$vm" sh -c "printf 'zns-lab-data' | dd of=/tmp/blk bs=4096 conv=sync 2>/dev/null &&
        nvme write $DEV -s 0 -c 0 -z 4096 -d /tmp/blk"
    assert_success
    assert_equal "$(vm_zone "$vm" 0)" "0x20 0x1"
    lab_kill "$vm"
    run "$ZNS_LAB" status --name "$vm"
    assert_failure 3
    assert_output --partial stopped
    lab_up "$vm"
    assert_output --partial "zone state is lost"
    # The documented limitation: a new QEMU process starts every zone EMPTY,
    # while the backing file still holds what was written.
    assert_equal "$(vm_zone "$vm" 0)" "0x10 0"
    lab_exec "$vm" sh -c "dd if=$DEV bs=4096 count=1 2>/dev/null | head -c 12"
    assert_success
    assert_output zns-lab-data
}

@test "the npo2 profile exposes only the char device /dev/ng0n1" {
    lab_run --profile npo2 -- sh -c 'ls /dev/ng0n1; ls /dev/nvme0n1 2>&1;
        nvme zns report-zones /dev/ng0n1 -d 2 -o json | tr -d "\n"; echo'
    assert_success
    assert_line /dev/ng0n1
    assert_output --partial "/dev/nvme0n1: No such file or directory"
    # 6 MiB zones of 4 KiB LBAs: the second zone starts at LBA 1536.
    assert_equal "$(lab_json_get "${lines[-1]}" '.zone_list[1].slba')" 1536
    assert_equal "$(lab_json_get "${lines[-1]}" '.nr_zones')" 42
}

@test "the conv+zns profile adds a conventional nvme0n2 next to the zoned nvme0n1" {
    lab_run --profile conv+zns -- cat /sys/block/nvme0n1/queue/zoned /sys/block/nvme0n2/queue/zoned \
        /sys/block/nvme0n2/size
    assert_success
    assert_equal "${lines[0]}" host-managed
    assert_equal "${lines[1]}" none
    assert_equal "${lines[2]}" $((64 * 1024 * 1024 / 512))
}

@test "the numa2 profile shows two NUMA nodes with the NVMe controller on node 1" {
    lab_run --profile numa2 -- sh -c 'ls -d /sys/devices/system/node/node*;
        cat /sys/class/nvme/nvme0/device/numa_node; ls /dev/nvme0n1'
    assert_success
    assert_line /sys/devices/system/node/node0
    assert_line /sys/devices/system/node/node1
    assert_equal "${lines[2]}" 1
    assert_line /dev/nvme0n1
}

@test "a shared directory carries files out of the guest" {
    local share=$BATS_TEST_TMPDIR/share
    mkdir -p "$share"
    echo from-host >"$share/in.txt"
    # shellcheck disable=SC2016 # expanded in the guest
    lab_run --share "$share" -- sh -c 'cat "$ZSLAB_SHARE_DIR/in.txt" &&
        nvme zns report-zones /dev/nvme0n1 -d 1 -o json >/mnt/host/zones.json'
    assert_success
    assert_output from-host
    assert_equal "$(lab_json_get "$(cat "$share/zones.json")" '.zone_list[0].state')" EMPTY
}

@test "--image keeps a backing file whose data the next run sees" {
    local img=$BATS_TEST_TMPDIR/ns.img
    lab_run --image "$img" -- sh -c "printf persisted | dd of=/tmp/blk bs=4096 conv=sync 2>/dev/null &&
        nvme write $DEV -s 0 -c 0 -z 4096 -d /tmp/blk >/dev/null"
    assert_success
    assert [ -s "$img" ]
    lab_run --image "$img" -- sh -c "dd if=$DEV bs=4096 count=1 2>/dev/null | head -c 9"
    assert_success
    assert_output persisted
}

@test "shell gives an interactive console that powers off on exit" {
    local line seen="" state=$BATS_TEST_TMPDIR/state
    coproc SHELL_VM { ZNS_LAB_STATE_DIR=$state timeout "$LAB_TIMEOUT" "$ZNS_LAB" shell 2>&1 3>&-; }
    # Type only once the shell is there: input sent during the boot is lost.
    while IFS= read -r -t 60 line <&"${SHELL_VM[0]}"; do
        [[ $line == *"Enter 'help'"* ]] && break
    done
    # shellcheck disable=SC2016 # the guest's shell computes it
    printf 'echo hello-$((6 * 7))\n' >&"${SHELL_VM[1]}"
    while IFS= read -r -t 60 line <&"${SHELL_VM[0]}"; do
        [[ $line == hello-42* ]] && seen=yes && break
    done
    printf 'exit\n' >&"${SHELL_VM[1]}"
    while IFS= read -r -t 60 line <&"${SHELL_VM[0]}"; do
        [[ $line == *"reboot: Power down"* ]] && seen+=" off"
    done
    assert_equal "$seen" "yes off"
    run pgrep -f "$state"
    assert_failure 1
}
