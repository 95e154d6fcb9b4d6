#!/usr/bin/env bats
# Peers' shell suites run unmodified in the guest: bash and the GNU tools
# they expect are on PATH before busybox's applets, #!/bin/bash works, and a
# suite can add its own tools to an image of its own (make image IMAGE_DIR=
# EXTRA_TOOLS=, zns-lab --image-dir).

load test_helper/common

setup_file() {
    lab_setup_file
}

@test "bash runs GNU grep -P and coreutils' timeout -v in the guest" {
    lab_run -- bash -c 'grep -P "a+" <<<aaa; timeout -v 1 sleep 2'
    # timeout's own status for a command it stopped.
    assert_failure 124
    assert_line aaa
    assert_line "timeout: sending signal TERM to command 'sleep'"
    refute_output --partial "zns-lab:"
}

@test "#!/bin/bash and #!/usr/bin/env bash suites find GNU sed, gawk, realpath, stat and sort" {
    local share=$BATS_TEST_TMPDIR/share
    mkdir -p "$share"
    cat >"$share/suite.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
echo "sed: $(sed --version | head -n 1)"
echo "awk: $(awk --version | head -n 1)"
echo "gensub: $(awk 'BEGIN { print gensub(/(b+)/, "<\\1>", "g", "abbc") }')"
echo "realpath: $(realpath /mnt/host/./suite.sh)"
echo "stat: $(stat -c %s /mnt/host/suite.sh)"
echo "sort -V:" $(printf '1.10\n1.9\n' | sort -V)
/mnt/host/env.sh
EOF
    # shellcheck disable=SC2016 # expanded by the guest's bash
    printf '#!/usr/bin/env bash\necho "env: bash $BASH_VERSION"\n' >"$share/env.sh"
    chmod +x "$share/suite.sh" "$share/env.sh"
    lab_run --share "$share" -- /mnt/host/suite.sh
    assert_success
    assert_line --regexp '^sed: sed \(GNU sed\) '
    assert_line --regexp '^awk: GNU Awk '
    assert_line "gensub: a<bb>c"
    assert_line "realpath: /mnt/host/suite.sh"
    assert_line "stat: $(stat -c %s "$share/suite.sh")"
    assert_line "sort -V: 1.9 1.10"
    assert_line --regexp '^env: bash 5\.'
}

@test "an image with EXTRA_TOOLS in its own directory boots with --image-dir" {
    local dir=$BATS_TEST_TMPDIR/vm
    # jq is a host package the e2e suites already need (tests/e2e/e2e.mk).
    run make -C "$REPO_ROOT" --no-print-directory -s image IMAGE_DIR="$dir" EXTRA_TOOLS="jq @procps"
    assert_success
    assert [ -f "$dir/tools.img" ]
    lab_run --image-dir "$dir" -- bash -c 'echo "{\"a\": 7}" | jq .a; command -v pgrep'
    assert_success
    assert_line 7
    assert_line /usr/bin/pgrep
}

@test "an extra tool the host lacks fails the image build with what to install" {
    run "$REPO_ROOT/vm-images/build-image" --out "$BATS_TEST_TMPDIR/vm" \
        --cache "$BATS_TEST_TMPDIR/cache" --bin "$BATS_TEST_TMPDIR/bin" --extra-tools no-such-tool
    assert_failure
    assert_output --partial "'no-such-tool' (an extra tool) is not on the host"
    run "$REPO_ROOT/vm-images/build-image" --out "$BATS_TEST_TMPDIR/vm" \
        --cache "$BATS_TEST_TMPDIR/cache" --bin "$BATS_TEST_TMPDIR/bin" --extra-tools @no-such-package
    assert_failure
    assert_output --partial "the Debian package 'no-such-package' is not installed"
}
