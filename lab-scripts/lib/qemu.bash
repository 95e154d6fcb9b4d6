# shellcheck shell=bash
# qemu.bash: the QEMU command line of a lab VM, its launch under a host
# timeout, and its end.  A VM's files all live in its run directory RUN:
#   vm.env        the validated profile (key=value)
#   ns1.img       zoned namespace backing file (or --image FILE)
#   ns2.img       conventional namespace backing file (conv_size > 0)
#   console.log   the kernel console (ttyS0)
#   io.in/io.out  FIFOs of the virtio-serial port "zslab.io" (commands, output)
#   qmp.in/.out   FIFOs of the QMP monitor (power-cycle)
#   guest.conf    boot configuration, handed over by fw_cfg; cmd: the command
#   qemu.pid      QEMU's PID; instance: a token naming this QEMU process
#   exit          QEMU's exit status, written when it ends (124: timed out)

# Kernel command line, tuned for a fast TCG boot (each item measured):
#   quiet                   the serial console is slow under TCG
#   cryptomgr.notests=1     the crypto self-tests cost ~0.4 s
#   mitigations=off         less code patching at boot
#   acpi=noirq              PCI IRQ routing through ACPI AML cost ~0.4 s in
#                           virtio_pci's probe; the devices use MSI-X anyway
#   initcall_blacklist=...  the KDF self-test and kprobe-event setup, ~0.3 s
#   panic=-1                a panic reboots at once, which -no-reboot turns
#                           into a QEMU exit for run and shell
KERNEL_CMDLINE="console=ttyS0 quiet cryptomgr.notests=1 mitigations=off acpi=noirq"
KERNEL_CMDLINE+=" initcall_blacklist=crypto_kdf108_init,init_kprobe_trace panic=-1 rdinit=/init"
# Firmware: QEMU's minimal qboot starts the kernel ~0.4 s sooner than
# SeaBIOS under TCG, but leaves PCI expander bridges unconfigured, so a VM
# with its NVMe controller behind a pxb boots with SeaBIOS (QEMU's default).
FAST_FIRMWARE=qboot.rom
# PCI bus number of the NUMA expander bridge that holds the NVMe controller.
PXB_BUS_NR=128
# Seconds QEMU gets to exit after SIGTERM before SIGKILL.
QEMU_KILL_GRACE_S=2
# QEMU 7.2's TCG drops the guest's memory barriers when the machine can
# never have a second vCPU (tcg_gen_mb() emits nothing without CF_PARALLEL,
# which MTTCG sets only for maxcpus > 1), although the NVMe device model runs
# in another host thread.  Linux's shadow doorbell protocol (NVMe Doorbell
# Buffer Config) relies on a full barrier between writing the doorbell and
# reading the EventIdx; without it the host CPU's store buffer lets both
# sides miss each other, the controller never sees the new commands, and
# they time out after 30 s, then the controller is reset and disabled
# (docs/lab.md, "Deep-queue stalls").  A second, absent vCPU slot
# (maxcpus=2) makes TCG emit the barriers; QEMU 8.1 always does.
TCG_MIN_MAXCPUS=2

