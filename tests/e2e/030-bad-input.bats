#!/usr/bin/env bats
# Bad input and bad guests: every failure says what went wrong, with its own
# exit status, and leaves nothing running.
#   2: rejected before QEMU starts   123: the guest never reported
#   124: timeout                     125: lab failure (no VM, no image)

load test_helper/common

setup_file() {
    lab_setup_file
}

@test "an unknown profile is refused before QEMU starts, naming the profiles" {
    run "$ZNS_LAB" run --profile no-such-profile -- true
    assert_failure 2
    assert_output --partial "unknown profile 'no-such-profile'"
    assert_output --partial "default"
    assert_output --partial "npo2"
}

@test "a zone capacity above the zone size is refused with the reason" {
    run "$ZNS_LAB" run --zone-cap 8M -- true
    assert_failure 2
    assert_output "zns-lab: --zone-cap 8M: zone capacity 8M exceeds zone size 4M"
}

@test "values QEMU would reject are refused before QEMU starts" {
    run "$ZNS_LAB" run --max-open 8 -- true
    assert_failure 2
    assert_output --partial "max_open 8 exceeds max_active 6"
    run "$ZNS_LAB" run --zasl 1M -- true
    assert_failure 2
    assert_output --partial "exceeds the controller's maximum transfer (MDTS) 512K"
    run "$ZNS_LAB" run --zasl 48K -- true
    assert_failure 2
    assert_output --partial "not a power of two"
    run "$ZNS_LAB" run --zone-size 4000 -- true
    assert_failure 2
    assert_output --partial "not a multiple of the 4096-byte LBA"
    run "$ZNS_LAB" run --ns-size 2M -- true
    assert_failure 2
    assert_output --partial "zone size 4M exceeds namespace size 2M"
    run "$ZNS_LAB" run --lba-size 1024 -- true
    assert_failure 2
    assert_output --partial "must be 512 or 4096"
    run "$ZNS_LAB" run --mem 64M -- true
    assert_failure 2
    assert_output --partial "below the 128M"
}

@test "a profile file with an unknown key is refused, naming the line" {
    local prof=$BATS_TEST_TMPDIR/broken
    sed 's/^max_open=/max_opne=/' "$REPO_ROOT/lab-scripts/profiles/default" >"$prof"
    run "$ZNS_LAB" run --profile "$prof" -- true
    assert_failure 2
    assert_output --regexp "line [0-9]+: unknown key 'max_opne'"
}

@test "an unknown flag is refused" {
    run "$ZNS_LAB" run --frobnicate 1 -- true
    assert_failure 2
    assert_output --partial "unknown flag '--frobnicate'"
    run "$ZNS_LAB" up --keep-image
    assert_failure 2
    assert_output --partial "unknown flag '--keep-image' for this subcommand"
}

@test "a missing command is refused" {
    run "$ZNS_LAB" run
    assert_failure 2
    assert_output --partial "missing command"
    run "$ZNS_LAB" run --profile default --
    assert_failure 2
    assert_output --partial "missing command"
    run "$ZNS_LAB" run nvme list
    assert_failure 2
    assert_output --partial "put the command after '--'"
}

@test "exec on a VM that is not up fails with the way to start it" {
    run "$ZNS_LAB" exec --name "$(lab_vm_name absent)" -- true
    assert_failure 125
    assert_output --partial "zns-lab up --name"
}

@test "a guest kernel panic is reported with the console, not as a command status" {
    lab_run -- sh -c 'echo c >/proc/sysrq-trigger'
    assert_failure 123
    assert_output --partial "the guest never reported: the kernel panicked"
    assert_output --partial "sysrq triggered crash"
}

@test "a panic during exec is reported and the persistent VM boots again" {
    local vm
    vm=$(lab_vm_name)
    lab_up "$vm"
    lab_exec "$vm" sh -c 'echo before; echo c >/proc/sysrq-trigger'
    assert_failure 123
    assert_line before
    assert_output --partial "it rebooted during the command (the kernel panicked)"
    lab_exec "$vm" echo alive
    assert_success
    assert_output alive
}

@test "an exec past its --timeout is killed, reported as a timeout, and the VM stays up" {
    local vm
    vm=$(lab_vm_name)
    lab_up "$vm"
    run timeout 60 "$ZNS_LAB" exec --name "$vm" --timeout 3 -- sh -c 'echo started; sleep 600' 3>&-
    assert_failure 124
    assert_line started
    assert_output --partial "ran past its 3 s limit"
    lab_exec "$vm" echo alive
    assert_success
    assert_output alive
}

@test "a command that outlives --timeout is stopped and reported as a timeout" {
    local state=$BATS_TEST_TMPDIR/state
    ZNS_LAB_STATE_DIR=$state lab_run --timeout 20 -- sh -c 'echo started; sleep 600'
    assert_failure 124
    assert_line started
    assert_output --partial "timeout"
    run pgrep -f "$state"
    assert_failure 1
}

@test "accel names the accelerator auto picks and why" {
    run "$ZNS_LAB" accel
    assert_success
    assert_output --regexp '^(tcg|kvm) \(.+\)$'
    run "$ZNS_LAB" accel --accel tcg
    assert_success
    assert_output "tcg (requested)"
    run "$ZNS_LAB" run --accel qemu-magic -- true
    assert_failure 2
    assert_output --partial "expected auto, tcg or kvm"
}

@test "every subcommand has --help" {
    local sub
    for sub in run up exec power-cycle kill down status shell accel profiles; do
        run "$ZNS_LAB" "$sub" --help
        assert_success
        assert_output --partial "usage: zns-lab $sub"
    done
}

@test "an image recipe naming a missing program fails with the package to install" {
    local list=$BATS_TEST_TMPDIR/tools.list
    echo "no-such-tool  no-such-package" >"$list"
    run env IMAGE_TOOLS_LIST="$list" "$REPO_ROOT/vm-images/build-image" \
        --out "$BATS_TEST_TMPDIR/vm" --cache "$BATS_TEST_TMPDIR/cache" --bin "$BATS_TEST_TMPDIR/bin"
    assert_failure
    assert_output --partial "'no-such-tool' is missing: install the Debian package 'no-such-package'"
    assert_output --partial "apt-get install no-such-package"
}

@test "a kernel package apt does not know fails with how to get it" {
    run env IMAGE_KERNEL_PACKAGE=linux-image-no-such-flavour "$REPO_ROOT/vm-images/build-image" \
        --out "$BATS_TEST_TMPDIR/vm" --cache "$BATS_TEST_TMPDIR/cache" --bin "$BATS_TEST_TMPDIR/bin"
    assert_failure
    assert_output --partial "apt knows no package 'linux-image-no-such-flavour'"
    assert_output --partial "apt-get update"
}
