# tests/preload: real programs with libzslab-malloc preloaded (suite
# preload): python3, sort, gcc, git and a threaded program that forks give
# byte-identical output to a run on glibc; 200 forks from a threaded
# process; 10,000 threads that come and go; the ZSLAB_* variables; the
# installed library.  The test programs go to $(O)/test-bin, not build/bin,
# which the VM image copies.

DEPS += bats bats-support bats-assert python3 python3-minimal git gcc coreutils binutils pkgconf

PRELOAD_TEST_BIN := $(O)/test-bin
PRELOAD_PROGRAMS := $(PRELOAD_TEST_BIN)/forker $(PRELOAD_TEST_BIN)/churn

$(PRELOAD_PROGRAMS): $(PRELOAD_TEST_BIN)/%: $(OBJ)/tests/preload/%.o
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $< -pthread

.PHONY: test-preload preload-programs
preload-programs: $(PRELOAD_PROGRAMS)
TEST_SUITES += preload
# Literal library path: this fragment is read after core/malloc.mk, but say
# it plainly anyway.
test-preload: $(PRELOAD_PROGRAMS) $(LIB)/libzslab-malloc.so.$(ZSLAB_VERSION)
	@$(RUN_SUITE) preload env ZSLAB_MALLOC="$(abspath $(LIB)/libzslab-malloc.so)" TOP="$(TOP)" \
		TEST_BIN="$(abspath $(PRELOAD_TEST_BIN))" MAKE_CMD="$(MAKE) --no-print-directory O=$(O)" \
		BATS_LIB_PATH=/usr/lib/bats bats --tap tests/preload
