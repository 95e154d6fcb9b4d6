# bench/preload.mk - make bench-preload: real programs (python3, sort, gcc,
# git clone, git log, and two threaded test programs) on glibc, mimalloc,
# jemalloc, tcmalloc and zslab through LD_PRELOAD, interleaved; wall time and
# peak RSS as medians with min-max, ratios and targets, to build/out/
# (bench-preload.md, bench-preload.json).  It measures; it never asserts.
# RUNS=N sets the runs per program and allocator (default 5).

DEPS += python3 python3-minimal git gcc time coreutils libmimalloc2.0 libjemalloc2 libtcmalloc-minimal4

.PHONY: bench-preload
# Phony prerequisites: this fragment is read before core/malloc.mk and
# tests/preload/preload.mk define the files.
bench-preload: libzslab-malloc preload-programs
	@bench/preload/run $(TOP)/build/out $(TOP) $(abspath $(O)/test-bin) \
		$(abspath $(LIB)/libzslab-malloc.so)
