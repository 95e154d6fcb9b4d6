#!/usr/bin/env bats
# Zone Append is made for concurrent writers: 4 processes x 1000 appends into
# one zone get 4000 distinct LBAs that exactly cover the zone's written
# range, and every block holds the data of the append that got its LBA.
#
# Geometry: the default profile with 512-byte LBAs, so a zone's capacity
# (3 MiB = 6144 LBAs) holds 4000 one-LBA appends; 2 vCPUs, so the appenders
# really run at the same time.  Each process is one `zns append --chunk 512`
# of a file of 1000 tagged blocks: one Zone Append per block.

load test_helper/common
load test_helper/driver

PROCS=4
APPENDS=1000
BLOCK_BYTES=512

setup_file() {
    lab_setup_file
}

# The block process $1 appends as its append number $2: a tag, padded with
# spaces to one 512-byte line.
tag_lines() {
    awk -v p="$1" -v n="$APPENDS" -v width=$((BLOCK_BYTES - 1)) \
        'BEGIN { for (i = 0; i < n; i++) printf "%-*s\n", width, sprintf("zslab-append p=%d i=%04d", p, i) }'
}

@test "4 processes x 1000 zns appends into one zone get distinct LBAs covering the zone, each block holding its own data" {
    local share=$BATS_TEST_TMPDIR/share p total=$((PROCS * APPENDS))
    mkdir -p "$share"
    for ((p = 0; p < PROCS; p++)); do
        tag_lines "$p" >"$share/tags.$p"
    done
    assert_equal "$(stat -c %s "$share/tags.0")" $((APPENDS * BLOCK_BYTES))
    cat >"$share/appenders.sh" <<EOF
set -e
dev=/dev/ng0n1
cp /mnt/host/tags.* /tmp/
zns reset \$dev -s 0 >/dev/null
pids=""
for p in $(seq -s ' ' 0 $((PROCS - 1))); do
    zns append \$dev -s 0 --chunk $BLOCK_BYTES -d /tmp/tags.\$p --json >/tmp/lbas.\$p &
    pids="\$pids \$!"
done
rc=0
for pid in \$pids; do wait \$pid || rc=1; done
[ \$rc = 0 ] || { echo "an appender failed"; exit 1; }
cp /tmp/lbas.* /mnt/host/
zns read \$dev -s 0 -z $((total * BLOCK_BYTES)) -d /mnt/host/zone.bin
zns report \$dev -n 1 --json >/mnt/host/report.json
EOF
    lab_run --lba-size "$BLOCK_BYTES" --cpus 2 --share "$share" -- sh /mnt/host/appenders.sh
    assert_success

    # "P I LBA" for every append, from each process's JSON.
    for ((p = 0; p < PROCS; p++)); do
        jq -r --arg p "$p" '.chunks | to_entries[] | "\($p) \(.key) \(.value.lba) \(.value.nlb)"' \
            "$share/lbas.$p"
    done >"$share/appends.txt"
    assert_equal "$(wc -l <"$share/appends.txt")" "$total"
    assert_equal "$(awk '$4 != 1' "$share/appends.txt")" ""
    # Distinct, and together exactly LBAs 0 .. 3999: the zone's written range.
    assert_equal "$(cut -d' ' -f3 "$share/appends.txt" | sort -n | uniq | wc -l)" "$total"
    assert_equal "$(cut -d' ' -f3 "$share/appends.txt" | sort -n | sed -n '1p;$p' | tr '\n' ' ')" \
        "0 $((total - 1)) "
    assert_equal "$(jq -r '.zone_list[0] | "\(.state) \(.wp)"' "$share/report.json")" \
        "IMP_OPENED $total"
    # No overlap: the block at each returned LBA is the one that append wrote.
    run awk -v width=$((BLOCK_BYTES - 1)) '
        NR == FNR { block[NR - 1] = $0; next }
        { want = sprintf("%-*s", width, sprintf("zslab-append p=%d i=%04d", $1, $2))
          if (block[$3] != want) { bad++; if (bad <= 5) print "LBA " $3 ": want p=" $1 " i=" $2 ", found: " substr(block[$3], 1, 40) } }
        END { print (bad + 0) " blocks differ" }' "$share/zone.bin" "$share/appends.txt"
    assert_success
    assert_output "0 blocks differ"
    # The appenders overlapped in time: LBAs alternate between processes far
    # more often than the 3 switches of appenders running one after another.
    local switches
    switches=$(sort -k3,3n "$share/appends.txt" | awk 'NR > 1 && $1 != prev { n++ } { prev = $1 } END { print n + 0 }')
    echo "# owner of consecutive LBAs changed $switches times" >&3
    ((switches > PROCS - 1)) || fail "the appenders did not overlap ($switches switches)"
}
