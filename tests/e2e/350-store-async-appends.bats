#!/usr/bin/env bats
# The store's appends go through io_uring NVMe passthrough on the real device
# (the driver's zns_async_open(): /dev/ngXnY, also when the store is opened
# on /dev/nvmeXnY), with several appends in flight at once; --sync-append
# (and by default a fill of several threads) takes the blocking ioctl.  What flushes acknowledged through the
# asynchronous path survives a power cycle without controller shutdown, and
# an append through io_uring gets the same named statuses as the ioctl one.

load test_helper/common
load test_helper/store

ASYNC="--count 20000 --min-size 16 --max-size 4000 --delete-every 5 --seed 31"
SYNC="--count 5000 --first-id 500000 --min-size 16 --max-size 4000 --seed 32"

setup_file() {
    lab_setup_file
}

@test "zns store appends through io_uring passthrough on ng0n1 and nvme0n1 and says so; --sync-append and several fill threads use the ioctl" {
    store_up mode
    sx "zns store info /dev/ng0n1 && zns store info /dev/nvme0n1"
    assert_success
    assert_line "appends:          asynchronous (io_uring NVMe passthrough on /dev/ng0n1)"
    refute_line --partial "synchronous ioctl"
    sx "zns store stats $DEV --sync-append"
    assert_success
    assert_line "appends:          synchronous ioctl (--sync-append)"
    sx "zns store put $DEV 7 -v </dev/null"
    assert_success
    assert_output --partial "zns store: $DEV: appends asynchronous: io_uring NVMe passthrough on /dev/ng0n1"
    # several fill threads append with the ioctl unless --async-append
    sx "zns store fill $DEV --count 100 --threads 2 | tail -n 1"
    assert_success
    assert_output "appends:          synchronous ioctl (--threads 2: io_uring appends were slower with several writers; --async-append to use them)"
}

@test "put+flush through io_uring keeps appends in flight together, and a raw power cycle loses nothing acknowledged" {
    store_up async
    sx "zns store fill $DEV $ASYNC --threads 2 --async-append --flush-every 2000 --json"
    assert_success
    local out=$output
    assert_equal "$(lab_json_get "$out" .appends)" async
    assert_equal "$(lab_json_get "$out" .appends_how)" "io_uring NVMe passthrough on /dev/ng0n1"
    assert [ "$(counter "$out" device_appends)" -ge 300 ]
    assert_equal "$(counter "$out" async_appends)" "$(counter "$out" device_appends)"
    assert [ "$(counter "$out" appends_in_flight_peak)" -ge 2 ]
    assert_equal "$(counter "$out" appends_in_flight)" 0
    assert_equal "$(counter "$out" device_errors)" 0

    # the same store through the blocking ioctl: one append at a time
    sx "zns store fill $DEV $SYNC --sync-append --json"
    assert_success
    out=$output
    assert_equal "$(lab_json_get "$out" .appends)" sync
    assert_equal "$(counter "$out" async_appends)" 0
    assert_equal "$(counter "$out" appends_in_flight_peak)" 1

    run timeout 300 "$ZNS_LAB" power-cycle --name "$STORE_VM" --raw 3>&-
    assert_success
    sx "zns store check $DEV $ASYNC && zns store check $DEV $SYNC"
    assert_success
    assert_line "checked 20000 ids: 16000 byte-exact, 4000 deleted and gone, 0 missing, 0 wrong, 0 back after delete"
    assert_line "checked 5000 ids: 5000 byte-exact, 0 deleted and gone, 0 missing, 0 wrong, 0 back after delete"
    sx_json "zns store verify $DEV --json"
    assert_success
    assert_equal "$(lab_json_get "$(cat "$STORE_JSON")" .corrupt)" 0
}

@test "a Zone Append through io_uring gets the device's statuses by name, as through the ioctl" {
    store_up errors
    local zl=1024 cap=768 z mode
    # each status twice: the blocking ioctl, then io_uring (--async)
    for mode in "" --async; do
        sx "zns reset $DEV -a >/dev/null && zns append $DEV -s 0 -z 8K -d /dev/zero $mode"
        assert_success
        assert_output "appended 2 LBAs (8192 bytes) at LBA 0x0 (0)"
        sx "zns append $DEV -s 0 -z 8K -d /dev/zero $mode"
        assert_output "appended 2 LBAs (8192 bytes) at LBA 0x2 (2)"
        z=$((3 * zl))
        sx "zns finish $DEV -s $z >/dev/null && zns append $DEV -s $z -z 4K -d /dev/zero $mode"
        assert_failure 2
        assert_output "zns append: $DEV: append: Zone Is Full (NVMe status 0x1b9)"
        z=$((4 * zl))
        sx "zns write $DEV -s $z -z $(((cap - 8) * 4096)) -d /dev/zero >/dev/null &&
            zns append $DEV -s $z -z 64K -d /dev/zero $mode"
        assert_failure 2
        assert_output "zns append: $DEV: append: Zone Boundary Error (NVMe status 0x1b8)"
        sx "zns append $DEV -s 0 -z 128K -d /dev/zero --no-check $mode"
        assert_failure 2
        assert_output "zns append: $DEV: append: Invalid Field in Command (NVMe status 0x2)"
        sx "zns reset $DEV -a >/dev/null &&
            for i in 0 1 2 3; do zns open $DEV -s \$((i * $zl)) >/dev/null || exit; done
            zns append $DEV -s $((5 * zl)) -z 4K -d /dev/zero $mode"
        assert_failure 2
        assert_output "zns append: $DEV: append: Too Many Open Zones (NVMe status 0x1be)"
        sx "zns close $DEV -a >/dev/null &&
            for i in 4 5; do zns open $DEV -s \$((i * $zl)) >/dev/null || exit; done
            zns append $DEV -s $((6 * zl)) -z 4K -d /dev/zero $mode"
        assert_failure 2
        assert_output "zns append: $DEV: append: Too Many Active Zones (NVMe status 0x1bd)"
    done
    sx "zns reset $DEV -a >/dev/null; zns append /dev/nvme0n1 -s 0 -z 4K -d /dev/zero --async"
    assert_success
    assert_output "appended 1 LBAs (4096 bytes) at LBA 0x0 (0)"
}
