# shellcheck shell=bash
# options.bash: the command line of zns-lab's subcommands, and their help.

# Read by zns-lab's subcommands.
# shellcheck disable=SC2034
declare -A OPT=() # option name (without --) -> value
GEOMETRY=()       # flag value pairs overriding the profile, in order
CMD=()            # the command after --

# Parses "$@" for a subcommand that accepts the option groups in $1:
#   name profile geometry timeout accel share image image-dir keep-image raw
#   strict command
# Every value is checked here, before anything runs: a bad one exits
# EXIT_USAGE with a message that names the flag.  Geometry values are checked
# with the profile they override (profile_validate).
parse_opts() {
    local allowed=" $1 " flag value inline
    shift
    OPT=() GEOMETRY=() CMD=()
    while (($#)); do
        flag=$1
        inline=0
        if [[ $flag == --*=* ]]; then
            value=${flag#*=}
            flag=${flag%%=*}
            inline=1
            set -- "$flag" "$value" "${@:2}"
        fi
        case $flag in
        --)
            ((!inline)) || usage_error "'--' takes no value"
            [[ $allowed == *" command "* ]] || usage_error "unexpected '--': this subcommand runs no command"
            shift
            # shellcheck disable=SC2034 # read by the subcommand
            CMD=("$@")
            return 0
            ;;
        --keep-image | --raw | --strict)
            allow "$allowed" "${flag#--}" "$flag"
            ((!inline)) || usage_error "$flag takes no value (got '$flag=$2')"
            OPT[${flag#--}]=1
            shift
            continue
            ;;
        --name | --profile | --timeout | --accel | --share | --image | --image-dir)
            allow "$allowed" "${flag#--}" "$flag"
            need_value "$flag" "$@"
            value=${flag#--}
            "check_${value//-/_}" "$flag" "$2"
            OPT[${flag#--}]=$2
            ;;
        --*)
            allow "$allowed" geometry "$flag"
            profile_override "$flag" "x" # rejects unknown keys now
            need_value "$flag" "$@"
            GEOMETRY+=("$flag" "$2")
            ;;
        *)
            if [[ $allowed == *" command "* ]]; then
                usage_error "unexpected '$flag': put the command after '--' (zns-lab run -- $flag ...)"
            fi
            usage_error "unexpected argument '$flag'"
            ;;
        esac
        shift 2
    done
}

# $1 is the flag; the rest is the command line from the flag on.
need_value() {
    local flag=$1
    shift
    if (($# < 2)) || [[ -z $2 ]]; then
        usage_error "$flag needs a value"
    fi
}

allow() {
    [[ $1 == *" $2 "* ]] || usage_error "unknown flag '$3' for this subcommand (see --help)"
}

# ---- value checks: check_<flag> FLAG VALUE exits EXIT_USAGE on a bad value --

# Whole seconds, 1 .. MAX_TIMEOUT_S.
check_timeout() {
    local flag=$1 v=$2
    [[ $v =~ ^[0-9]+$ ]] || usage_error "$flag '$v': expected whole seconds above 0 (e.g. 300)"
    # Leading zeros are decimal, not octal; too many digits overflow.
    if ((${#v} > 10)) || ((10#$v > MAX_TIMEOUT_S)); then
        usage_error "$flag '$v': must be at most $MAX_TIMEOUT_S seconds (30 days)"
    fi
    ((10#$v > 0)) || usage_error "$flag '$v': must be above 0 seconds (there is no 'no limit')"
}

check_name() {
    local flag=$1 v=$2
    [[ $v =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] ||
        usage_error "$flag '$v': a VM name is letters, digits and _ . - (not starting with one of _ . -)"
    ((${#v} <= MAX_NAME_CHARS)) || usage_error "$flag '${v:0:20}...': longer than $MAX_NAME_CHARS characters"
}

check_profile() {
    local flag=$1 v=$2
    if [[ $v == */* ]]; then
        [[ -f $v ]] || usage_error "$flag '$v': no such profile file"
    else
        [[ $v =~ ^[A-Za-z0-9][A-Za-z0-9+_.-]*$ && -f $PROFILE_DIR/$v ]] ||
            usage_error "$flag '$v': unknown profile '$v' (profiles: $(profile_names); or a path to a file)"
    fi
}

check_accel() {
    local flag=$1 v=$2
    [[ $v == auto || $v == tcg || $v == kvm ]] || usage_error "$flag '$v': expected auto, tcg or kvm"
}

check_share() {
    local flag=$1 v=$2
    [[ -e $v ]] || usage_error "$flag '$v': no such directory"
    [[ -d $v ]] || usage_error "$flag '$v': not a directory"
}

check_image() {
    local flag=$1 v=$2 dir
    dir=$(dirname -- "$v")
    [[ -d $dir ]] || usage_error "$flag '$v': no such directory '$dir'"
    [[ ! -d $v ]] || usage_error "$flag '$v' is a directory: give the backing file's path"
    [[ ! -e $v || -f $v ]] || usage_error "$flag '$v': not a regular file"
}

check_image_dir() {
    local flag=$1 v=$2 f
    [[ -e $v ]] || usage_error "$flag '$v': no such directory (build one: make image IMAGE_DIR=$v)"
    [[ -d $v ]] || usage_error "$flag '$v': not a directory"
    for f in $IMAGE_FILES; do
        [[ -f $v/$f ]] || usage_error "$flag '$v' holds no guest image (no $f): make image IMAGE_DIR=$v"
    done
}

geometry_help() {
    local k p mems=() list
    echo "Geometry flags (override the profile's values; sizes take K, M, G, T):"
    for k in "${PROFILE_KEYS[@]}"; do
        printf '  --%-12s %s\n' "${k//_/-}" "${PROFILE_HELP[$k]}"
    done
    for p in $(profile_names); do
        mems+=("$p $(sed -n 's/^mem=//p' "$PROFILE_DIR/$p")")
    done
    echo "Profiles (lab-scripts/profiles/, zns-lab profiles) and their guest memory (mem=):"
    list=$(IFS=,; echo "${mems[*]}")
    echo "  ${list//,/, }"
}

# The options every booting subcommand shares, for their help.
image_help() {
    cat <<EOF
  --image FILE    zoned namespace backing file, created if missing, kept
  --image-dir DIR the guest image to boot (default $IMAGE_DIR; build
                  another with: make image IMAGE_DIR=DIR EXTRA_TOOLS="...")
EOF
}

help_for() {
    case ${1:-} in
    run)
        cat <<EOF
usage: zns-lab run [--profile P] [geometry flags] [--timeout S] [--accel A]
                   [--share DIR] [--image FILE] [--image-dir DIR]
                   [--keep-image] [--strict] -- CMD...

Boots a fresh VM, runs CMD in the guest, streams its output (stdout and
stderr together) and exits with CMD's status.  No QEMU is left behind.  CMD
runs under busybox sh, which runs its own applets first; under bash (bash -c,
a #!/bin/bash script) PATH gives GNU grep, sed, gawk and coreutils; the
project's binaries are in /usr/local/bin.
  --profile P     geometry profile (default: default)
  --timeout S     limit for boot + command, whole seconds, 1..$MAX_TIMEOUT_S
                  (default $RUN_LIMIT_S)
  --accel A       auto, tcg or kvm (default auto)
  --share DIR     host DIR mounted read-write in the guest at /mnt/host
                  (\$ZSLAB_SHARE_DIR); the way to get files out
$(image_help)
  --keep-image    keep this run's backing files and print where they are
  --strict        exit $EXIT_DEVICE when the guest's NVMe device timed out, was
                  reset or disabled, or a namespace vanished (always warned)
Exit status: CMD's, or $EXIT_USAGE bad input, $EXIT_DEVICE NVMe trouble (--strict),
$EXIT_NO_REPORT guest never reported (panic, boot failure), $EXIT_TIMEOUT timeout,
$EXIT_LAB lab failure.
EOF
        geometry_help
        ;;
    up)
        cat <<EOF
usage: zns-lab up [--name N] [--profile P] [geometry flags] [--timeout S]
                  [--accel A] [--share DIR] [--image FILE] [--image-dir DIR]

Boots a persistent VM named N (default: default; letters, digits, _ . -, at
most $MAX_NAME_CHARS) and waits until it serves commands.  Zone state lives as long as
its QEMU process.  --timeout is the VM's lifetime in seconds (default
$UP_LIFETIME_S).  On a VM that was killed, restarts it on its images, with
its profile and image: zone state is then lost.
$(image_help)
EOF
        geometry_help
        ;;
    exec)
        cat <<EOF
usage: zns-lab exec [--name N] [--timeout S] [--strict] -- CMD...

Runs CMD in the persistent VM N, streams its output, exits with its status.
One command at a time per VM; --timeout (default $EXEC_LIMIT_S s) kills CMD.
NVMe trouble the guest logged during CMD (I/O timeouts, aborts, controller
resets, vanished namespaces) is warned about and appended to the VM's
nvme-events.log; --strict then exits $EXIT_DEVICE.
EOF
        ;;
    power-cycle)
        echo "usage: zns-lab power-cycle [--name N] [--raw]"
        echo
        echo "Power-cycles the guest: the NVMe controller gets a shutdown notification, then QMP"
        echo "system_reset, and waits for the guest to boot.  Write pointers survive, open zones"
        echo "come back CLOSED.  --raw: system_reset only; QEMU 7.2 then leaves open zones open."
        ;;
    kill)
        echo "usage: zns-lab kill [--name N]"
        echo
        echo "Hard stop (power loss): kills QEMU, keeps the images. QEMU keeps no zone state"
        echo "across processes, so after 'zns-lab up --name N' every zone is EMPTY (data stays)."
        ;;
    down)
        echo "usage: zns-lab down [--name N]"
        echo
        echo "Stops VM N and removes its run directory (images included)."
        ;;
    status)
        echo "usage: zns-lab status [--name N]"
        echo
        echo "Lists the VMs (or VM N): running or stopped, PID, accelerator, run directory."
        echo "With --name, exits 0 when N runs, 3 when not."
        ;;
    shell)
        echo "usage: zns-lab shell [--profile P] [geometry flags] [--timeout S] [--accel A] [--share DIR]"
        echo "                     [--image FILE] [--image-dir DIR]"
        echo
        echo "Interactive console on a fresh VM. 'exit' powers it off; Ctrl-A x quits QEMU."
        image_help
        geometry_help
        ;;
    accel)
        echo "usage: zns-lab accel [--accel A] [--image-dir DIR]"
        echo
        echo "Prints the accelerator 'auto' picks, and why (cached in $STATE_DIR/accel.verdict)."
        ;;
    profiles) echo "usage: zns-lab profiles" && echo && echo "Lists the geometry profiles: name, guest memory, geometry." ;;
    "")
        cat <<EOF
usage: zns-lab SUBCOMMAND [options]   (zns-lab SUBCOMMAND --help)

  run          boot a fresh VM, run a command, power off
  up           boot a persistent VM         exec         run a command in it
  power-cycle  reset it (zone state kept)   kill         hard stop (power loss)
  down         stop it and remove its files status       list VMs
  shell        interactive console on a fresh VM
  profiles     list the geometry profiles   accel        show the accelerator choice
Guide: docs/lab.md.  Image: make image ($IMAGE_DIR).
EOF
        ;;
    *) usage_error "no help for '$1' (zns-lab help)" ;;
    esac
}
