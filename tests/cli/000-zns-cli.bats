#!/usr/bin/env bats
# The zns tool on the host: help, and every bad input refused with a message
# and exit status 1 before any device is touched.

load test_helper

@test "zns --help names every verb and the exit statuses" {
    run "$ZNS" --help
    assert_success
    for verb in info report open close finish reset offline append write read; do
        assert_output --partial "  $verb "
    done
    assert_output --partial "exit status"
}

@test "zns VERB --help explains the verb's options" {
    local verb
    for verb in info report open close finish reset offline append write read; do
        run "$ZNS" "$verb" --help
        assert_success
        assert_output --partial "usage: zns"
        assert_output --partial "$verb"
    done
    run "$ZNS" append --help
    assert_output --partial "ZASL"
}

@test "zns without a verb says so and exits 1" {
    run "$ZNS"
    assert_failure 1
    assert_output --partial "missing verb"
}

@test "an unknown verb or option is named" {
    run "$ZNS" frobnicate /dev/ng0n1
    assert_failure 1
    assert_output --partial "unknown verb 'frobnicate'"
    run "$ZNS" report /dev/ng0n1 --frob
    assert_failure 1
    assert_output --partial "unknown option '--frob'"
}

@test "a device path that does not exist is refused with exit status 1" {
    run "$ZNS" info /dev/does-not-exist
    assert_failure 1
    assert_output --partial "/dev/does-not-exist"
    assert_output --partial "No such file or directory"
}

@test "a device that is not an NVMe namespace is refused" {
    run "$ZNS" info /dev/null
    assert_failure 1
    assert_output --partial "Not an NVMe namespace device"
    local file="$BATS_TEST_TMPDIR/plain-file"
    : >"$file"
    run "$ZNS" report "$file" --json
    assert_failure 1
    assert_output --partial "Not an NVMe namespace device"
}

@test "zone management needs exactly one of -s and -a" {
    run "$ZNS" reset /dev/ng0n1
    assert_failure 1
    assert_output --partial "exactly one of -s ZONE_START_LBA and -a"
    run "$ZNS" open /dev/ng0n1 -s 0 -a
    assert_failure 1
}

@test "bad numbers, sizes and states are refused by name" {
    run "$ZNS" write /dev/ng0n1 -s 12abc
    assert_failure 1
    assert_output --partial "bad LBA '12abc'"
    run "$ZNS" read /dev/ng0n1 -s 0 -z 0
    assert_failure 1
    assert_output --partial "bad size '0'"
    run "$ZNS" report /dev/ng0n1 --state half-open
    assert_failure 1
    assert_output --partial "bad state 'half-open'"
}

@test "options that do not fit the verb are refused" {
    run "$ZNS" info /dev/ng0n1 -s 0
    assert_failure 1
    assert_output --partial "does not apply"
    run "$ZNS" read /dev/ng0n1 -s 0 -z 4096 --json
    assert_failure 1
    assert_output --partial "--json needs -d FILE"
}
