# shellcheck shell=bash
# store.bash: what the e2e-store files (tests/e2e/3NN-*.bats) share, on top
# of common.bash.  They drive the zone store (`zns store`) inside the lab and
# hold it against nvme-cli.
#
# Load it after common:   load test_helper/common
#                         load test_helper/store
#
# API
#   store_up NAME [lab up options]   boots persistent VM NAME with the share
#                                    $STORE_SHARE (/mnt/host in the guest);
#                                    sets STORE_VM.  In setup_file, downed by
#                                    lab_teardown_file; in a test, by teardown.
#   sx SCRIPT                        runs the sh SCRIPT in $STORE_VM: $status,
#                                    $output (stdout and stderr merged).
#   sx_json SCRIPT                   runs SCRIPT with stdout to the share and
#                                    stderr apart: $status, $output = stderr,
#                                    $STORE_JSON = the file on the host.
#   zone_report                      nvme zns report-zones -o json of $DEV, on
#                                    the host: prints the file's path.
#   counter JSON NAME                a counter of a `zns store ... --json` line
#   reclaim_seen OPTS REASON         `zns store reclaim $DEV OPTS -v` resets a
#                                    zone (event REASON) that nvme-cli saw FULL
#                                    before and sees EMPTY after
#   assert_no_limit_errors           $output names no Too Many Open/Active
#                                    Zones and no device error
#
# Settings: DEV (default /dev/ng0n1), the namespace.

DEV=${DEV:-/dev/ng0n1}
GUEST_SHARE=/mnt/host

store_up() {
    local name=$1
    shift
    STORE_SHARE=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/share-$name
    mkdir -p "$STORE_SHARE"
    STORE_VM=$(lab_vm_name "$name")
    export STORE_SHARE STORE_VM
    lab_up "$STORE_VM" --share "$STORE_SHARE" "$@"
}

sx() {
    lab_exec "$STORE_VM" sh -c "$1"
}

sx_json() {
    local out=$GUEST_SHARE/out.json
    STORE_JSON=$STORE_SHARE/out.json
    rm -f "$STORE_JSON"
    sx "($1) >$out"
}

zone_report() {
    local f=$STORE_SHARE/zones-$RANDOM.json out
    out=$(timeout "$((LAB_TIMEOUT + LAB_HOST_SLACK_S))" "$ZNS_LAB" exec --name "$STORE_VM" \
        --timeout "$LAB_TIMEOUT" -- sh -c \
        "nvme zns report-zones $DEV -o json >$GUEST_SHARE/${f##*/}" 2>&1 3>&-) ||
        fail "nvme zns report-zones failed: $out"
    echo "$f"
}

counter() {
    lab_json_get "$1" ".counters.$2 // .$2"
}

assert_no_limit_errors() {
    refute_output --partial "Too Many Open Zones"
    refute_output --partial "Too Many Active Zones"
    refute_output --partial "device error"
}

reclaim_seen() {
    local opts=$1 reason=$2 before after lba
    before=$(zone_report)
    sx "zns store reclaim $DEV $opts -v"
    assert_success
    assert_output --regexp "zone reset at LBA 0x[0-9a-f]+ \(([0-9]+)\): $reason"
    # shellcheck disable=SC2154 # output: set by bats' run, through sx
    lba=$(sed -nE 's/.*zone reset at LBA 0x[0-9a-f]+ \(([0-9]+)\).*/\1/p' <<<"$output")
    after=$(zone_report)
    run jq -r --argjson l "$lba" '.zone_list[] | select(.slba == $l) | .state' "$before"
    assert_output "FULL"
    run jq -r --argjson l "$lba" '.zone_list[] | select(.slba == $l) | "\(.state) \(.wp == .slba)"' "$after"
    assert_output "EMPTY true"
}
