# shellcheck shell=bash
# These settings are read by the other lib files and zns-lab.
# shellcheck disable=SC2034
# common.bash: paths, messages, exit codes and unit parsing for zns-lab.
#
# Configuration (environment):
#   ZNS_LAB_IMAGE_DIR  the guest image (default: <repo>/build/vm)
#   ZNS_LAB_STATE_DIR  run directories of the VMs (default: <repo>/build/lab)
#   ZNS_LAB_QEMU       the QEMU binary (default: qemu-system-x86_64)
#   ZNS_LAB_APPEND     extra kernel parameters (e.g. "loglevel=7" to debug a boot)
#   ZNS_LAB_KEEP_RUN   set: run and shell keep their run directory for inspection
#   ZNS_LAB_CONSOLE_COPY  run and shell copy the console log to this file at the end

LAB_TOP=$(cd "$LAB_LIB/../.." && pwd)
IMAGE_DIR=${ZNS_LAB_IMAGE_DIR:-$LAB_TOP/build/vm}
STATE_DIR=${ZNS_LAB_STATE_DIR:-$LAB_TOP/build/lab}
QEMU=${ZNS_LAB_QEMU:-qemu-system-x86_64}
PROFILE_DIR=$LAB_LIB/../profiles

# Exit codes of zns-lab itself; run/exec otherwise exit with the command's.
EXIT_USAGE=2      # bad flag, profile or value: rejected before QEMU starts
EXIT_DEVICE=122   # --strict: the guest's NVMe device timed out, reset or vanished
EXIT_NO_REPORT=123 # the guest never reported: panic, boot failure, VM died
EXIT_TIMEOUT=124  # the time limit passed (as timeout(1))
EXIT_LAB=125      # the lab failed: no image, QEMU would not start, no VM

die() {
    local code=$1
    shift
    echo "zns-lab: $*" >&2
    exit "$code"
}

usage_error() { die "$EXIT_USAGE" "$*"; }

note() { echo "zns-lab: $*" >&2; }

# Parses a size with an optional binary suffix (K, M, G, T; KiB etc. too)
# and prints bytes.  Returns 1 on anything else, 2 when the size is above
# MAX_SIZE_BYTES (1024T: beyond it bash's 64-bit arithmetic overflows).
MAX_SIZE_BYTES=$((1 << 50))
size_to_bytes() {
    local s=$1 num shift_bits
    [[ $s =~ ^([0-9]+)([KkMmGgTt]?)(i?[Bb])?$ ]] || return 1
    num=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]^^} in
    "") shift_bits=0 ;; K) shift_bits=10 ;; M) shift_bits=20 ;; G) shift_bits=30 ;; T) shift_bits=40 ;;
    esac
    ((${#num} <= 16)) || return 2
    num=$((10#$num))
    ((num <= MAX_SIZE_BYTES >> shift_bits)) || return 2
    echo $((num << shift_bits))
}

# Prints bytes in the shortest exact binary unit: 4194304 -> 4M.
bytes_to_size() {
    local b=$1 unit
    for unit in T G M K; do
        local shift_bits
        case $unit in
        T) shift_bits=40 ;; G) shift_bits=30 ;; M) shift_bits=20 ;; K) shift_bits=10 ;;
        esac
        if ((b > 0 && b % (1 << shift_bits) == 0)); then
            echo "$((b >> shift_bits))$unit"
            return
        fi
    done
    echo "$b"
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# Quotes each argument for POSIX sh (the guest's busybox sh): 'a'\''b'.
sh_quote() {
    local arg out=""
    for arg in "$@"; do
        out+=" '${arg//\'/\'\\\'\'}'"
    done
    echo "${out# }"
}

# A fresh random token (hex) for sentinels and request ids.
new_nonce() {
    od -An -tx1 -N 8 /dev/urandom | tr -d ' \n'
}

# Longest --timeout, in seconds (30 days), and longest VM name.
MAX_TIMEOUT_S=2592000
MAX_NAME_CHARS=64
# The files of a guest image directory (vm-images/build-image writes them).
IMAGE_FILES="vmlinux initramfs.img tools.img image.env"

need_image() {
    local f
    for f in $IMAGE_FILES; do
        [[ -f $IMAGE_DIR/$f ]] ||
            die "$EXIT_LAB" "no guest image in $IMAGE_DIR (missing $f): run 'make image'"
    done
}

# Succeeds when PID is alive and is a QEMU we started (not a reused PID).
qemu_alive() {
    local pid=$1
    [[ -n $pid ]] && [[ -r /proc/$pid/cmdline ]] &&
        tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- '-name zns-lab-'
}
