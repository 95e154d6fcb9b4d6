#!/usr/bin/env bats
# Every flag of every subcommand refuses an out-of-range, a malformed and an
# empty value itself: exit 2, a message that names the flag, and no QEMU
# (nor coreutils' timeout) ever sees the value.  Table-driven: one row per
# subcommand, flag and kind of value.

load test_helper/common

setup_file() {
    lab_setup_file
}

setup() {
    # A VM wrongly let through would leave its files here, not in build/lab.
    export ZNS_LAB_STATE_DIR=$BATS_TEST_TMPDIR/state
    mkdir -p "$ZNS_LAB_STATE_DIR"
    NOT_A_DIR=$BATS_TEST_TMPDIR/a-file
    EMPTY_DIR=$BATS_TEST_TMPDIR/empty
    : >"$NOT_A_DIR"
    mkdir -p "$EMPTY_DIR"
    LONG_NAME=$(printf 'n%.0s' {1..65})
}

# The table: FLAG|KIND|VALUE|what the message says after naming the flag.
# An empty VALUE is passed as an empty argument.  Geometry flags are checked
# with the default profile (4M zones of 3M, max open/active 4/6).
value_rows() {
    cat <<EOF
--name|range|$LONG_NAME|longer than 64 characters
--name|malformed|a/b|a VM name is letters, digits
--name|empty||needs a value
--profile|range|no-such-profile|unknown profile
--profile|malformed|/etc/hostname|line 1: expected key=value
--profile|empty||needs a value
--timeout|range|0|must be above 0
--timeout|range|99999999999|must be at most
--timeout|malformed|abc|expected whole seconds
--timeout|malformed|-5|expected whole seconds
--timeout|empty||needs a value
--accel|range|hvf|expected auto, tcg or kvm
--accel|malformed|tcg,kvm|expected auto, tcg or kvm
--accel|empty||needs a value
--share|range|/no/such/dir|no such directory
--share|malformed|$NOT_A_DIR|not a directory
--share|empty||needs a value
--image|range|/no/such/dir/ns.img|no such directory
--image|malformed|$EMPTY_DIR|is a directory
--image|empty||needs a value
--image-dir|range|/no/such/dir|no such directory
--image-dir|malformed|$EMPTY_DIR|holds no guest image
--image-dir|empty||needs a value
--mem|range|1T|more than the host's available memory
--mem|malformed|12Q|not a size
--mem|empty||needs a value
--cpus|range|99|must be 1..8
--cpus|malformed|two|not a whole number
--cpus|empty||needs a value
--ns-size|range|2M|exceeds namespace size
--ns-size|malformed|1.5G|not a size
--ns-size|empty||needs a value
--zone-size|range|0|must be above 0
--zone-size|malformed|4MB4|not a size
--zone-size|empty||needs a value
--zone-cap|range|8M|exceeds zone size
--zone-cap|malformed|-1|not a size
--zone-cap|empty||needs a value
--max-open|range|100|exceeds the 64 zones
--max-open|malformed|many|not a whole number
--max-open|empty||needs a value
--max-active|range|100|exceeds the 64 zones
--max-active|malformed|-3|not a whole number
--max-active|empty||needs a value
--zasl|range|1M|maximum transfer (MDTS)
--zasl|malformed|64KK|not a size
--zasl|empty||needs a value
--lba-size|range|1024|must be 512 or 4096
--lba-size|malformed|4k|not a whole number
--lba-size|empty||needs a value
--conv-size|range|2000T|too large
--conv-size|malformed|lots|not a size
--conv-size|empty||needs a value
--numa-nodes|range|3|must be 1 or 2
--numa-nodes|malformed|one|not a whole number
--numa-nodes|empty||needs a value
--nvme-node|range|1|no such node
--nvme-node|malformed|x|not a whole number
--nvme-node|empty||needs a value
EOF
}

# Flags that take no value: "--flag=VALUE" is refused for every VALUE.
switch_rows() {
    printf '%s\n' "range|=2" "malformed|=yes" "empty|="
}

GEOMETRY_FLAGS="--mem --cpus --ns-size --zone-size --zone-cap --max-open --max-active --zasl --lba-size --conv-size --numa-nodes --nvme-node"

