#!/usr/bin/env bats
# The build as a user meets it: one short line per step, full commands with
# V=1, warnings in full; make deps, make run and make test for a user who is
# not root; check-deps naming a command that no DEPS list names.

bats_load_library bats-support
bats_load_library bats-assert

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
NOBODY_UID=65534
NOBODY_GID=65534
# `make test` runs this suite from a silent make (-s): its MAKEFLAGS would
# make every make below silent too.
unset MAKEFLAGS MFLAGS MAKELEVEL

# A clone of the checkout owned by nobody, in a directory nobody can reach
# (Bats' own temporary directories are private to root).
nobody_clone() {
    [[ $EUID == 0 ]] || skip "needs root, to run commands as the user nobody"
    getent passwd "$NOBODY_UID" >/dev/null || skip "no user with uid $NOBODY_UID (nobody)"
    NOBODY_DIR=$(mktemp -d /tmp/zns-slab-nobody.XXXXXX)
    chmod 755 "$NOBODY_DIR"
    git clone -q "$REPO_ROOT" "$NOBODY_DIR/src"
    chown -R "$NOBODY_UID:$NOBODY_GID" "$NOBODY_DIR"
}

# as_nobody CMD...: CMD as nobody, with a plain environment, in the clone.
as_nobody() {
    # shellcheck disable=SC2016 # the inner shell expands its own arguments
    setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
        env -i HOME="$NOBODY_DIR" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        bash -c 'cd "$1/src" && shift && "$@"' as_nobody "$NOBODY_DIR" "$@"
}

teardown() {
    [[ -n ${NOBODY_DIR:-} ]] && rm -rf --one-file-system "$NOBODY_DIR"
    return 0
}

@test "make prints one short line per build step, and V=1 the full commands" {
    local out=$BATS_TEST_TMPDIR/o
    run make -C "$REPO_ROOT" --no-print-directory O="$out" libzslab
    assert_success
    assert_line --regexp '^  CC   core/src/alloc\.c$'
    assert_line --regexp '^  AR   .*/libzslab\.a$'
    refute_output --partial -- '-Wall'
    run make -C "$REPO_ROOT" --no-print-directory O="$out" V=1 -B libzslab
    assert_success
    assert_output --partial -- '-Wall -Wextra -Werror -pedantic'
    assert_output --partial -- '-c core/src/alloc.c -o'
}

@test "a compiler warning still shows in full in the quiet build" {
    run make -C "$REPO_ROOT" --no-print-directory O="$BATS_TEST_TMPDIR/w" \
        CFLAGS="-Wno-error -Wpadded" libzslab
    assert_success
    assert_output --regexp 'core/(src|include)/[a-z_/]+\.[ch]:[0-9]+:[0-9]+: warning: .*\[-Wpadded\]'
}

@test "make deps tells a user who is not root which packages to install" {
    nobody_clone
    run as_nobody make --no-print-directory deps DEPS="bash zns-slab-absent-package"
    assert_failure 2
    assert_output --partial "deps: run as root, or: sudo apt-get install zns-slab-absent-package"
    refute_output --partial "install bash"
}

@test "a user who is not root runs make run and make test once the packages are present" {
    nobody_clone
    run as_nobody make --no-print-directory deps
    assert_success
    run as_nobody make --no-print-directory run
    assert_success
    assert_output --partial "== Counters: the VM's equal the host's"
    run as_nobody make --no-print-directory test SUITES="unit-core cli-zns"
    assert_success
    assert_line --regexp '^[1-9][0-9]* passed, 0 failed$'
}

@test "check-deps names a called program whose package no DEPS list names" {
    local dir=$BATS_TEST_TMPDIR
    printf '%s\n' bash >"$dir/deps"
    # shellcheck disable=SC2016 # the script text, written as it is
    printf '#!/bin/sh\n# jq is not a comment here:\nversion=$(jq --version) && echo "$version"\n' >"$dir/calls-jq"
    printf '#!/bin/sh\nhead -n 1 /etc/os-release | cat\n' >"$dir/essential-only"
    cd "$REPO_ROOT"
    run tests/lint/check-deps "$dir/deps" "$dir/calls-jq" "$dir/essential-only"
    assert_failure 1
    assert_output --partial "calls-jq:3: 'jq' /usr/bin/jq is in package 'jq', which no DEPS list names"
    refute_output --partial "essential-only"
    run tests/lint/check-deps "$dir/deps" "$dir/essential-only"
    assert_success
    assert_output --partial "call 2 installed programs"
}
