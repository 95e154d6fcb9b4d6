#!/usr/bin/env bats
# Corruption on the medium: one byte of one slab flipped in the namespace's
# backing image (what the device then reads back), and the store reports
# exactly that slab, by its LBA, and skips it: verify exits 5 and lists it,
# the objects it held are gone (never an older or a wrong version), every
# other object reads back byte-exact.  Default profile; one VM whose
# namespace lives in a file of this test.

load test_helper/common
load test_helper/store

LBA=4096
FILL="--count 3000 --min-size 200 --max-size 3000 --seed 11"

setup_file() {
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
    lab_setup_file
    IMAGE=$BATS_FILE_TMPDIR/ns1.img
    export IMAGE
    store_up corrupt --image "$IMAGE"
    sx "zns store fill $DEV $FILL"
    [[ $status == 0 ]] || {
        echo "fill failed: $output" >&2
        return 1
    }
}

teardown_file() {
    lab_teardown_file
}

# u32 at byte OFFSET of the image, little-endian
u32() {
    od -An -tu4 -j "$1" -N4 "$IMAGE" | tr -d ' '
}

# LBA of the N-th record (from 0) of zone 0, walking the headers
record_lba() {
    local lba=0 i
    for ((i = 0; i < $1; i++)); do
        lba=$((lba + $(u32 $((lba * LBA + 8))) / LBA))
    done
    echo "$lba"
}

flip() {
    local off=$1 byte
    byte=$(od -An -tu1 -j "$off" -N1 "$IMAGE" | tr -d ' ')
    local octal
    octal=$(printf '%03o' $((byte ^ 0x20)))
    printf '%b' "\\0$octal" | dd of="$IMAGE" bs=1 seek="$off" count=1 conv=notrunc status=none
}

@test "one flipped byte in a slab's payload: exactly that slab is reported, by its LBA, and skipped" {
    local rec entries
    rec=$(record_lba 3)
    entries=$(u32 $((rec * LBA + 12)))
    assert [ "$entries" -ge 10 ]
    flip $((rec * LBA + LBA + 100)) # in its second LBA: payload
    sx "zns store verify $DEV --json 2>/dev/null"
    assert_equal "$status" 5
    run jq -c '[.corrupt, [.corrupt_slabs[] | [.lba, .reason]]]' <<<"$output"
    assert_output "[1,[[$rec,\"payload CRC mismatch\"]]]"
    # the objects of that slab are gone; everything else is byte-exact
    sx "zns store check $DEV $FILL"
    assert_equal "$status" 5
    assert_output --partial "corrupt slab at LBA $(printf '0x%x' "$rec") ($rec): payload CRC mismatch"
    assert_output --regexp "checked 3000 ids: $((3000 - entries)) byte-exact, 0 deleted and gone, $entries missing, 0 wrong, 0 back after delete"
    flip $((rec * LBA + LBA + 100)) # flipped back: whole again
}

@test "one flipped byte in a slab's header: that slab is reported and the records after it are found" {
    local rec next entries
    rec=$(record_lba 5)
    next=$(record_lba 6)
    entries=$(u32 $((rec * LBA + 12)))
    flip $((rec * LBA + 17)) # its seq
    sx "zns store verify $DEV --json 2>/dev/null"
    assert_equal "$status" 5
    run jq -c '[.corrupt, [.corrupt_slabs[] | [.lba, .reason]]]' <<<"$output"
    assert_output "[1,[[$rec,\"header CRC mismatch\"]]]"
    sx "zns store check $DEV $FILL"
    assert_equal "$status" 5
    assert_output --regexp "checked 3000 ids: $((3000 - entries)) byte-exact, 0 deleted and gone, $entries missing, 0 wrong"
    # the record after it is intact and was found: its first object reads back
    assert [ "$next" -gt "$rec" ]
    flip $((rec * LBA + 17))
    sx "zns store verify $DEV"
    assert_success
    assert_output --partial ", 0 corrupt, 3000 live objects"
}
