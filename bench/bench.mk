# bench/bench.mk - benchmark_accurate: Phase 1.5's latency benchmark.
# `make bench` runs it and prints the report; it is never a test.

BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_OBJS := $(BENCH_SRCS:%.c=$(OBJ)/%.o)
BENCHMARK_ACCURATE := $(BIN)/benchmark_accurate
# Extra options for `make bench`, e.g. BENCH_ARGS="--prefault chunk".
BENCH_ARGS ?=

$(BENCH_OBJS): CPPFLAGS += -Icore/include -Icore/platform/linux

# Linked with the static library: direct calls, as an application would get.
# The root includes fragments in alphabetical order, so bench/ is read before
# core/core.mk defines LIBZSLAB_A: name the library by its path.
$(BENCHMARK_ACCURATE): $(BENCH_OBJS) $(LIB)/libzslab.a
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $(BENCH_OBJS) $(LIB)/libzslab.a -pthread -lm

ALL_TARGETS += $(BENCHMARK_ACCURATE)

.PHONY: bench
bench: $(BENCHMARK_ACCURATE)
	@$(BENCHMARK_ACCURATE) $(BENCH_ARGS)
