# shellcheck shell=bash
# common.bash: the shared helper of every Bats file in tests/e2e.
#
# Load it first in each file:   load test_helper/common
#
# API
#   lab_setup_file            in setup_file: builds the image once per bats run
#                             (make image, under a lock).
#   lab_run [opts] -- CMD...  `zns-lab run --strict` through Bats' `run`:
#                             $status, $output (guest stdout+stderr and
#                             zns-lab's own messages).  Adds --timeout
#                             $LAB_TIMEOUT unless given.  The VM's console log
#                             is kept and printed if the test fails.  With
#                             --strict, a command that ran on a device that
#                             timed out, reset or vanished exits 122 and so
#                             fails assert_success.
#   lab_up NAME [opts]        boots persistent VM NAME (fails the test if it
#                             cannot); lab_teardown downs it.
#   lab_exec NAME CMD...      `zns-lab exec --strict` through `run`: $status,
#                             $output.
#   lab_power_cycle NAME, lab_kill NAME, lab_down NAME
#   lab_vm_name [TAG]         a VM name unique to this test (parallel-safe).
#   lab_teardown_file         in teardown_file: downs VMs started in setup_file.
#   lab_teardown              in teardown: prints the console logs of a
#                             failed test, downs its VMs.  common.bash
#                             defines teardown() to call it; a file that
#                             defines its own teardown must call it.
#   lab_json_get JSON FILTER  jq -r FILTER on JSON (fails the test on bad JSON)
#
# Settings (environment):
#   LAB_TIMEOUT   seconds for each VM command (default 180)
#   LAB_ACCEL     accelerator for every VM (default auto)
#   LAB_STRICT    1 (default): lab_run and lab_exec pass --strict; 0: they do
#                 not, for a test that provokes NVMe trouble on purpose and
#                 checks the warning itself
#
# Guest facts the tests rely on: the default profile's zoned namespace is
# /dev/nvme0n1 (char device /dev/ng0n1); nvme-cli, blkzone, fio and the
# project's binaries are on PATH; with --share DIR, DIR is /mnt/host; bash
# and GNU grep, sed, gawk and coreutils come before busybox's applets on PATH
# (busybox sh itself still runs its own applets).

bats_load_library bats-support
bats_load_library bats-assert

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
ZNS_LAB=$REPO_ROOT/lab-scripts/zns-lab
LAB_TIMEOUT=${LAB_TIMEOUT:-180}
LAB_ACCEL=${LAB_ACCEL:-auto}
LAB_STRICT=${LAB_STRICT:-1}
# Host-side guard beyond the VM's own limit, in seconds.
LAB_HOST_SLACK_S=60

lab_setup_file() {
    local marker=$BATS_RUN_TMPDIR/lab-image-built
    [[ -f $marker ]] && return 0
    if ! make -C "$REPO_ROOT" --no-print-directory -s image >"$BATS_RUN_TMPDIR/image.log" 2>&1; then
        cat "$BATS_RUN_TMPDIR/image.log" >&2
        echo "# make image failed" >&2
        return 1
    fi
    touch "$marker"
}

# Prints --timeout LAB_TIMEOUT unless the options already set one.
_lab_timeout_opt() {
    local a
    for a in "$@"; do
        [[ $a == -- ]] && break
        [[ $a == --timeout || $a == --timeout=* ]] && return 0
    done
    printf '%s\n' --timeout "$LAB_TIMEOUT"
}

# Prints --strict unless LAB_STRICT=0.
_lab_strict_opt() {
    [[ $LAB_STRICT == 0 ]] || echo --strict
}

# A new file under BATS_TEST_TMPDIR for a console log.
_lab_console_file() {
    mktemp "$BATS_TEST_TMPDIR/console.XXXXXX"
}

lab_run() {
    local timeout_opt console strict
    mapfile -t timeout_opt < <(_lab_timeout_opt "$@")
    mapfile -t strict < <(_lab_strict_opt)
    console=$(_lab_console_file)
    run env ZNS_LAB_CONSOLE_COPY="$console" timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" \
        "$ZNS_LAB" run --accel "$LAB_ACCEL" "${strict[@]}" "${timeout_opt[@]}" "$@" 3>&-
}

lab_vm_name() {
    local file=${BATS_TEST_FILENAME##*/}
    echo "bats-${file%%-*}-${BATS_SUITE_TEST_NUMBER:-0}${1:+-$1}-$$"
}

# VMs are listed for teardown in the test's (or, in setup_file, the file's)
# temporary directory.
_lab_vm_list() {
    echo "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/lab-vms"
}

lab_up() {
    local name=$1
    shift
    echo "$name" >>"$(_lab_vm_list)"
    run timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" \
        "$ZNS_LAB" up --name "$name" --accel "$LAB_ACCEL" "$@" 3>&-
    assert_success
}

lab_exec() {
    local name=$1 strict
    shift
    mapfile -t strict < <(_lab_strict_opt)
    run timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" \
        "$ZNS_LAB" exec --name "$name" "${strict[@]}" --timeout "$LAB_TIMEOUT" -- "$@" 3>&-
}

lab_power_cycle() {
    run timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" "$ZNS_LAB" power-cycle --name "$1" 3>&-
    assert_success
}

lab_kill() {
    run "$ZNS_LAB" kill --name "$1" 3>&-
    assert_success
}

lab_down() {
    "$ZNS_LAB" down --name "$1" >/dev/null 2>&1 3>&- || true
}

lab_json_get() {
    local value
    value=$(jq -er "$2" <<<"$1") || fail "jq '$2' failed on: $1"
    echo "$value"
}

# Prints the console logs of the VMs listed in file $1 (tail).
_lab_print_consoles() {
    local list=$1 name f state_dir=${ZNS_LAB_STATE_DIR:-$REPO_ROOT/build/lab}
    [[ -f $list ]] || return 0
    while read -r name; do
        f=$state_dir/$name/console.log
        [[ -s $f ]] || continue
        echo "--- console log of VM $name ---"
        tail -n 60 "$f"
    done <"$list"
}

_lab_down_listed() {
    local list=$1 name
    [[ -f $list ]] || return 0
    while read -r name; do
        lab_down "$name"
    done <"$list"
    rm -f "$list"
}

lab_teardown() {
    local f
    if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
        for f in "$BATS_TEST_TMPDIR"/console.*; do
            [[ -s $f ]] || continue
            echo "--- console log of a VM of this test ($f) ---"
            tail -n 60 "$f"
        done
        _lab_print_consoles "$BATS_TEST_TMPDIR/lab-vms"
        _lab_print_consoles "$BATS_FILE_TMPDIR/lab-vms"
    fi
    _lab_down_listed "$BATS_TEST_TMPDIR/lab-vms"
}

# For files that start a VM in setup_file: downs it in teardown_file.
lab_teardown_file() {
    _lab_down_listed "$BATS_FILE_TMPDIR/lab-vms"
}

teardown() {
    lab_teardown
}
