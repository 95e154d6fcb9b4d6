#!/usr/bin/env bats
# NUMA placement in a two-node VM (profile numa2: one CPU per node): a thread
# gets memory on the node of the CPU it runs on, bound there by the instance
# (mbind), not by first touch: zslab-numa-check has the other node's CPU
# write the pages, then reads each page's node with get_mempolicy.  One VM
# boot (setup_file) runs both orders; the tests read its output.

load test_helper/common

setup_file() {
    [[ -f $REPO_ROOT/lab-scripts/profiles/numa2 ]] || skip "needs the lab's numa2 profile"
    lab_setup_file
    # CPU 0 first: its thread writes CPU 1's objects; then the other way.
    lab_run --profile numa2 -- sh -c \
        'zslab-numa-check 0 1; echo "status $?"; zslab-numa-check 1 0; echo "status $?"'
    echo "$output" >"$BATS_FILE_TMPDIR/numa.out"
    [[ $status -eq 0 ]] || {
        echo "$output" >&2
        return 1
    }
}

setup() {
    mapfile -t lines <"$BATS_FILE_TMPDIR/numa.out"
    output=$(<"$BATS_FILE_TMPDIR/numa.out")
}

@test "a thread on CPU 1 gets node 1 memory, one on CPU 0 node 0 (numa2)" {
    assert_line --index 0 --regexp '^cpu 0 node 0: ([0-9]+) of \1 pages on node 0$'
    assert_line --index 1 --regexp '^cpu 1 node 1: ([0-9]+) of \1 pages on node 1$'
    assert_line --index 2 "status 0"
}

@test "the pages stay on the allocating CPU's node when the other node's CPU writes them" {
    assert_line --index 3 --regexp '^cpu 1 node 1: ([0-9]+) of \1 pages on node 1$'
    assert_line --index 4 --regexp '^cpu 0 node 0: ([0-9]+) of \1 pages on node 0$'
    assert_line --index 5 "status 0"
}
