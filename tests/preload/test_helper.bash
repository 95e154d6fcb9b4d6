# Shared by the preload tests: Bats libraries, the library under test, and
# same_as_glibc, which runs a command on glibc's malloc and then on zslab's.
# shellcheck shell=bash
bats_load_library bats-support
bats_load_library bats-assert

: "${ZSLAB_MALLOC:?ZSLAB_MALLOC must name libzslab-malloc.so (make test-preload sets it)}"
: "${TOP:?TOP must name the top directory of the project}"
: "${TEST_BIN:?TEST_BIN must name the directory of forker and churn}"

# Debian's python3 (in DEPS), not whatever python3 comes first on PATH.
PYTHON=${PYTHON:-/usr/bin/python3}

# A program that hangs (a deadlocked fork child, say) fails its test instead.
PRELOAD_TIMEOUT=${PRELOAD_TIMEOUT:-300}

# on_zslab CMD...: CMD with libzslab-malloc preloaded, counters to a file.
on_zslab() {
    LD_PRELOAD=$ZSLAB_MALLOC ZSLAB_STATS=1 ZSLAB_STATS_FILE="$BATS_TEST_TMPDIR/zslab.stats" \
        timeout "$PRELOAD_TIMEOUT" "$@"
}

# run_in DIR WHO CMD...: CMD in DIR; its stdout, stderr and status go to
# $BATS_TEST_TMPDIR/WHO.{out,err,status}.
run_in() {
    local dir=$1 who=$2
    shift 2
    mkdir -p "$dir"
    local status=0
    (cd "$dir" && "$@") >"$BATS_TEST_TMPDIR/$who.out" 2>"$BATS_TEST_TMPDIR/$who.err" || status=$?
    echo "$status" >"$BATS_TEST_TMPDIR/$who.status"
}

# same_as_glibc CMD...: runs CMD twice, each in a directory of its own, on
# glibc and with libzslab-malloc preloaded; fails unless the exit statuses
# are 0 and equal, stdout and stderr are byte-identical, and the zslab run
# really allocated from zslab (its counters show allocations).
same_as_glibc() {
    local t=$BATS_TEST_TMPDIR
    run_in "$t/glibc" glibc timeout "$PRELOAD_TIMEOUT" "$@"
    run_in "$t/zslab" zslab on_zslab "$@"
    echo "glibc: status $(cat "$t/glibc.status"), $(wc -c <"$t/glibc.out") bytes out"
    echo "zslab: status $(cat "$t/zslab.status"), $(wc -c <"$t/zslab.out") bytes out"
    head -c 2000 "$t/zslab.err"
    assert_equal "$(cat "$t/glibc.status")" 0
    assert_equal "$(cat "$t/zslab.status")" 0
    cmp "$t/glibc.out" "$t/zslab.out"
    cmp "$t/glibc.err" "$t/zslab.err"
    [[ -s $t/glibc.out ]]
    allocated_from_zslab
}

# The counter blocks the zslab run left show allocations.
allocated_from_zslab() {
    local stats=$BATS_TEST_TMPDIR/zslab.stats
    [[ -f $stats ]] || fail "no ZSLAB_STATS output: the program did not allocate from zslab"
    local calls
    calls=$(awk '/^alloc_calls: / { n += $2 } END { print n + 0 }' "$stats")
    local procs
    procs=$(grep -c "counters of pid" "$stats")
    echo "zslab: $procs processes, $calls allocations"
    ((calls > 0)) || fail "the zslab run made no allocation"
}