# Fills the array QEMU_ARGS for a VM in run directory RUN.
#   $1 RUN  $2 accel (tcg|kvm)  $3 mode (run|serve|shell)  $4 share dir or ""
#   $5 zoned backing file
qemu_build_args() {
    local run=$1 accel=$2 mode=$3 share=$4 ns1=$5 name mem_bytes=${PROF[mem_bytes]}
    local cpus=${PROF[cpus]} maxcpus
    maxcpus=$cpus
    name=zns-lab-$(basename "$run")
    [[ $accel != tcg ]] || ((maxcpus >= TCG_MIN_MAXCPUS)) || maxcpus=$TCG_MIN_MAXCPUS
    QEMU_ARGS=(-name "$name" -M "pc,i8042=off" -m "$((mem_bytes >> 20))M"
        -smp "cpus=$cpus,maxcpus=$maxcpus,sockets=$maxcpus,cores=1,threads=1"
        -nodefaults -no-user-config -display none
        -kernel "$IMAGE_DIR/vmlinux" -initrd "$IMAGE_DIR/initramfs.img" -append "$KERNEL_CMDLINE ${ZNS_LAB_APPEND:-}"
        -drive "if=none,id=tools,file=$IMAGE_DIR/tools.img,format=raw,readonly=on"
        -device "virtio-blk-pci,drive=tools"
        -device virtio-serial-pci -chardev "pipe,id=io,path=$run/io"
        -device "virtserialport,chardev=io,name=zslab.io"
        -chardev "pipe,id=qmp,path=$run/qmp" -mon "chardev=qmp,mode=control"
        -fw_cfg "name=opt/zslab/config,file=$run/guest.conf")
    [[ -f $run/cmd ]] && QEMU_ARGS+=(-fw_cfg "name=opt/zslab/cmd,file=$run/cmd")
    case $accel in
    kvm) QEMU_ARGS+=(-accel kvm -cpu host) ;;
    *) QEMU_ARGS+=(-accel tcg) ;;
    esac
    if [[ $mode == shell ]]; then
        QEMU_ARGS+=(-chardev "stdio,id=con,mux=on,signal=off" -serial chardev:con -mon chardev=con)
    else
        QEMU_ARGS+=(-chardev "file,id=con,path=$run/console.log" -serial chardev:con)
    fi
    [[ $mode == serve ]] || QEMU_ARGS+=(-no-reboot)
    [[ ${PROF[nvme_node]} != 0 ]] || QEMU_ARGS+=(-bios "$FAST_FIRMWARE")
    if [[ -n $share ]]; then
        QEMU_ARGS+=(-fsdev "local,id=share,path=$share,security_model=none"
            -device "virtio-9p-pci,fsdev=share,mount_tag=zslab-share")
    fi
    qemu_numa_args
    qemu_nvme_args "$run" "$ns1"
}

qemu_numa_args() {
    local nodes=${PROF[numa_nodes]} cpus=${PROF[cpus]} mem_bytes=${PROF[mem_bytes]} per_node i
    ((nodes > 1)) || return 0
    per_node=$((mem_bytes / nodes >> 20))
    for ((i = 0; i < nodes; i++)); do
        QEMU_ARGS+=(-object "memory-backend-ram,id=mem$i,size=${per_node}M"
            -numa "node,nodeid=$i,memdev=mem$i")
    done
    # One CPU a socket; sockets are dealt to the nodes round-robin.
    for ((i = 0; i < cpus; i++)); do
        QEMU_ARGS+=(-numa "cpu,node-id=$((i % nodes)),socket-id=$i")
    done
}

# The controller (behind a pxb on nvme_node != 0), the zoned namespace as
# nsid 1 and, with conv_size, a conventional namespace as nsid 2.
qemu_nvme_args() {
    local run=$1 ns1=$2 lba=${PROF[lba_size]} bus="" conv_bytes=${PROF[conv_bytes]}
    if [[ ${PROF[nvme_node]} != 0 ]]; then
        QEMU_ARGS+=(-device "pxb,id=pxb1,bus_nr=$PXB_BUS_NR,numa_node=${PROF[nvme_node]},bus=pci.0")
        bus=",bus=pxb1"
    fi
    QEMU_ARGS+=(-device "nvme,id=nvme0,serial=zslab0,zoned.zasl=${PROF[zasl_exp]}$bus"
        -drive "if=none,id=ns1,file=$ns1,format=raw"
        -device "nvme-ns,drive=ns1,bus=nvme0,nsid=1,logical_block_size=$lba,physical_block_size=$lba,zoned=true,zoned.zone_size=${PROF[zone_bytes]},zoned.zone_capacity=${PROF[cap_bytes]},zoned.max_open=${PROF[max_open]},zoned.max_active=${PROF[max_active]}")
    if ((conv_bytes > 0)); then
        QEMU_ARGS+=(-drive "if=none,id=ns2,file=$run/ns2.img,format=raw"
            -device "nvme-ns,drive=ns2,bus=nvme0,nsid=2,logical_block_size=$lba,physical_block_size=$lba")
    fi
}

