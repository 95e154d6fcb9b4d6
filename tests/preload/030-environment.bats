#!/usr/bin/env bats
# What a user of LD_PRELOAD meets: the README's try-out, bad frees, the
# ZSLAB_* variables and the installed library.

load test_helper

@test "the README's one-line try-out runs python3 on zslab and prints what the README shows" {
    cd "$TOP"
    run env LD_PRELOAD="$ZSLAB_MALLOC" ZSLAB_STATS=1 "$PYTHON" -c \
        'import json; d = [{"n": i, "s": str(i) * 3} for i in range(10**5)]; print(len(json.dumps(d)), "bytes of JSON")' # check-deps: ignore (python code)
    assert_success
    assert_line --index 0 "3755560 bytes of JSON"
    assert_output --partial "zslab-malloc: counters of pid"
    grep -qF "3755560 bytes of JSON" README.md
}

@test "a double free in a preloaded program aborts and names the pointer" {
    run env LD_PRELOAD="$ZSLAB_MALLOC" "$PYTHON" "$TOP/tests/preload/bad_free.py" double
    assert_equal "$status" 134 # SIGABRT
    local ptr=${lines[0]}
    assert_output --partial "zslab: zslab_free($ptr): double free: the 32-byte object is not allocated"
    refute_output --partial "went on"
}

@test "ZSLAB_BAD_FREE=report logs the bad free, ignores it and the program goes on" {
    run env LD_PRELOAD="$ZSLAB_MALLOC" ZSLAB_BAD_FREE=report "$PYTHON" "$TOP/tests/preload/bad_free.py" interior
    assert_success
    assert_output --partial "interior pointer: 8 bytes into the 64-byte object at 0x"
    assert_output --partial "went on"
}

@test "ZSLAB_STATS=1 prints every process's counters at exit" {
    # shellcheck disable=SC2016 # expanded by that sh
    run env LD_PRELOAD="$ZSLAB_MALLOC" ZSLAB_STATS=1 sh -c '"$0" -c pass; echo done' "$PYTHON"
    assert_success
    assert_output --partial "zslab-malloc: counters of pid"
    assert_output --partial "(python3)"
    assert_output --partial "shim_malloc_calls: "
    assert_output --regexp "class 32 B: alloc_calls [1-9]"
}

@test "a bad ZSLAB_* value is named and the program runs with the default" {
    run env LD_PRELOAD="$ZSLAB_MALLOC" ZSLAB_BAD_FREE=never "$PYTHON" -c 'print("ran")'
    assert_success
    assert_output --partial "zslab-malloc: ZSLAB_BAD_FREE='never': must be abort or report; the default (abort) is used"
    assert_output --partial "ran"
}

@test "make install puts the library and zslab-malloc.pc in place; programs linked with it, shared, static and -static, run on zslab" {
    [[ -n ${MAKE_CMD:-} ]] || skip "MAKE_CMD is not set (make test-preload sets it)"
    local root=$BATS_TEST_TMPDIR/root
    # shellcheck disable=SC2086 # MAKE_CMD is a command with its options
    run $MAKE_CMD -C "$TOP" install-malloc PREFIX=/usr DESTDIR="$root"
    assert_success
    local lib=$root/usr/lib
    [[ -f $lib/libzslab-malloc.a && -L $lib/libzslab-malloc.so && -L $lib/libzslab-malloc.so.0 ]]
    readelf -d "$lib/libzslab-malloc.so" | grep -q 'SONAME.*\[libzslab-malloc\.so\.0\]'
    cat >"$BATS_TEST_TMPDIR/demo.c" <<'C'
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    char *p = malloc(40000);
    /* zslab's large objects start on a page; glibc's 16 bytes past one */
    printf("page-aligned %d, usable %zu\n", (int)((uintptr_t)p % 4096 == 0), malloc_usable_size(p));
    free(p);
    return 0;
}
C
    export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$lib/pkgconfig
    local flags
    flags=$(pkg-config --libs zslab-malloc)
    # shellcheck disable=SC2086
    gcc -o "$BATS_TEST_TMPDIR/demo-shared" "$BATS_TEST_TMPDIR/demo.c" $flags -Wl,-rpath,"$lib"
    flags=$(pkg-config --static --libs zslab-malloc)
    # shellcheck disable=SC2086
    gcc -o "$BATS_TEST_TMPDIR/demo-static" "$BATS_TEST_TMPDIR/demo.c" -Wl,-Bstatic $flags -Wl,-Bdynamic
    run "$BATS_TEST_TMPDIR/demo-shared"
    assert_output "page-aligned 1, usable 40960"
    ldd "$BATS_TEST_TMPDIR/demo-shared" | grep -q "$lib/libzslab-malloc.so.0"
    run ldd "$BATS_TEST_TMPDIR/demo-static"
    refute_output --partial libzslab-malloc
    run "$BATS_TEST_TMPDIR/demo-static"
    assert_output "page-aligned 1, usable 40960"
    # Fully static: glibc's own malloc.o must not be pulled in beside it.
    # shellcheck disable=SC2086
    gcc -static -o "$BATS_TEST_TMPDIR/demo-all-static" "$BATS_TEST_TMPDIR/demo.c" $flags
    run "$BATS_TEST_TMPDIR/demo-all-static"
    assert_output "page-aligned 1, usable 40960"
}
