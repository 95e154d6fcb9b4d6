#!/usr/bin/env bats
# bench-smoke: the side-by-side benchmark at tiny sizes, every allocator and
# workload.  It checks that the harness runs and writes well-formed reports
# naming everything it measured; it never looks at a speed.
# Needs: ANCHORS_BIN (the programs), ANCHORS_PLOT (bench/anchors/plot), jq.

bats_load_library bats-support
bats_load_library bats-assert

ALLOCATORS=(zslab glibc mimalloc jemalloc tcmalloc)
WORKLOADS=(seed churn mixed cross-thread scaling footprint)

setup_file() {
    : "${ANCHORS_BIN:?ANCHORS_BIN must name the directory of zslab-anchors (make test-bench-smoke sets it)}"
    : "${ANCHORS_PLOT:?ANCHORS_PLOT must name bench/anchors/plot}"
    export OUT=$BATS_FILE_TMPDIR/out
    # Two rounds, so medians and ranges are computed; small enough for seconds.
    local rc=0
    timeout 240 "$ANCHORS_BIN/zslab-anchors" --runs 2 --objects 3000 --pairs 3000 --live 512 \
        --timeout 60 --out "$OUT" --label bench-smoke >"$BATS_FILE_TMPDIR/stdout" \
        2>"$BATS_FILE_TMPDIR/stderr" || rc=$?
    echo "$rc" >"$BATS_FILE_TMPDIR/rc"
}

@test "zslab-anchors --help lists its options" {
    run "$ANCHORS_BIN/zslab-anchors" --help
    assert_success
    for opt in --runs --objects --pairs --live --allocators --workloads --sized --no-strace --out; do
        assert_output --partial "  $opt"
    done
}

@test "a bad option, number or name is named and exits 2" {
    run "$ANCHORS_BIN/zslab-anchors" --frob
    assert_failure 2
    assert_output --partial "unknown option '--frob'"
    run "$ANCHORS_BIN/zslab-anchors" --runs 0
    assert_failure 2
    assert_output --partial "--runs: '0' is not a whole number from 1 to"
    run "$ANCHORS_BIN/zslab-anchors" --allocators zslab,hoard
    assert_failure 2
    assert_output --partial "--allocators: unknown name 'hoard'"
    run "$ANCHORS_BIN/zslab-anchors" --workloads seed,bogus
    assert_failure 2
    assert_output --partial "--workloads: unknown name 'bogus'"
}

@test "each measuring program names its allocator and refuses an unknown workload" {
    local a
    for a in "${ALLOCATORS[@]}"; do
        run "$ANCHORS_BIN/anchor-$a" --help
        assert_success
        assert_output --partial "of the $a allocator"
        run "$ANCHORS_BIN/anchor-$a" --workload frobnicate
        assert_failure 2
        assert_output --partial "--workload: 'frobnicate' is not one of"
        run "$ANCHORS_BIN/anchor-$a" --workload seed --objects 0
        assert_failure 2
        assert_output --partial "--objects: '0' is not a whole number"
    done
}

@test "each measuring program frees through its sized free with --sized" {
    local a
    for a in "${ALLOCATORS[@]}"; do
        run "$ANCHORS_BIN/anchor-$a" --workload mixed --mode throughput --objects 2000 --sized
        assert_success
        assert_output --partial "info free sized"
        assert_output --partial "info served ok"
    done
}

@test "a program whose calls another allocator serves fails its served check" {
    run env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
        "$ANCHORS_BIN/anchor-glibc" --workload seed --mode throughput --objects 100
    assert_failure 1
    assert_output --partial "info process_malloc /usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
    assert_output --partial "info served FAIL"
    assert_output --partial "glibc did not serve the calls"
}

@test "the tiny run of every allocator and workload completes" {
    local rc
    rc=$(cat "$BATS_FILE_TMPDIR/rc")
    if [[ $rc != 0 ]]; then
        cat "$BATS_FILE_TMPDIR/stderr"
    fi
    assert_equal "$rc" 0
    run grep -c "FAILED" "$BATS_FILE_TMPDIR/stderr"
    assert_output 0
}

