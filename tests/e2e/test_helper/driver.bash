# shellcheck shell=bash
# driver.bash: what the e2e-driver files (tests/e2e/1NN-*.bats) share, on top
# of common.bash.  They check the `zns` tool against nvme-cli inside the lab.
#
# Load it after common:   load test_helper/common
#                         load test_helper/driver
#
# API
#   driver_setup_file [opts]    setup_file of a file whose tests share one VM
#                               of the default profile, one test at a time.
#   zslba INDEX                 start LBA of zone INDEX (ZONE_LBAS per zone).
#   driver_up [lab up options]  in setup_file: boots the file's persistent VM
#                               ($DRIVER_VM) with the share $DRIVER_SHARE
#                               (/mnt/host in the guest); downed by
#                               lab_teardown_file.
#   zexec SCRIPT                runs the sh SCRIPT in $DRIVER_VM: $status, $output.
#   zns_step SCRIPT             runs SCRIPT, then saves `zns report --json` and
#                               `nvme zns report-zones -o json` of $DEV to the
#                               share; $status and $output are SCRIPT's.
#   assert_reports_agree        the last zns_step's two reports agree on every
#                               zone's start, write pointer, capacity, state
#                               and type, and list every zone.
#   zone_state INDEX            "STATE WP" of a zone as nvme-cli reported it at
#                               the last zns_step (WP "none" when it has none).
#   reset_all_zones             every zone EMPTY again (through nvme-cli).
#   json_lba JSON               the "lba" of a zns append/write --json line.
#
# Settings: DEV (default /dev/nvme0n1), the namespace the tests drive.

DEV=${DEV:-/dev/nvme0n1}
# LBAs per zone in the default profile (4 MiB zones of 4 KiB LBAs).
ZONE_LBAS=1024
# The guest sees the share here (zns-lab --share).
GUEST_SHARE=/mnt/host
# The host side of the model check (built by make; test-e2e-driver sets it).
ZNS_MODEL=${ZNS_MODEL:-$REPO_ROOT/build/bin-host/zns-model}
# jq prints the ~0 write pointer of a zone without one as this double.
WP_NONE_JQ=18446744073709551615

driver_setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    lab_setup_file
    driver_up "$@"
}

zslba() { echo $(($1 * ZONE_LBAS)); }

driver_up() {
    DRIVER_SHARE=$BATS_FILE_TMPDIR/share
    DRIVER_VM=$(lab_vm_name driver)
    mkdir -p "$DRIVER_SHARE"
    export DRIVER_SHARE DRIVER_VM
    lab_up "$DRIVER_VM" --share "$DRIVER_SHARE" "$@"
}

zexec() {
    lab_exec "$DRIVER_VM" sh -c "$1"
}

zns_step() {
    local s=$GUEST_SHARE
    zexec "$1
        rc=\$?
        zns report $DEV --json >$s/zns.json 2>$s/zns.err &&
            nvme zns report-zones $DEV -o json >$s/nvme.json 2>$s/nvme.err ||
            { echo 'zns_step: a report failed:'; cat $s/zns.err $s/nvme.err; exit 99; }
        exit \$rc"
}

# The fields both reports must agree on, one zone a line.
_zone_lines() {
    jq -r '.zone_list[] | "\(.slba) \(.wp) \(.cap) \(.state) \(.type)"' "$1"
}

assert_reports_agree() {
    local zns=$DRIVER_SHARE/zns.json nvme=$DRIVER_SHARE/nvme.json expected
    expected=$(jq -r '.nr_zones' "$nvme") || fail "nvme-cli's report is not JSON"
    assert_equal "$(jq '.zone_list | length' "$zns")" "$expected"
    run diff <(_zone_lines "$zns") <(_zone_lines "$nvme")
    assert_success
}

zone_state() {
    jq -r --argjson i "$1" --argjson none "$WP_NONE_JQ" \
        '.zone_list[$i] | "\(.state) \(if .wp >= $none then "none" else .wp end)"' \
        "$DRIVER_SHARE/nvme.json"
}

reset_all_zones() {
    zexec "nvme zns reset-zone $DEV -a"
    assert_success
}

json_lba() {
    lab_json_get "$1" '.lba'
}
