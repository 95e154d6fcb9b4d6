#!/usr/bin/env bats
# A misbehaving NVMe device is reported: zns-lab warns with the guest's
# kernel lines, records them in the run directory, and --strict turns them
# into exit status 122.  The trouble is provoked on purpose: an Asynchronous
# Event Request sent with a 1 s timeout, which QEMU holds until an event
# that never comes, so the guest driver times it out and resets the
# controller (Linux: "I/O N QID 0 timeout, reset controller").  And the
# issue's own sequence on an I/O queue ("I/O N (I/O Cmd) QID 1 timeout,
# aborting", "Abort status", "reset controller"): the guest's io_timeout cut
# to 1 s while QEMU, throttled over QMP to 2 requests a second, holds 8 reads.

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

# Sends QMP command JSON to the VM of run directory $1 (its QMP FIFOs) and
# fails the test unless QEMU answers it with "return".
qmp_send() {
    local dir=$1 json=$2 line reply="" qmp
    exec {qmp}<>"$dir/qmp.out"
    printf '{"execute":"qmp_capabilities"}\n%s\n' "${json%\}},\"id\":\"bats\"}" 1<>"$dir/qmp.in"
    while IFS= read -r -t 10 line <&"$qmp"; do
        [[ $line == *'"id": "bats"'* ]] && reply=$line && break
    done
    exec {qmp}<&-
    [[ $reply == *'"return"'* ]] || fail "QMP $json: ${reply:-no reply}"
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

@test "run --strict reports the issue's I/O-queue timeout, abort and reset, and fails with 122" {
    local share=$BATS_TEST_TMPDIR/share dir i pid rc
    mkdir -p "$share"
    # The guest waits for the host to throttle its namespace, then reads
    # 8 deep with a 1 s timeout: QEMU serves 2 requests a second.
    # shellcheck disable=SC2016 # expanded by the guest
    timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" env ZNS_LAB_CONSOLE_COPY="$(mktemp "$BATS_TEST_TMPDIR/console.XXXXXX")" \
        "$ZNS_LAB" run --accel "$LAB_ACCEL" --strict --timeout "$LAB_TIMEOUT" --share "$share" -- sh -c '
        echo 1000 >/sys/block/nvme0n1/queue/io_timeout
        touch /mnt/host/ready
        while [ ! -e /mnt/host/go ]; do sleep 0.1; done
        fio --name=t --filename=/dev/nvme0n1 --ioengine=libaio --iodepth=8 --rw=randread \
            --bs=4K --direct=1 --size=64M --time_based --runtime=3 --output-format=terse >/dev/null
        echo fio status: $?
        ls /dev/nvme0n1' >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    for ((i = 0; i < 600; i++)); do
        [[ -e $share/ready ]] && break
        sleep 0.2
    done
    assert [ -e "$share/ready" ]
    dir=$(find "$STATE" -maxdepth 1 -name 'run-*')
    qmp_send "$dir" '{"execute":"block_set_io_throttle","arguments":{"device":"ns1","bps":0,"bps_rd":0,"bps_wr":0,"iops":2,"iops_rd":0,"iops_wr":0}}'
    touch "$share/go"
    rc=0
    wait "$pid" || rc=$?
    run sh -c 'cat "$1"; exit "$2"' sh "$BATS_TEST_TMPDIR/out" "$rc"
    assert_failure 122
    # The driver requeues what the reset cancelled: fio and the device survive.
    assert_line "fio status: 0"
    assert_line /dev/nvme0n1
    assert_output --regexp 'zns-lab: guest NVMe: I/O timeout, abort, controller reset.* at [0-9]+ s'
    assert_output --regexp 'zns-lab:   \[ *[0-9.]+\] nvme nvme0: I/O [0-9]+ \(I/O Cmd\) QID [1-9] timeout, aborting'
    assert_output --regexp 'zns-lab:   \[ *[0-9.]+\] nvme nvme0: Abort status: 0x'
    assert_output --partial "--strict: exit 122"
    run grep -cE 'QID [1-9] timeout, reset controller' "$dir/nvme-events.log"
    assert_success
}