# Device nodes the guest waits for before it runs anything.
guest_expected_devices() {
    local devs="ng0n1" zone_bytes=${PROF[zone_bytes]} conv_bytes=${PROF[conv_bytes]}
    # Linux makes a block device only for power-of-two zone sizes.
    ((zone_bytes & (zone_bytes - 1))) || devs+=" nvme0n1"
    ((conv_bytes > 0)) && devs+=" ng0n2 nvme0n2"
    echo "$devs"
}

# Creates (sparse) backing files that do not exist yet, at the profile's sizes.
make_backing_files() {
    local run=$1 ns1=$2 have ns_bytes=${PROF[ns_bytes]} conv_bytes=${PROF[conv_bytes]}
    if [[ -f $ns1 ]]; then
        have=$(stat -c %s "$ns1")
        ((have >= ns_bytes)) ||
            usage_error "image $ns1 is $(bytes_to_size "$have"), smaller than ns_size ${PROF[ns_size]}"
    else
        truncate -s "${PROF[ns_bytes]}" "$ns1" || die "$EXIT_LAB" "cannot create $ns1"
    fi
    if ((conv_bytes > 0)) && [[ ! -f $run/ns2.img ]]; then
        truncate -s "${PROF[conv_bytes]}" "$run/ns2.img"
    fi
}

# The FIFO pairs behind QEMU's pipe chardevs (PATH.in, PATH.out).
make_fifos() {
    local run=$1 f
    for f in io.in io.out qmp.in qmp.out; do
        [[ -p $run/$f ]] || mkfifo "$run/$f"
    done
}

# Starts QEMU in the background under `timeout LIMIT`, detached from the
# caller's terminal and from fd 3 (Bats).  When QEMU ends, its status goes
# to RUN/exit and a marker naming this instance goes into io.out, so a reader
# waiting on the port learns at once that no more output will come.
qemu_launch() {
    local run=$1 limit=$2 instance
    instance=$(new_nonce)
    echo "$instance" >"$run/instance"
    rm -f "$run/exit" "$run/qemu.pid"
    make_fifos "$run"
    # shellcheck disable=SC2016 # the script expands its own arguments
    setsid bash -c '
        run=$1 instance=$2 limit=$3 grace=$4
        shift 4
        timeout -k "$grace" "$limit" "$@" </dev/null >"$run/qemu.log" 2>&1 &
        echo $! >"$run/timeout.pid"
        wait $!
        rc=$?
        echo "$rc" >"$run/exit"
        # O_RDWR: never blocks, even with no reader.
        printf "@@ZSLAB-HOST-EXIT %s %d@@\n" "$instance" "$rc" 1<>"$run/io.out"
    ' zns-lab-launcher "$run" "$instance" "$limit" "$QEMU_KILL_GRACE_S" \
        "$QEMU" "${QEMU_ARGS[@]}" -pidfile "$run/qemu.pid" \
        </dev/null >/dev/null 2>&1 3>&- &
    echo $! >"$run/launcher.pid"
}

# Prints the QEMU PID of RUN if that QEMU is alive.
qemu_pid() {
    local run=$1 pid
    pid=$(cat "$run/qemu.pid" 2>/dev/null) || return 1
    qemu_alive "$pid" && echo "$pid"
}

# Ends RUN's QEMU: SIGKILL when $2 is "hard" (power loss), else SIGTERM then
# SIGKILL.  Waits until it is gone.
qemu_stop() {
    local run=$1 how=${2:-soft} pid n
    pid=$(qemu_pid "$run") || return 0
    if [[ $how == hard ]]; then kill -KILL "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
    for ((n = 0; n < QEMU_KILL_GRACE_S * 10; n++)); do
        qemu_alive "$pid" || break
        sleep 0.1
    done
    qemu_alive "$pid" && kill -KILL "$pid" 2>/dev/null
    for ((n = 0; n < 50; n++)); do
        qemu_alive "$pid" || break
        sleep 0.1
    done
    # The launcher notes the exit; let it finish so the run dir can go.
    local launcher
    launcher=$(cat "$run/launcher.pid" 2>/dev/null) || return 0
    for ((n = 0; n < 30; n++)); do
        kill -0 "$launcher" 2>/dev/null || break
        sleep 0.1
    done
}
