# tests/unit/core.mk - the allocator core's cmocka suites.
#
#   unit-core        the tests, this build's flags ($(O))
#   unit-core-san    the same tests with ASan+UBSan, built in build/san
#   unit-core-debug  the same tests with DEBUG=1 (poisoning, invariant
#                    checkers), built in build/debug; adds the debug group
#   unit-core-tsan   the same tests with ThreadSanitizer, built in build/tsan
#   install-core     `make install` into a temporary DESTDIR, then a program
#                    built against the installed zslab.pc
#
# The test binary links the core and Linux platform objects directly and
# wraps five platform functions (ld --wrap) to capture messages and panics
# and to count and fail platform memory calls.

DEPS += libcmocka-dev binutils pkgconf

UNIT_CORE_SRCS := $(sort $(wildcard tests/unit/core/*.c))
UNIT_CORE_OBJS := $(UNIT_CORE_SRCS:%.c=$(OBJ)/%.o)
UNIT_CORE_BIN := $(BIN)/unit-core
UNIT_CORE_WRAPS := -Wl,--wrap=zslab_platform_map,--wrap=zslab_platform_unmap \
	-Wl,--wrap=zslab_platform_remap \
	-Wl,--wrap=zslab_platform_log,--wrap=zslab_platform_panic

# mincore, nanosleep, sysconf: POSIX and BSD calls beyond -std=c11.
$(UNIT_CORE_OBJS): CPPFLAGS += -Icore/include -Icore/src -D_GNU_SOURCE

$(UNIT_CORE_BIN): $(UNIT_CORE_OBJS) $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) $(UNIT_CORE_WRAPS) -o $@ $^ -lcmocka -pthread

.PHONY: unit-core-bin test-unit-core test-unit-core-san test-unit-core-debug test-unit-core-tsan \
	test-install-core
unit-core-bin: $(UNIT_CORE_BIN)
TEST_SUITES += unit-core unit-core-san unit-core-debug unit-core-tsan install-core

test-unit-core: $(UNIT_CORE_BIN)
	@$(RUN_SUITE) unit-core env CMOCKA_MESSAGE_OUTPUT=TAP $(UNIT_CORE_BIN)

# The variants build in their own directories through a sub-make; its output
# goes to a log, shown only when the build fails.
define variant_suite
test-$(1):
	@mkdir -p $$(RESULTS)
	@$$(MAKE) --no-print-directory $(2) O=$(strip $(3)) unit-core-bin > $$(RESULTS)/$(1).build.log 2>&1 || \
		{ tail -n 20 $$(RESULTS)/$(1).build.log; echo "$(1): build failed (log: $$(RESULTS)/$(1).build.log)"; exit 1; }
	@$$(RUN_SUITE) $(1) env CMOCKA_MESSAGE_OUTPUT=TAP $(4) $(strip $(3))/bin/unit-core
endef
$(eval $(call variant_suite,unit-core-san,SANITIZE=1 DEBUG=0,build/san,\
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1))
$(eval $(call variant_suite,unit-core-debug,DEBUG=1 SANITIZE=0,build/debug,))
# The root Makefile has no ThreadSanitizer variant; its SANITIZERS list is
# replaced for this one build.  TSan's deadlock detector tracks at most 64
# locks held at once, fewer than zslab_fork_prepare() takes: it is off.
$(eval $(call variant_suite,unit-core-tsan,DEBUG=0 SANITIZE=0 SANITIZERS=-fsanitize=thread,\
	build/tsan,TSAN_OPTIONS=halt_on_error=1:detect_deadlocks=0))

test-install-core:
	@CC="$(CC)" DEMO_CFLAGS="$(SANITIZERS)" $(RUN_SUITE) install-core tests/unit/install-core $(MAKE) --no-print-directory O=$(O)
