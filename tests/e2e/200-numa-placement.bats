#!/usr/bin/env bats
# NUMA placement in a two-node VM (profile numa2: one CPU per node): a thread
# gets memory on the node of the CPU it runs on, bound there by the instance
# (mbind), not by first touch: zslab-numa-check has another CPU's thread
# write the pages, then reads each page's node with get_mempolicy.

load test_helper/common

setup_file() {
    [[ -f $REPO_ROOT/lab-scripts/profiles/numa2 ]] || skip "needs the lab's numa2 profile"
    lab_setup_file
}

@test "a thread on CPU 1 gets node 1 memory, one on CPU 0 node 0 (numa2)" {
    # CPU 0 first: its thread also writes CPU 1's objects.
    lab_run --profile numa2 -- zslab-numa-check 0 1
    assert_success
    assert_line --regexp '^cpu 0 node 0: ([0-9]+) of \1 pages on node 0$'
    assert_line --regexp '^cpu 1 node 1: ([0-9]+) of \1 pages on node 1$'
}

@test "memory stays on the allocating CPU's node when the other node's CPU writes it" {
    # CPU 1 first: now CPU 1's thread writes CPU 0's objects.
    lab_run --profile numa2 -- zslab-numa-check 1 0
    assert_success
    assert_line --regexp '^cpu 0 node 0: ([0-9]+) of \1 pages on node 0$'
    assert_line --regexp '^cpu 1 node 1: ([0-9]+) of \1 pages on node 1$'
}
