# bench/anchors.mk - ZNS-Slab side by side with glibc, mimalloc, jemalloc and
# tcmalloc (issue 8; method in docs/benchmarks.md).
#
#   make bench-anchors     every workload, every allocator, ANCHORS_RUNS rounds
#                          (default 5, about 4 minutes on 2 cores); report in
#                          build/out/anchors.md, .json and .png.  Part of
#                          `make bench`.  It reports; it never asserts.
#                          ANCHORS_ARGS adds driver options, e.g.
#                          ANCHORS_ARGS="--sized" or "--workloads seed,churn".
#   make anchors           the programs alone, into $(O)/anchors/bin
#   test-bench-smoke       suite bench-smoke: the whole harness at tiny sizes;
#                          it checks that it completes and writes well-formed
#                          reports naming every allocator and workload, never
#                          a speed.
#
# One measuring program per allocator, anchor-<name>: the harness linked with
# that allocator alone (jemalloc, tcmalloc and mimalloc each replace malloc in
# a process that links them), and zslab-anchors, the driver that runs them.
# They live in $(O)/anchors/bin, not $(BIN), which the lab copies into the VM.

DEPS += libmimalloc-dev libjemalloc-dev libgoogle-perftools-dev strace gnuplot-nox jq \
	bats bats-support bats-assert git

ANCHORS_NAMES := zslab glibc mimalloc jemalloc tcmalloc
ANCHORS_BIN := $(O)/anchors/bin
ANCHORS_OUT ?= build/out
ANCHORS_RUNS ?= 5
ANCHORS_ARGS ?=

ANCHORS_COMMON := bench/anchors/anchors.c
ANCHORS_HARNESS := bench/anchors/measure.c bench/anchors/record.c bench/anchors/workloads.c \
	bench/anchors/threads.c bench/anchors/footprint.c
ANCHORS_DRIVER_SRCS := bench/anchors/driver.c bench/anchors/spawn.c bench/anchors/store.c \
	bench/anchors/targets.c bench/anchors/report_md.c bench/anchors/report_json.c
ANCHORS_HARNESS_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(ANCHORS_HARNESS) $(ANCHORS_COMMON)) \
	$(OBJ)/bench/tsc.o $(OBJ)/bench/percentile.o
ANCHORS_DRIVER_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(ANCHORS_DRIVER_SRCS) $(ANCHORS_COMMON)) \
	$(OBJ)/bench/percentile.o
ANCHORS_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(ANCHORS_HARNESS) $(ANCHORS_COMMON) \
	$(ANCHORS_DRIVER_SRCS) $(ANCHORS_NAMES:%=bench/anchors/backend_%.c))
ANCHORS_PROGRAMS := $(ANCHORS_NAMES:%=$(ANCHORS_BIN)/anchor-%)
ANCHORS_DRIVER := $(ANCHORS_BIN)/zslab-anchors

$(ANCHORS_OBJS): CPPFLAGS += -Ibench -Ibench/anchors -Icore/include
$(OBJ)/bench/anchors/backend_zslab.o: CPPFLAGS += -DZSLAB_BENCH_VERSION='"$(ZSLAB_VERSION)"'
$(ANCHORS_OBJS): bench/anchors.mk

# Each allocator as a program would link it.  ZNS-Slab too is the shared
# library (-lzslab), like every anchor: each call crosses the PLT alike.
# libzslab is an order-only prerequisite because core/core.mk, read after
# this fragment, names its files.
ANCHORS_LIBS_zslab := -L$(LIB) -Wl,-rpath,$(abspath $(LIB)) -lzslab
ANCHORS_LIBS_glibc :=
ANCHORS_LIBS_mimalloc := -lmimalloc
ANCHORS_LIBS_jemalloc := -ljemalloc
ANCHORS_LIBS_tcmalloc := -ltcmalloc_minimal

$(ANCHORS_BIN)/anchor-zslab: | libzslab
$(ANCHORS_BIN)/anchor-%: $(ANCHORS_HARNESS_OBJS) $(OBJ)/bench/anchors/backend_%.o
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ $(ANCHORS_LIBS_$*) -pthread -lm

$(ANCHORS_DRIVER): $(ANCHORS_DRIVER_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ -lm

.PHONY: anchors bench-anchors test-bench-smoke
anchors: $(ANCHORS_PROGRAMS) $(ANCHORS_DRIVER)
ALL_TARGETS += anchors

bench-anchors: anchors
	@$(ANCHORS_DRIVER) --bin $(ANCHORS_BIN) --out $(ANCHORS_OUT) --runs $(ANCHORS_RUNS) \
		--label "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $(ANCHORS_ARGS); \
		rc=$$?; bench/anchors/plot $(ANCHORS_OUT) && exit $$rc
bench: bench-anchors

TEST_SUITES += bench-smoke
test-bench-smoke: anchors
	@$(RUN_SUITE) bench-smoke env ANCHORS_BIN="$(abspath $(ANCHORS_BIN))" \
		ANCHORS_PLOT="$(abspath bench/anchors/plot)" \
		BATS_LIB_PATH=/usr/lib/bats bats --tap bench/anchors/tests
