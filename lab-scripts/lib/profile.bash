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
    [mem]="guest memory (size)"
    [cpus]="virtual CPUs"
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
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%%#*}
        [[ $line =~ ^[[:space:]]*$ ]] && continue
        [[ $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] ||
            usage_error "profile '$name' line $n: expected key=value, got '$line'"
        key=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[2]}
        if [[ $key != description ]] && ! profile_is_key "$key"; then
            usage_error "profile '$name' line $n: unknown key '$key' (keys: ${PROFILE_KEYS[*]})"
        fi
        PROF[$key]=$value
    done <"$file"
    for key in "${PROFILE_KEYS[@]}"; do
        [[ -n ${PROF[$key]:-} ]] || usage_error "profile '$name' does not set '$key'"
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
}

# Checks a size key and prints its bytes.
prof_bytes() {
    local key=$1 v
    v=${PROF[$key]}
    size_to_bytes "$v" || usage_error "$key: '$v' is not a size (examples: 4096, 64K, 4M, 1G)"
}

prof_uint() {
    local key=$1
    is_uint "${PROF[$key]}" || usage_error "$key: '${PROF[$key]}' is not a whole number"
    echo "$((10#${PROF[$key]}))"
}

# Validates PROF and adds the derived values QEMU needs: *_bytes, nzones,
# zasl_exp.  Every rule QEMU 7.2 would enforce is checked here first, so the
# user reads the reason instead of a QEMU error.
profile_validate() {
    local mem cpus ns zs zc mo ma zasl lba conv nodes node nz
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

    ((lba == 512 || lba == 4096)) || usage_error "lba_size ${PROF[lba_size]} must be 512 or 4096"
    ((mem >= MIN_MEM_BYTES)) || usage_error "mem ${PROF[mem]} is below the $(bytes_to_size "$MIN_MEM_BYTES") the guest needs"
    ((cpus >= 1 && cpus <= MAX_CPUS)) || usage_error "cpus ${PROF[cpus]} must be 1..$MAX_CPUS"
    ((nodes == 1 || nodes == 2)) || usage_error "numa_nodes ${PROF[numa_nodes]} must be 1 or 2"
    ((cpus >= nodes)) || usage_error "numa_nodes $nodes needs at least $nodes cpus (cpus=$cpus)"
    ((node < nodes)) || usage_error "nvme_node $node does not exist with numa_nodes=$nodes"
    ((mem % (nodes << 20) == 0)) || usage_error "mem ${PROF[mem]} does not split into $nodes nodes of whole MiB"
    ((zs > 0 && zs % lba == 0)) || usage_error "zone size ${PROF[zone_size]} is not a multiple of the $lba-byte LBA"
    ((zc > 0 && zc % lba == 0)) || usage_error "zone capacity ${PROF[zone_cap]} is not a multiple of the $lba-byte LBA"
    ((zc <= zs)) || usage_error "zone capacity ${PROF[zone_cap]} exceeds zone size ${PROF[zone_size]}"
    ((ns >= zs)) || usage_error "zone size ${PROF[zone_size]} exceeds namespace size ${PROF[ns_size]}"
    ((ns % zs == 0)) || usage_error "namespace size ${PROF[ns_size]} is not a multiple of zone size ${PROF[zone_size]}"
    nz=$((ns / zs))
    ((mo <= nz)) || usage_error "max_open $mo exceeds the $nz zones"
    ((ma <= nz)) || usage_error "max_active $ma exceeds the $nz zones"
    ((ma == 0 || mo <= ma)) || usage_error "max_open $mo exceeds max_active $ma"
    ((ma == 0 || mo != 0)) || usage_error "max_open 0 (no limit) with max_active $ma: set max_open <= $ma"
    ((conv % lba == 0)) || usage_error "conv_size ${PROF[conv_size]} is not a multiple of the $lba-byte LBA"
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
        usage_error "zasl ${PROF[zasl]} is not a multiple of the 4K NVMe page (4K * 2^n, up to $max)"
    pages=$((bytes / NVME_MPSMIN_BYTES))
    while ((pages > 1)); do
        ((pages % 2 == 0)) || usage_error "zasl ${PROF[zasl]} is not a power of two (4K * 2^n, up to $max)"
        pages=$((pages / 2))
        exp=$((exp + 1))
    done
    ((exp <= NVME_MDTS_EXP)) || usage_error "zasl ${PROF[zasl]} exceeds the controller's maximum transfer (MDTS) $max"
    # QEMU reads zoned.zasl=0 as "MDTS"; 4K (2^0 pages) is the smallest real limit.
    ((exp == 0)) && usage_error "zasl ${PROF[zasl]} is below the smallest limit QEMU can express (8K); use 0 for MDTS"
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
