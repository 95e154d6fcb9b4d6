# tests/unit/store.mk - the zone store's unit tests (cmocka, on the model
# device of tests/lib), suite unit-store; unit-store-san runs them with
# ASan+UBSan and every assert of the store on (DEBUG=1); unit-store-tsan runs
# the threaded one under ThreadSanitizer.

DEPS += libcmocka-dev

UNIT_STORE_DIR := tests/unit/store
UNIT_STORE_SRCS := $(sort $(wildcard $(UNIT_STORE_DIR)/*.c))
UNIT_STORE_HELPERS := $(UNIT_STORE_DIR)/harness.c
UNIT_STORE_TESTS := $(basename $(notdir $(filter-out $(UNIT_STORE_HELPERS),$(UNIT_STORE_SRCS))))
UNIT_STORE_BIN := $(O)/tests/unit-store
UNIT_STORE_EXES := $(addprefix $(UNIT_STORE_BIN)/,$(UNIT_STORE_TESTS))
UNIT_STORE_LIB_OBJS := $(UNIT_STORE_HELPERS:%.c=$(OBJ)/%.o) $(OBJ)/tests/lib/zdev_model.o \
	$(OBJ)/tests/lib/zdev_model_crash.o $(OBJ)/tests/lib/zdev_model_ops.o

$(UNIT_STORE_SRCS:%.c=$(OBJ)/%.o): CPPFLAGS += -Icore/include -Icore/src/store -Itests/lib -D_GNU_SOURCE

$(UNIT_STORE_BIN)/%: $(OBJ)/$(UNIT_STORE_DIR)/%.o $(UNIT_STORE_LIB_OBJS) $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ -lcmocka -pthread

.PHONY: unit-store test-unit-store test-unit-store-san
unit-store: $(UNIT_STORE_EXES)
TEST_SUITES += unit-store unit-store-san

test-unit-store: $(UNIT_STORE_EXES)
	@$(RUN_SUITE) unit-store tests/unit/driver/run-tests $(UNIT_STORE_EXES)

test-unit-store-san:
	@mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory SANITIZE=1 DEBUG=1 O=build/san-store \
		unit-store > $(RESULTS)/unit-store-san.build.log 2>&1 || \
		{ tail -n 20 $(RESULTS)/unit-store-san.build.log; \
		  echo "unit-store-san: build failed (log: $(RESULTS)/unit-store-san.build.log)"; exit 1; }
	@$(RUN_SUITE) unit-store-san env ZSLAB_STORE_SEEDS=2 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 tests/unit/driver/run-tests \
		$(addprefix build/san-store/tests/unit-store/,$(UNIT_STORE_TESTS))

# unit-store-tsan: the threaded test under ThreadSanitizer (the root Makefile
# has no TSan variant: its SANITIZERS list is replaced for this one build).
.PHONY: test-unit-store-tsan
TEST_SUITES += unit-store-tsan
test-unit-store-tsan:
	@mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory SANITIZE=0 DEBUG=0 SANITIZERS=-fsanitize=thread \
		O=build/tsan-store build/tsan-store/tests/unit-store/test_threads \
		> $(RESULTS)/unit-store-tsan.build.log 2>&1 || \
		{ tail -n 20 $(RESULTS)/unit-store-tsan.build.log; \
		  echo "unit-store-tsan: build failed (log: $(RESULTS)/unit-store-tsan.build.log)"; exit 1; }
	@$(RUN_SUITE) unit-store-tsan env TSAN_OPTIONS=halt_on_error=1:detect_deadlocks=0 \
		tests/unit/driver/run-tests build/tsan-store/tests/unit-store/test_threads
