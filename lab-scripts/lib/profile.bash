# shellcheck shell=bash
# profile.bash: geometry profiles (lab-scripts/profiles/NAME, key=value lines)
# and the flags that override them, checked before any QEMU starts.
#
# The profile is held in the associative array PROF, key -> value as written.

# Every key a profile sets, with what it means; --<key with dashes> overrides.
PROFILE_KEYS=(mem cpus ns_size zone_size zone_cap max_open max_active zasl
    lba_size conv_size numa_nodes nvme_node)
# shellcheck disable=SC2034 # read by options.bash
declare -A PROFILE_HELP=(
    [mem]="guest memory (size, 128M up to the host's available memory)"
    [cpus]="virtual CPUs (1..8)"
    [ns_size]="zoned namespace size (size; a multiple of the zone size)"
    [zone_size]="zone size (size; not a power of two: only /dev/ngXnY appears)"
    [zone_cap]="zone capacity (size; at most the zone size)"
    [max_open]="max open zones (0: no limit)"
    [max_active]="max active zones (0: no limit)"
    [zasl]="zone append size limit (size, 4K * 2^n up to 512K; 0: MDTS)"
    [lba_size]="logical block size in bytes (512 or 4096)"
    [conv_size]="conventional namespace nvme0n2 next to the zoned one (size; 0: none)"
    [numa_nodes]="NUMA nodes (1 or 2)"
    [nvme_node]="NUMA node of the NVMe controller (behind a pxb bridge when not 0)"
)
declare -A PROF=()
# Keys a flag set, key -> the flag (--zone-size): messages name the flag.
declare -A PROF_FLAG=()

# QEMU's NVMe limits: minimum memory page size (CAP.MPSMIN) and the default
# maximum data transfer (MDTS 7 = 2^7 pages); ZASL is given in the same units.
NVME_MPSMIN_BYTES=4096
NVME_MDTS_EXP=7
MIN_MEM_BYTES=$((128 << 20))
MAX_CPUS=8

profile_names() {
    local f names=()
    for f in "$PROFILE_DIR"/*; do
        [[ -f $f ]] && names+=("${f##*/}")
    done
    echo "${names[*]}"
}

profile_is_key() {
    local k
    for k in "${PROFILE_KEYS[@]}"; do
        [[ $k == "$1" ]] && return 0
    done
    return 1
}

