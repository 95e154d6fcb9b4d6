# shellcheck shell=bash
# vm.bash: run directories, the accelerator choice and the boot of a lab VM.

# shellcheck disable=SC2034 # read by zns-lab
# Seconds a persistent VM gets to boot (or reboot) before it is given up.
BOOT_LIMIT_S=90
# Seconds the KVM probe boot may take (auto accelerator).
KVM_PROBE_S=20

# Named VMs live in STATE_DIR/NAME; run and shell use STATE_DIR/run-XXXXXX.
# parse_opts checked the name's characters.
vm_dir() {
    local name=$1
    [[ $name != run-* ]] ||
        usage_error "--name '$name': names run-* belong to 'zns-lab run' (only down and status take them)"
    echo "$STATE_DIR/$name"
}

new_run_dir() {
    mkdir -p "$STATE_DIR"
    mktemp -d "$STATE_DIR/run-XXXXXX"
}

# Writes the guest's boot configuration (sourced by its /init).
write_guest_conf() {
    local run=$1 mode=$2 nonce=$3 share=$4 limit=$5
    {
        echo "ZSLAB_MODE=$mode"
        echo "ZSLAB_NONCE=$nonce"
        echo "ZSLAB_EXPECT='$(guest_expected_devices)'"
        echo "ZSLAB_SHARE=$([[ -n $share ]] && echo 1 || echo 0)"
        echo "ZSLAB_TIMEOUT=$limit"
    } >"$run/guest.conf"
}

# Prints tcg or kvm.  auto picks KVM only when the CPU shows vmx/svm, the
# kvm_pvm module is absent and a short probe boot succeeds: on PVM hosts
# /dev/kvm exists but guests hang, and QEMU does not fall back by itself.
# The verdict is cached per host kernel, QEMU and image.
accel_choose() {
    local want=$1 cache key verdict reason
    case $want in
    tcg | kvm) echo "$want" && return ;;
    esac
    cache=$STATE_DIR/accel.verdict
    key="$(uname -r) | $("$QEMU" --version | head -n 1) | $(grep IMAGE_FINGERPRINT "$IMAGE_DIR/image.env")"
    if [[ -f $cache ]] && [[ $(head -n 1 "$cache") == "$key" ]]; then
        sed -n 2p "$cache" | cut -d' ' -f1
        return
    fi
    if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
        verdict=tcg reason="the CPU shows no vmx/svm"
    elif [[ -d /sys/module/kvm_pvm ]]; then
        verdict=tcg reason="kvm_pvm is loaded: KVM guests do not run under PVM"
    elif [[ ! -w /dev/kvm ]]; then
        verdict=tcg reason="/dev/kvm is missing or not writable"
    elif ZNS_LAB_IMAGE_DIR=$IMAGE_DIR "$LAB_SELF" run --accel kvm --timeout "$KVM_PROBE_S" -- true >/dev/null 2>&1; then
        verdict=kvm reason="a KVM probe boot succeeded"
    else
        verdict=tcg reason="a ${KVM_PROBE_S} s KVM probe boot failed"
    fi
    mkdir -p "$STATE_DIR"
    printf '%s\n%s %s\n' "$key" "$verdict" "$reason" >"$cache"
    echo "$verdict"
}

# Boots the VM of RUN (whose PROF is loaded) in the background.
#   $2 mode (run|serve)  $3 accel  $4 share dir or ""  $5 zoned backing file
#   $6 time limit of the whole VM in seconds
vm_start() {
    local run=$1 mode=$2 accel=$3 share=$4 ns1=$5 limit=$6 nonce
    make_backing_files "$run" "$ns1"
    nonce=$(new_nonce)
    echo "$nonce" >"$run/nonce"
    write_guest_conf "$run" "$mode" "$nonce" "$share" "$limit"
    echo "$accel" >"$run/accel"
    echo "$ns1" >"$run/ns1.path"
    echo "$share" >"$run/share.path"
    qemu_build_args "$run" "$accel" "$mode" "$share" "$ns1"
    printf '%q ' "$QEMU" "${QEMU_ARGS[@]}" >"$run/qemu.cmdline"
    qemu_launch "$run" "$limit"
}

# Prints --share DIR's absolute path (parse_opts checked it).
share_dir() {
    [[ -z $1 ]] && return 0
    (cd "$1" && pwd)
}
