# shellcheck shell=bash
# options.bash: the command line of zns-lab's subcommands, and their help.

# Read by zns-lab's subcommands.
# shellcheck disable=SC2034
declare -A OPT=() # option name (without --) -> value
GEOMETRY=()       # flag value pairs overriding the profile, in order
CMD=()            # the command after --

# Parses "$@" for a subcommand that accepts the option groups in $1:
#   name profile geometry timeout accel share image keep-image command
# Unknown flags and missing values are rejected with the reason.
parse_opts() {
    local allowed=" $1 " flag value
    shift
    OPT=() GEOMETRY=() CMD=()
    while (($#)); do
        flag=$1
        value=""
        if [[ $flag == --*=* ]]; then
            value=${flag#*=}
            flag=${flag%%=*}
            set -- "$flag" "$value" "${@:2}"
        fi
        case $flag in
        --)
            [[ $allowed == *" command "* ]] || usage_error "unexpected '--': this subcommand runs no command"
            shift
            # shellcheck disable=SC2034 # read by the subcommand
            CMD=("$@")
            return 0
            ;;
        --keep-image | --raw)
            allow "$allowed" "${flag#--}" "$flag"
            OPT[${flag#--}]=1
            shift
            continue
            ;;
        --name | --profile | --timeout | --accel | --share | --image)
            allow "$allowed" "${flag#--}" "$flag"
            need_value "$flag" "$@"
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
    if [[ -n ${OPT[timeout]:-} ]]; then
        if ! is_uint "${OPT[timeout]}" || ((OPT[timeout] == 0)); then
            usage_error "--timeout '${OPT[timeout]}': expected whole seconds > 0"
        fi
    fi
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

geometry_help() {
    local k
    echo "Geometry flags (override the profile's values; sizes take K, M, G):"
    for k in "${PROFILE_KEYS[@]}"; do
        printf '  --%-12s %s\n' "${k//_/-}" "${PROFILE_HELP[$k]}"
    done
    echo "Profiles (lab-scripts/profiles/): $(profile_names)"
}

help_for() {
    case ${1:-} in
    run)
        cat <<EOF
usage: zns-lab run [--profile P] [geometry flags] [--timeout S] [--accel A]
                   [--share DIR] [--image FILE] [--keep-image] -- CMD...

Boots a fresh VM, runs CMD in the guest (busybox sh, project binaries on
PATH), streams its output (stdout and stderr together) and exits with CMD's
status.  No QEMU is left behind.
  --profile P     geometry profile (default: default)
  --timeout S     limit for boot + command, seconds (default $RUN_LIMIT_S)
  --accel A       auto, tcg or kvm (default auto)
  --share DIR     host DIR mounted read-write in the guest at /mnt/host
                  (\$ZSLAB_SHARE_DIR); the way to get files out
  --image FILE    zoned namespace backing file, created if missing, kept
  --keep-image    keep this run's backing files and print where they are
Exit status: CMD's, or $EXIT_USAGE bad input, $EXIT_NO_REPORT guest never reported (panic,
boot failure), $EXIT_TIMEOUT timeout, $EXIT_LAB lab failure.
EOF
        geometry_help
        ;;
    up)
        cat <<EOF
usage: zns-lab up [--name N] [--profile P] [geometry flags] [--timeout S]
                  [--accel A] [--share DIR] [--image FILE]

Boots a persistent VM named N (default: default) and waits until it serves
commands.  Zone state lives as long as its QEMU process.  --timeout is the
VM's lifetime in seconds (default $UP_LIFETIME_S).  On a VM that was killed,
restarts it on its images, with its profile: zone state is then lost.
EOF
        geometry_help
        ;;
    exec)
        cat <<EOF
usage: zns-lab exec [--name N] [--timeout S] -- CMD...

Runs CMD in the persistent VM N, streams its output, exits with its status.
One command at a time per VM; --timeout (default $EXEC_LIMIT_S s) kills CMD.
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
        echo "usage: zns-lab shell [--profile P] [geometry flags] [--timeout S] [--accel A] [--share DIR] [--image FILE]"
        echo
        echo "Interactive console on a fresh VM. 'exit' powers it off; Ctrl-A x quits QEMU."
        geometry_help
        ;;
    accel)
        echo "usage: zns-lab accel [--accel A]"
        echo
        echo "Prints the accelerator 'auto' picks, and why (cached in $STATE_DIR/accel.verdict)."
        ;;
    profiles) echo "usage: zns-lab profiles" && echo && echo "Lists the geometry profiles." ;;
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