@test "anchors.json is well-formed and names every allocator and workload" {
    run jq -e . "$OUT/anchors.json"
    assert_success
    run jq -r '.allocators | join(" ")' "$OUT/anchors.json"
    assert_output "${ALLOCATORS[*]}"
    run jq -r '[.workloads[].name] | join(" ")' "$OUT/anchors.json"
    assert_output "${WORKLOADS[*]}"
    run jq -r '.config.runs, .config.timer_subtracted' "$OUT/anchors.json"
    assert_output $'2\nfalse'
}

@test "every measurement has figures of every allocator it measures, from both runs" {
    local kind a kinds
    mapfile -t kinds < <(jq -r '.measurements | keys[]' "$OUT/anchors.json")
    assert_equal "${#kinds[@]}" 15
    for kind in "${kinds[@]}"; do
        for a in "${ALLOCATORS[@]}"; do
            [[ $kind == *-attribution && $a != zslab ]] && continue
            run jq -e --arg k "$kind" --arg a "$a" \
                '.measurements[$k].allocators[$a].info.served | startswith("ok")' "$OUT/anchors.json"
            assert_success
        done
    done
    run jq -r '.measurements["seed-throughput"].allocators.zslab.metrics.mops.values | length' \
        "$OUT/anchors.json"
    assert_output 2
    run jq -e '[.measurements.footprint.allocators[].metrics["syscalls.workload"].median] | length == 5' \
        "$OUT/anchors.json"
    assert_success
}

@test "scaling has every allocator's CPU share, steal and scaling by CPU time, in range" {
    local a
    for a in "${ALLOCATORS[@]}"; do
        # A thread is on a CPU at most all of its wall time (clock steps allowed for).
        run jq -e --arg a "$a" '.measurements["scaling-2-threads"].allocators[$a].metrics
            | (.cpu_share.median > 0 and .cpu_share.median <= 1.05)
              and (.steal_seconds.median >= 0)
              and (.["derived.scaling_cpu"].median > 0)' "$OUT/anchors.json"
        assert_success
    done
    run grep -c '| 2 / 1 by CPU time |' "$OUT/anchors.md"
    assert_output 1
}

@test "every ZNS-Slab counter of the API is in the JSON" {
    local name names
    # The counter list of zslab.h, through the X-macro: every COUNTER and GAUGE name.
    mapfile -t names < <(sed -n 's/^ *\(COUNTER\|GAUGE\)(\([a-z_0-9]*\),.*/\2/p' \
        "$BATS_TEST_DIRNAME/../../../core/include/zslab/zslab.h")
    assert [ "${#names[@]}" -gt 10 ]
    for name in "${names[@]}"; do
        run jq -e --arg k "counter.end.$name" \
            '.measurements["seed-throughput"].allocators.zslab.metrics[$k].median != null' \
            "$OUT/anchors.json"
        assert_success
    done
}

@test "every target has a verdict and a missed one says why" {
    run jq -r '.targets | length' "$OUT/anchors.json"
    assert_output 18
    run jq -e 'all(.targets[]; .result == "met" or .result == "missed" or .result == "not measured")' \
        "$OUT/anchors.json"
    assert_success
    run jq -e 'all(.targets[]; .result != "missed" or (.why | length > 20))' "$OUT/anchors.json"
    assert_success
}

@test "anchors.md names every allocator, workload and target, and the timer floor" {
    local name
    for name in "${ALLOCATORS[@]}" "a. seed" "b. churn" "c. mixed" "d. cross-thread" \
        "e. Scaling" "f. Footprint" "## Targets" "Timer floor" "nothing is subtracted"; do
        run grep -c -F -- "$name" "$OUT/anchors.md"
        assert_success
    done
    run grep -c -E '\*\*(met|missed)\*\*' "$OUT/anchors.md"
    assert_success
    # The markdown the driver printed is the file it wrote.
    run cmp "$OUT/anchors.md" "$BATS_FILE_TMPDIR/stdout"
    assert_success
}

@test "the plot script draws a CDF per latency workload and the throughput chart" {
    run "$ANCHORS_PLOT" "$OUT"
    assert_success
    assert_output --partial "5 PNG files"
    local png
    for png in cdf-seed cdf-churn cdf-mixed cdf-cross-thread throughput; do
        # A PNG file starts with \x89 "PNG".
        run head -c 4 "$OUT/anchors-$png.png"
        assert_output --partial "PNG"
    done
}
