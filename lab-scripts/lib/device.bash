# shellcheck shell=bash
# device.bash: noticing that the guest's NVMe device misbehaved.
#
# The guest kernel logs NVMe trouble on its console (the guest's /init lets
# warnings and notices through, see vm-images/init), which QEMU writes to
# RUN/console.log.  After each `run` and `exec`, zns-lab reads the lines
# logged during the command, warns with them, appends them to
# RUN/nvme-events.log and, with --strict, exits EXIT_DEVICE.  A test that
# passes on a device that reset under it proves nothing about the code.

# Linux 6.1's nvme driver (drivers/nvme/host/pci.c, core.c), one per kind:
#   nvme nvme0: I/O 888 (I/O Cmd) QID 1 timeout, aborting
#   nvme nvme0: I/O 12 QID 1 timeout, completion polled
#   nvme nvme0: Abort status: 0x0
#   nvme nvme0: I/O 888 QID 1 timeout, reset controller
#   nvme nvme0: controller is down; will reset: CSTS=0x3, PCI_STATUS=0x10
#   nvme nvme0: I/O 833 QID 1 timeout, disable controller
#   nvme nvme0: Device not ready; aborting reset, CSTS=0x1
#   nvme nvme0: Removing after probe failure status: -19
#   nvme0n1: detected capacity change from 2097152 to 0
NVME_TROUBLE_RE='nvme nvme[0-9]+: (I/O [0-9]+ .*QID [0-9]+ timeout|Abort status|controller is down|Device not ready|Removing after probe failure)|nvme[0-9]+n[0-9]+: detected capacity change from [0-9]+ to 0$'
# Lines shown with the warning; all of them go to RUN/nvme-events.log.
NVME_TROUBLE_SHOWN=12

# Bytes in RUN's console log now: where the next command's messages start.
console_offset() {
    stat -c %s "$1/console.log" 2>/dev/null || echo 0
}

# Prints the NVMe trouble lines RUN's console got after byte FROM.
nvme_trouble_lines() {
    local run=$1 from=$2
    tail -c "+$((from + 1))" "$run/console.log" 2>/dev/null | tr -d '\r' |
        grep -E "$NVME_TROUBLE_RE" || true
}

# Names the kinds of trouble in LINES, in the order the driver escalates:
# "I/O timeout, abort, controller reset".
nvme_trouble_kinds() {
    local lines=$1 kinds=() list
    grep -qE 'QID [0-9]+ timeout' <<<"$lines" && kinds+=("I/O timeout")
    grep -q 'Abort status' <<<"$lines" && kinds+=(abort)
    grep -qE 'reset controller|controller is down' <<<"$lines" && kinds+=("controller reset")
    grep -qE 'disable controller|Device not ready|Removing after probe failure' <<<"$lines" &&
        kinds+=("controller disabled")
    grep -qE 'capacity change from [0-9]+ to 0' <<<"$lines" && kinds+=("namespace vanished")
    list=$(IFS=,; echo "${kinds[*]}")
    echo "${list//,/, }"
}

# Warns about the NVMe trouble RUN's guest logged after console byte FROM and
# records it in RUN/nvme-events.log.  Returns 1 when there was some.
nvme_trouble_report() {
    local run=$1 from=$2 lines first n
    lines=$(nvme_trouble_lines "$run" "$from")
    [[ -n $lines ]] || return 0
    # The guest's uptime of the first line: "[  121.807157] nvme ...".
    first=$(sed -n '1s/^\[ *\([0-9]*\)\..*/\1/p' <<<"$lines")
    n=$(grep -c . <<<"$lines")
    note "guest NVMe: $(nvme_trouble_kinds "$lines")${first:+ at $first s} (console log: $run/console.log)"
    head -n "$NVME_TROUBLE_SHOWN" <<<"$lines" | sed 's/^/zns-lab:   /' >&2
    ((n <= NVME_TROUBLE_SHOWN)) ||
        note "  ... $((n - NVME_TROUBLE_SHOWN)) more lines in $run/nvme-events.log"
    printf '%s\n' "$lines" >>"$run/nvme-events.log"
    return 1
}

# After a command: reports NVMe trouble logged since console byte FROM and
# applies --strict.  $3 is the status so far, $4 where it came from
# ("command": the command's own; "lab": zns-lab's, such as a timeout, which
# stays as it is).  Returns the status to exit with.
nvme_verdict() {
    local run=$1 from=$2 rc=$3 origin=$4
    nvme_trouble_report "$run" "$from" && return "$rc"
    if [[ -n ${OPT[strict]:-} && $origin == command ]]; then
        note "--strict: exit $EXIT_DEVICE, the guest's NVMe device misbehaved (the command's status was $rc)"
        return "$EXIT_DEVICE"
    fi
    return "$rc"
}
