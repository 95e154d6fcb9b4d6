# Shared by the cli-zns tests: Bats libraries and the tools under test.
# shellcheck shell=bash
bats_load_library bats-support
bats_load_library bats-assert

: "${ZNS:?ZNS must name the zns binary (make test-cli-zns sets it)}"
: "${ZNS_MODEL:?ZNS_MODEL must name the zns-model binary}"

# A small geometry for zns-model: 10 zones of 64 LBAs, capacity 48.
# shellcheck disable=SC2034 # used by the test files that load this one
MODEL_GEOMETRY=(--lba-bytes 4096 --zone-size-lbas 64 --zone-cap-lbas 48 --nr-zones 10
    --max-open-zones 3 --max-active-zones 4 --zasl-bytes 16384)