# The flags of each subcommand, as its --help lists them.
flags_of() {
    case $1 in
    run) echo "--profile --timeout --accel --share --image --image-dir --keep-image --strict $GEOMETRY_FLAGS" ;;
    up) echo "--name --profile --timeout --accel --share --image --image-dir $GEOMETRY_FLAGS" ;;
    shell) echo "--profile --timeout --accel --share --image --image-dir $GEOMETRY_FLAGS" ;;
    exec) echo "--name --timeout --strict" ;;
    power-cycle) echo "--name --raw" ;;
    kill | down | status) echo "--name" ;;
    accel) echo "--accel --image-dir" ;;
    profiles) echo "" ;;
    esac
}

# The rest of a command line that would otherwise be valid.
tail_of() {
    case $1 in
    run | exec) echo "-- true" ;;
    *) echo "" ;;
    esac
}

# Runs every row for subcommand $1; collects every row that did not exit 2
# with a message naming the flag, and fails listing them all.
check_subcommand() {
    local sub=$1 flag kind value want rest wrong="" rows=0 out rc
    read -r -a rest <<<"$(tail_of "$sub")"
    for flag in $(flags_of "$sub"); do
        case $flag in
        --keep-image | --strict | --raw)
            while IFS='|' read -r kind value; do
                rows=$((rows + 1))
                rc=0
                out=$(timeout 30 "$ZNS_LAB" "$sub" "$flag$value" "${rest[@]}" 2>&1 </dev/null 3>&-) || rc=$?
                [[ $rc == 2 && $out == *"$flag takes no value"* ]] ||
                    wrong+=$'\n'"$sub $flag$value ($kind): exit $rc: $out"
            done < <(switch_rows)
            ;;
        *)
            while IFS='|' read -r f kind value want; do
                [[ $f == "$flag" ]] || continue
                rows=$((rows + 1))
                rc=0
                out=$(timeout 30 "$ZNS_LAB" "$sub" "$flag" "$value" "${rest[@]}" 2>&1 </dev/null 3>&-) || rc=$?
                [[ $rc == 2 && $out == "zns-lab: $flag"* && $out == *"$want"* ]] ||
                    wrong+=$'\n'"$sub $flag '$value' ($kind): exit $rc, want 2 and '$flag ... $want': $out"
            done < <(value_rows)
            ;;
        esac
    done
    echo "# $sub: $rows rows" >&3
    [[ -z $wrong ]] || fail "rows that did not exit 2 naming the flag:$wrong"
    # Nothing may have started.
    run find "$ZNS_LAB_STATE_DIR" -name 'run-*' -o -name qemu.pid
    assert_output ""
}

@test "run refuses every bad flag value itself, naming the flag" {
    check_subcommand run
}

@test "up refuses every bad flag value itself, naming the flag" {
    check_subcommand up
}

@test "shell refuses every bad flag value itself, naming the flag" {
    check_subcommand shell
}

@test "exec, power-cycle, kill, down, status and accel refuse every bad flag value, naming the flag" {
    local sub
    for sub in exec power-cycle kill down status accel; do
        check_subcommand "$sub"
    done
}

@test "profiles takes no flag at all" {
    run "$ZNS_LAB" profiles --name x
    assert_failure 2
    assert_output --partial "unknown flag '--name'"
    run "$ZNS_LAB" profiles
    assert_success
    assert_line --regexp '^large-zones +1G '
}

# Issue 11's table: ARGS|the whole message (a regexp).
issue_rows() {
    cat <<'EOF'
--timeout abc|^zns-lab: --timeout 'abc': expected whole seconds above 0 \(e\.g\. 300\)$
--timeout -5|^zns-lab: --timeout '-5': expected whole seconds above 0
--timeout 0|^zns-lab: --timeout '0': must be above 0 seconds
--mem 1T|^zns-lab: --mem 1T: more than the host's available memory \([0-9]+M
--zone-size 0|^zns-lab: --zone-size 0: must be above 0$
EOF
}

@test "the issue's bad values are refused by zns-lab with the reason" {
    local args want
    while IFS='|' read -r args want; do
        # shellcheck disable=SC2086 # ARGS is a flag and its value
        run "$ZNS_LAB" run $args -- true
        assert_failure 2
        assert_output --regexp "$want"
    done < <(issue_rows)
}

@test "a value from the profile, not a flag, is named by its profile line" {
    local prof=$BATS_TEST_TMPDIR/p
    sed 's/^zone_cap=.*/zone_cap=0/' "$REPO_ROOT/lab-scripts/profiles/default" >"$prof"
    run "$ZNS_LAB" run --profile "$prof" -- true
    assert_failure 2
    assert_output "zns-lab: profile '$prof': zone_cap=0: must be above 0"
}
