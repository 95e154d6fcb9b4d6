#!/usr/bin/env bats
# A misbehaving NVMe device is reported: zns-lab warns with the guest's
# kernel lines, records them in the run directory, and --strict turns them
# into exit status 122.  The trouble is provoked on purpose: an Asynchronous
# Event Request sent with a 1 s timeout, which QEMU holds until an event
# that never comes, so the guest driver times it out and resets the
# controller (Linux: "I/O N QID 0 timeout, reset controller").

load test_helper/common

# The provocation; the controller comes back and the namespace with it.
PROVOKE='nvme admin-passthru /dev/nvme0 --opcode=0x0c --timeout=1000 2>/dev/null; echo provoked'

setup_file() {
    lab_setup_file
}

setup() {
    STATE=$BATS_TEST_TMPDIR/state
    export ZNS_LAB_STATE_DIR=$STATE
}

@test "run warns about a guest NVMe timeout and reset with the kernel's lines, and keeps them" {
    LAB_STRICT=0 lab_run -- sh -c "$PROVOKE; ls /dev/nvme0n1"
    assert_success
    assert_line provoked
    assert_line /dev/nvme0n1
    assert_output --regexp 'zns-lab: guest NVMe: I/O timeout, controller reset at [0-9]+ s \(console log: .*/console.log\)'
    assert_output --regexp 'zns-lab:   \[ *[0-9.]+\] nvme nvme0: I/O [0-9]+ QID 0 timeout, reset controller'
    # The run directory keeps the console and the events, nothing else.
    local dir
    dir=$(find "$STATE" -maxdepth 1 -name 'run-*')
    assert [ -d "$dir" ]
    run ls "$dir"
    assert_output "console.log
nvme-events.log"
    run cat "$dir/nvme-events.log"
    assert_output --partial "QID 0 timeout, reset controller"
    run "$ZNS_LAB" down --name "${dir##*/}"
    assert_success
    assert [ ! -e "$dir" ]
}

@test "run --strict fails with status 122 when the guest's NVMe device reset" {
    lab_run --strict -- sh -c "$PROVOKE; exit 0"
    assert_failure 122
    assert_output --partial "zns-lab: guest NVMe: I/O timeout, controller reset"
    assert_output --partial "--strict: exit 122"
}

@test "exec warns about NVMe trouble during its command only, and --strict fails it" {
    local vm
    vm=$(lab_vm_name)
    lab_up "$vm"
    LAB_STRICT=0 lab_exec "$vm" sh -c "$PROVOKE"
    assert_success
    assert_output --partial "zns-lab: guest NVMe: I/O timeout, controller reset"
    # The next command ran on a healthy device: no warning for old lines.
    lab_exec "$vm" nvme zns report-zones /dev/nvme0n1 -d 1
    assert_success
    refute_output --partial "guest NVMe"
    lab_exec "$vm" sh -c "$PROVOKE"
    assert_failure 122
    run cat "$STATE/$vm/nvme-events.log"
    assert_equal "$(grep -c 'QID 0 timeout, reset controller' <<<"$output")" 2
}
