#!/usr/bin/env bats
# `zns store` on the host: help, and every bad input refused with a message
# and exit status 1 before any device is touched (what needs a device is in
# tests/e2e/3NN-*.bats).

load test_helper

@test "zns store --help names every verb, the store options and the exit statuses" {
    run "$ZNS" store --help
    assert_success
    for verb in info put get del flush stats zones verify ls fill check reclaim format; do
        assert_output --partial "  $verb "
    done
    assert_output --partial "--zones FIRST:COUNT"
    assert_output --partial "6 no space"
    run "$ZNS" --help
    assert_output --partial "  store "
}

@test "zns store fill --help and check --help explain the workload" {
    run "$ZNS" store fill --help
    assert_success
    assert_output --partial "--utilization P"
    assert_output --partial "--threads T"
    run "$ZNS" store check --help
    assert_success
    assert_output --partial "--allow-missing"
}

@test "a missing verb, device or id is named" {
    run "$ZNS" store
    assert_failure 1
    assert_output "zns store: missing verb (see zns store --help)"
    run "$ZNS" store put
    assert_failure 1
    assert_output "zns store: put: missing device (e.g. /dev/ng0n1)"
    run "$ZNS" store get /dev/ng0n1
    assert_failure 1
    assert_output "zns store: get: missing object id"
    run "$ZNS" store fill /dev/ng0n1
    assert_failure 1
    assert_output "zns store: fill: missing --count N (how many objects)"
}

@test "bad values are refused with what is wrong" {
    run "$ZNS" store get /dev/ng0n1 12x
    assert_failure 1
    assert_output "zns store: get: bad object id '12x': give a decimal or 0x hex number"
    run "$ZNS" store info /dev/ng0n1 --mode fast
    assert_failure 1
    assert_output "zns store: bad mode 'fast': use store or cache"
    run "$ZNS" store info /dev/ng0n1 --zones 3
    assert_failure 1
    assert_output --partial "bad zones '3': give FIRST:COUNT"
    run "$ZNS" store info /dev/ng0n1 --slab 1K
    assert_failure 1
    assert_output "zns store: bad slab size '1K': give a number from 8192 to 524288"
    run "$ZNS" store info /dev/ng0n1 --max-live 100
    assert_failure 1
    assert_output "zns store: bad max-live percentage '100': give a number from 1 to 99"
    run "$ZNS" store fill /dev/ng0n1 --count 10 --min-size 10 --max-size 5
    assert_failure 1
    assert_output "zns store: fill: --min-size 10 is above --max-size 5"
    run "$ZNS" store fill /dev/ng0n1 --count 10 --utilization 50 --threads 2
    assert_failure 1
    assert_output --partial "--utilization runs in one thread"
    run "$ZNS" store fill /dev/ng0n1 --count 10 --warmup 50
    assert_failure 1
    assert_output "zns store: fill: --warmup needs --utilization"
}

@test "options of other verbs, unknown options and extra arguments are refused" {
    run "$ZNS" store get /dev/ng0n1 1 --count 5
    assert_failure 1
    assert_output "zns store: get: option '--count' does not apply to this verb"
    run "$ZNS" store stats /dev/ng0n1 --frob
    assert_failure 1
    assert_output "zns store: unknown option '--frob' (see zns store stats --help)"
    run "$ZNS" store del /dev/ng0n1 1 2
    assert_failure 1
    assert_output "zns store: del: unexpected argument '2'"
    run "$ZNS" store frob /dev/ng0n1
    assert_failure 1
    assert_output "zns store: unknown verb 'frob' (see zns store --help)"
    run "$ZNS" store get /dev/ng0n1 1 --json
    assert_failure 1
    assert_output --partial "--json needs -d FILE"
}

@test "a device that is not an NVMe namespace is refused before the store opens" {
    run "$ZNS" store info /dev/null
    assert_failure 1
    assert_output "zns store info: /dev/null: open: Not an NVMe namespace device"
    run "$ZNS" store stats /dev/does-not-exist
    assert_failure 1
    assert_output --partial "No such file or directory"
}