# Loads a profile by name (lab-scripts/profiles/NAME) or by path into PROF.
profile_load() {
    local name=$1 file line key value n=0
    if [[ $name == */* ]]; then file=$name; else file=$PROFILE_DIR/$name; fi
    [[ -f $file ]] || usage_error "unknown profile '$name' (profiles: $(profile_names))"
    PROF=([profile]="$name")
    PROF_FLAG=()
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%%#*}
        [[ $line =~ ^[[:space:]]*$ ]] && continue
        [[ $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] ||
            usage_error "--profile '$name': line $n: expected key=value, got '$line'"
        key=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[2]}
        if [[ $key != description ]] && ! profile_is_key "$key"; then
            usage_error "--profile '$name': line $n: unknown key '$key' (keys: ${PROFILE_KEYS[*]})"
        fi
        PROF[$key]=$value
    done <"$file"
    for key in "${PROFILE_KEYS[@]}"; do
        [[ -n ${PROF[$key]:-} ]] || usage_error "--profile '$name': the profile does not set '$key'"
    done
}

# Sets KEY from a flag (--zone-size -> zone_size).  Fails on unknown keys.
profile_override() {
    local flag=$1 value=$2 key
    key=${flag#--}
    key=${key//-/_}
    profile_is_key "$key" || usage_error "unknown flag '$flag' (see --help)"
    [[ -n $value ]] || usage_error "$flag needs a value"
    PROF[$key]=$value
    PROF_FLAG[$key]=$flag
}

# How a message names KEY: the flag that set it, or the profile's line.
key_label() {
    local key=$1
    if [[ -n ${PROF_FLAG[$key]:-} ]]; then
        echo "${PROF_FLAG[$key]} ${PROF[$key]}"
    else
        echo "profile '${PROF[profile]}': $key=${PROF[$key]}"
    fi
}

# Refuses KEY's value: "--zone-size 0: must be above 0".
bad_value() {
    local key=$1
    shift
    usage_error "$(key_label "$key"): $*"
}

# Of two keys a rule ties together, the one to name: the one a flag set.
blame() {
    if [[ -z ${PROF_FLAG[$1]:-} && -n ${PROF_FLAG[$2]:-} ]]; then echo "$2"; else echo "$1"; fi
}

# Checks a size key and prints its bytes.
prof_bytes() {
    local key=$1 bytes rc=0
    bytes=$(size_to_bytes "${PROF[$key]}") || rc=$?
    ((rc != 1)) || bad_value "$key" "not a size (examples: 4096, 64K, 4M, 1G)"
    ((rc != 2)) || bad_value "$key" "too large (at most 1024T)"
    echo "$bytes"
}

prof_uint() {
    local key=$1 v=${PROF[$1]}
    [[ $v =~ ^[0-9]+$ ]] || bad_value "$key" "not a whole number"
    ((${#v} <= 9)) || bad_value "$key" "too large"
    echo "$((10#$v))"
}

# Host memory a new guest may take: MemAvailable, in bytes.
host_available_bytes() {
    local key kib _
    while read -r key kib _; do
        [[ $key == MemAvailable: ]] && echo $((kib * 1024)) && return
    done </proc/meminfo
    echo "$MAX_SIZE_BYTES" # no MemAvailable (kernel < 3.14): QEMU will tell
}

# Validates PROF and adds the derived values QEMU needs: *_bytes, nzones,
# zasl_exp.  Every rule QEMU 7.2 would enforce is checked here first, so the
# user reads the reason instead of a QEMU error.
profile_validate() {
    local mem cpus ns zs zc mo ma zasl lba conv nodes node nz avail
    # One assignment a line: each failed check must stop the script (set -e).
    mem=$(prof_bytes mem)
    cpus=$(prof_uint cpus)
    ns=$(prof_bytes ns_size)
    zs=$(prof_bytes zone_size)
    zc=$(prof_bytes zone_cap)
    mo=$(prof_uint max_open)
    ma=$(prof_uint max_active)
    zasl=$(prof_bytes zasl)
    lba=$(prof_uint lba_size)
    conv=$(prof_bytes conv_size)
    nodes=$(prof_uint numa_nodes)
    node=$(prof_uint nvme_node)

    ((lba == 512 || lba == 4096)) || bad_value lba_size "must be 512 or 4096"
    ((mem >= MIN_MEM_BYTES)) || bad_value mem "below the $(bytes_to_size "$MIN_MEM_BYTES") the guest needs"
    avail=$(host_available_bytes)
    ((mem <= avail)) ||
        bad_value mem "more than the host's available memory ($((avail >> 20))M, MemAvailable in /proc/meminfo)"
    ((cpus >= 1 && cpus <= MAX_CPUS)) || bad_value cpus "must be 1..$MAX_CPUS"
    ((nodes == 1 || nodes == 2)) || bad_value numa_nodes "must be 1 or 2"
    ((cpus >= nodes)) || bad_value "$(blame numa_nodes cpus)" "numa_nodes $nodes needs at least $nodes cpus (cpus=$cpus)"
    ((node < nodes)) || bad_value nvme_node "no such node with numa_nodes=$nodes (nodes 0..$((nodes - 1)))"
    ((mem % (nodes << 20) == 0)) || bad_value "$(blame mem numa_nodes)" "mem does not split into $nodes nodes of whole MiB"
    ((zs > 0)) || bad_value zone_size "must be above 0"
    ((zs % lba == 0)) || bad_value "$(blame zone_size lba_size)" "zone size ${PROF[zone_size]} is not a multiple of the $lba-byte LBA"
    ((zc > 0)) || bad_value zone_cap "must be above 0"
    ((zc % lba == 0)) || bad_value "$(blame zone_cap lba_size)" "zone capacity ${PROF[zone_cap]} is not a multiple of the $lba-byte LBA"
    ((zc <= zs)) || bad_value "$(blame zone_cap zone_size)" "zone capacity ${PROF[zone_cap]} exceeds zone size ${PROF[zone_size]}"
    ((ns > 0)) || bad_value ns_size "must be above 0"
    ((ns >= zs)) || bad_value "$(blame ns_size zone_size)" "zone size ${PROF[zone_size]} exceeds namespace size ${PROF[ns_size]}"
    ((ns % zs == 0)) || bad_value "$(blame ns_size zone_size)" "namespace size ${PROF[ns_size]} is not a multiple of zone size ${PROF[zone_size]}"
    nz=$((ns / zs))
    ((mo <= nz)) || bad_value max_open "max_open $mo exceeds the $nz zones"
    ((ma <= nz)) || bad_value max_active "max_active $ma exceeds the $nz zones"
    ((ma == 0 || mo <= ma)) || bad_value "$(blame max_open max_active)" "max_open $mo exceeds max_active $ma"
    ((ma == 0 || mo != 0)) || bad_value "$(blame max_open max_active)" "max_open 0 (no limit) with max_active $ma: set max_open <= $ma"
    ((conv % lba == 0)) || bad_value "$(blame conv_size lba_size)" "conv_size ${PROF[conv_size]} is not a multiple of the $lba-byte LBA"
    PROF[zasl_exp]=$(zasl_exponent "$zasl") || exit
    PROF[mem_bytes]=$mem PROF[ns_bytes]=$ns PROF[zone_bytes]=$zs PROF[cap_bytes]=$zc
    PROF[conv_bytes]=$conv PROF[nzones]=$nz
}

# ZASL in bytes -> QEMU's zoned.zasl: 2^n pages of NVME_MPSMIN_BYTES (0 = MDTS).
zasl_exponent() {
    local bytes=$1 pages exp=0 max
    ((bytes == 0)) && { echo 0 && return; }
    max=$(bytes_to_size $((NVME_MPSMIN_BYTES << NVME_MDTS_EXP)))
    ((bytes % NVME_MPSMIN_BYTES == 0)) ||
        bad_value zasl "not a multiple of the 4K NVMe page (4K * 2^n, up to $max)"
    pages=$((bytes / NVME_MPSMIN_BYTES))
    while ((pages > 1)); do
        ((pages % 2 == 0)) || bad_value zasl "not a power of two (4K * 2^n, up to $max)"
        pages=$((pages / 2))
        exp=$((exp + 1))
    done
    ((exp <= NVME_MDTS_EXP)) || bad_value zasl "exceeds the controller's maximum transfer (MDTS) $max"
    # QEMU reads zoned.zasl=0 as "MDTS"; 4K (2^0 pages) is the smallest real limit.
    ((exp == 0)) && bad_value zasl "below the smallest limit QEMU can express (8K); use 0 for MDTS"
    echo "$exp"
}

# One line describing the geometry, for status and logs.
profile_summary() {
    local s
    s="${PROF[profile]}: ns ${PROF[ns_size]}, ${PROF[nzones]} zones of ${PROF[zone_size]} (cap ${PROF[zone_cap]})"
    s+=", max open/active ${PROF[max_open]}/${PROF[max_active]}, zasl ${PROF[zasl]}, lba ${PROF[lba_size]}"
    ((PROF[conv_bytes] > 0)) && s+=", conv ${PROF[conv_size]}"
    ((PROF[numa_nodes] > 1)) && s+=", ${PROF[numa_nodes]} NUMA nodes (nvme on ${PROF[nvme_node]})"
    echo "$s, ${PROF[mem]} RAM, ${PROF[cpus]} cpu"
}

# Writes PROF as key=value lines (the VM's record in its run directory).
profile_save() {
    local k
    for k in "${!PROF[@]}"; do
        printf '%s=%s\n' "$k" "${PROF[$k]}"
    done | sort >"$1"
}

# Reads a file written by profile_save back into PROF.
profile_restore() {
    local line
    PROF=()
    while IFS= read -r line; do
        PROF[${line%%=*}]=${line#*=}
    done <"$1"
}
