#!/usr/bin/env bats
# Real programs with libzslab-malloc preloaded give byte-identical output to
# the same run on glibc's malloc.

load test_helper

@test "python3 running an allocation-heavy script prints the same as on glibc" {
    same_as_glibc "$PYTHON" "$TOP/tests/preload/workload.py"
}

@test "sort of a 20 MB generated file, on two threads, writes the same bytes as on glibc" {
    "$PYTHON" "$TOP/tests/preload/lines.py" 400000 >"$BATS_TEST_TMPDIR/lines.txt"
    same_as_glibc env LC_ALL=C sort --parallel=2 -S 64M "$BATS_TEST_TMPDIR/lines.txt"
}

@test "gcc compiling the project's core writes the same object files as on glibc" {
    local sources=("$TOP"/core/src/*.c "$TOP"/core/src/report/*.c)
    # shellcheck disable=SC2016 # expanded by that sh
    same_as_glibc sh -c 'gcc -std=c11 -O2 -Wall -Wextra -ffreestanding -I"$0"/core/include -c "$@" &&
        sha256sum -- *.o' "$TOP" "${sources[@]}"
}

@test "git clone and git log of the project itself give the same output as on glibc" {
    git -C "$TOP" rev-parse HEAD >/dev/null 2>&1 || skip "the project is not a git repository here"
    # shellcheck disable=SC2016
    same_as_glibc sh -c 'git clone -q --no-local "$0" clone &&
        git -C clone log --stat -p --format=fuller && git -C clone fsck --no-progress &&
        git -C clone ls-files -s | sha256sum' "$TOP"
}

@test "a threaded program that forks prints the same as on glibc" {
    same_as_glibc "$TEST_BIN/forker" 4 100000 20
}
