# tests/fuzz/fuzz.mk - libFuzzer target for allocator operation sequences.
#
#   fuzz-smoke   suite: the fuzzer for FUZZ_SMOKE_SECONDS (part of `make test`)
#   make fuzz    a longer run: FUZZ_SECONDS (default 600), corpus kept in
#                build/fuzz/corpus
#
# Always built with clang (libFuzzer), ASan and UBSan, and the core with
# ZSLAB_DEBUG=1 so its invariant checkers run after every operation.

DEPS += clang libclang-rt-14-dev

FUZZ_CC := clang
FUZZ_O := build/fuzz
FUZZ_BIN := $(FUZZ_O)/bin/fuzz_alloc
FUZZ_CORPUS := $(FUZZ_O)/corpus
FUZZ_SMOKE_SECONDS ?= 25
FUZZ_SECONDS ?= 600
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(CSTD) $(WARNINGS) -O1 -g -MMD -MP -DZSLAB_DEBUG=1 -Icore/include \
	-fsanitize=fuzzer-no-link $(FUZZ_SANITIZE)

FUZZ_CORE_OBJS := $(CORE_SRCS:%.c=$(FUZZ_O)/obj/%.o)
FUZZ_HOST_OBJS := $(CORE_PLATFORM_SRCS:%.c=$(FUZZ_O)/obj/%.o) $(FUZZ_O)/obj/tests/fuzz/fuzz_alloc.o

$(FUZZ_CORE_OBJS): $(FUZZ_O)/obj/%.o: %.c tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -ffreestanding -fno-builtin -fno-stack-protector -c $< -o $@

$(FUZZ_HOST_OBJS): $(FUZZ_O)/obj/%.o: %.c tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# The target's own log wrapper keeps the expected bad-free reports quiet.
$(FUZZ_BIN): $(FUZZ_CORE_OBJS) $(FUZZ_HOST_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANITIZE) -Wl,--wrap=zslab_platform_log -o $@ $^ -pthread

.PHONY: fuzz test-fuzz-smoke
TEST_SUITES += fuzz-smoke

test-fuzz-smoke: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_CORPUS)
	@$(RUN_SUITE) fuzz-smoke $(FUZZ_BIN) -max_total_time=$(FUZZ_SMOKE_SECONDS) -seed=1 \
		-print_final_stats=1 $(FUZZ_CORPUS)

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_CORPUS)
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_CORPUS)

-include $(shell find $(FUZZ_O)/obj -name '*.d' 2>/dev/null)
