#!/usr/bin/env bats
# fork() from a threaded process, and threads that come and go, with
# libzslab-malloc preloaded.

load test_helper

@test "200 forks while 4 threads allocate: every child allocates and exits" {
    run on_zslab "$TEST_BIN/forker" 4 400000 200
    assert_success
    assert_output --partial "child 199: sum "
    refute_output --partial "failed"
    assert_output --partial "corrupt objects: 0"
    allocated_from_zslab
}

@test "10,000 threads that allocate, free remotely and exit: nothing lost or corrupted" {
    same_as_glibc "$TEST_BIN/churn" 10000
    assert_equal "$(cat "$BATS_TEST_TMPDIR/zslab.out")" \
        "threads 10000, objects 320000, freed by another thread after theirs exited 320000, corrupt 0"
}

@test "python3 threads that load C extensions: the loader's allocations go through zslab" {
    same_as_glibc "$PYTHON" "$TOP/tests/preload/extensions.py"
}
