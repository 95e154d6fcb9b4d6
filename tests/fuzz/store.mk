# tests/fuzz/store.mk - libFuzzer target on the zone store's recovery parser
# (tests/fuzz/fuzz_store.c), built as fuzz.mk builds the allocator's: clang,
# ASan+UBSan, the core with ZSLAB_DEBUG=1 (every assert of the store on).
#
#   fuzz-store-smoke   suite: FUZZ_STORE_SMOKE_SECONDS from the seed corpus
#   make fuzz-store    a longer run: FUZZ_SECONDS, corpus in build/fuzz/store-corpus
#
# Read after fuzz.mk (its objects and flags are used here).

FUZZ_STORE_BIN := $(FUZZ_O)/bin/fuzz_store
FUZZ_STORE_SEEDER := $(FUZZ_O)/bin/fuzz_store_seeds
FUZZ_STORE_CORPUS := $(FUZZ_O)/store-corpus
FUZZ_STORE_SMOKE_SECONDS ?= 20
FUZZ_STORE_LIB_OBJS := $(patsubst %.c,$(FUZZ_O)/obj/%.o,tests/lib/zdev_model.c \
	tests/lib/zdev_model_crash.c tests/lib/zdev_model_ops.c)
FUZZ_STORE_OBJS := $(FUZZ_O)/obj/tests/fuzz/fuzz_store.o $(FUZZ_STORE_LIB_OBJS)
FUZZ_PLATFORM_OBJS := $(CORE_PLATFORM_SRCS:%.c=$(FUZZ_O)/obj/%.o)

$(FUZZ_STORE_OBJS) $(FUZZ_O)/obj/tests/fuzz/fuzz_store_seeds.o: $(FUZZ_O)/obj/%.o: %.c \
		tests/fuzz/store.mk
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/lib -D_GNU_SOURCE -c $< -o $@

$(FUZZ_STORE_BIN): $(FUZZ_STORE_OBJS) $(FUZZ_CORE_OBJS) $(FUZZ_PLATFORM_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANITIZE) -o $@ $^ -pthread

$(FUZZ_STORE_SEEDER): $(FUZZ_O)/obj/tests/fuzz/fuzz_store_seeds.o $(FUZZ_STORE_LIB_OBJS) \
		$(FUZZ_CORE_OBJS) $(FUZZ_PLATFORM_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_SANITIZE) -o $@ $^ -pthread

$(FUZZ_STORE_CORPUS)/.seeded: $(FUZZ_STORE_SEEDER)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_STORE_SEEDER) $(@D) && touch $@

.PHONY: fuzz-store test-fuzz-store-smoke
TEST_SUITES += fuzz-store-smoke

test-fuzz-store-smoke: $(FUZZ_STORE_BIN) $(FUZZ_STORE_CORPUS)/.seeded
	@$(RUN_SUITE) fuzz-store-smoke $(FUZZ_STORE_BIN) -max_total_time=$(FUZZ_STORE_SMOKE_SECONDS) \
		-seed=1 -max_len=140000 -print_final_stats=1 $(FUZZ_STORE_CORPUS)

fuzz-store: $(FUZZ_STORE_BIN) $(FUZZ_STORE_CORPUS)/.seeded
	$(FUZZ_STORE_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=140000 -print_final_stats=1 \
		$(FUZZ_STORE_CORPUS)
