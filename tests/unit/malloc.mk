# tests/unit/malloc.mk - libzslab-malloc's cmocka suites.
#
#   unit-malloc      the glibc semantics through the names a program calls:
#                    the test binary links libzslab-malloc.so, so all of its
#                    allocations (cmocka's, libc's, the dynamic loader's) go
#                    through the shim; plus the interposition itself (fork,
#                    threads, the loader's TLS, ZSLAB_* in child processes),
#                    and no-alloc: the core and platform paths the shim
#                    reaches never call malloc
#   unit-malloc-san  the same semantics under ASan+UBSan (build/san), called
#                    on an explicit instance because ASan owns malloc there;
#                    plus the ZSLAB_* reader and the ZSLAB_STATS text

DEPS += libcmocka-dev

UNIT_MALLOC_SRCS := tests/unit/malloc/common.c tests/unit/malloc/test_semantics.c
ifeq ($(SANITIZE),1)
UNIT_MALLOC_INTERPOSED := 0
UNIT_MALLOC_SRCS += tests/unit/malloc/test_options.c tests/unit/malloc/test_report.c
else
UNIT_MALLOC_INTERPOSED := 1
UNIT_MALLOC_SRCS += tests/unit/malloc/test_interpose.c
endif
UNIT_MALLOC_OBJS := $(UNIT_MALLOC_SRCS:%.c=$(OBJ)/%.o)
UNIT_MALLOC_BIN := $(BIN)/unit-malloc
UNIT_MALLOC_NOALLOC_BIN := $(BIN)/unit-malloc-noalloc
UNIT_MALLOC_TLS_MODULE := $(O)/test-lib/libzslab-test-tls.so

# -fno-builtin: the tests call malloc and free for their effects, which the
# compiler must not fold away.
UNIT_MALLOC_CPPFLAGS := -Icore/include -Icore/malloc -D_GNU_SOURCE -fno-builtin
$(UNIT_MALLOC_OBJS) $(OBJ)/tests/unit/malloc/no_alloc.o: \
	CPPFLAGS += $(UNIT_MALLOC_CPPFLAGS) -DZSLAB_TEST_INTERPOSED=$(UNIT_MALLOC_INTERPOSED)

ifeq ($(SANITIZE),1)
$(UNIT_MALLOC_BIN): $(UNIT_MALLOC_OBJS) $(MALLOC_LOGIC_OBJS) $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ -lcmocka -pthread
else
$(UNIT_MALLOC_BIN): $(UNIT_MALLOC_OBJS) $(LIBZSLAB_MALLOC_SO)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $(UNIT_MALLOC_OBJS) -L$(LIB) -lzslab-malloc -Wl,-rpath,$(abspath $(LIB)) \
		-lcmocka -ldl -pthread
endif

$(UNIT_MALLOC_NOALLOC_BIN): $(OBJ)/tests/unit/malloc/no_alloc.o $(MALLOC_LOGIC_OBJS) $(ZSLAB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ -pthread

$(UNIT_MALLOC_TLS_MODULE): tests/unit/malloc/tls_module.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(COMPILE) -fPIC -shared -o $@ $<

.PHONY: unit-malloc-bin test-unit-malloc test-unit-malloc-san
unit-malloc-bin: $(UNIT_MALLOC_BIN)
TEST_SUITES += unit-malloc unit-malloc-san

test-unit-malloc: $(UNIT_MALLOC_BIN) $(UNIT_MALLOC_NOALLOC_BIN) $(UNIT_MALLOC_TLS_MODULE)
	@$(RUN_SUITE) unit-malloc sh -c 'CMOCKA_MESSAGE_OUTPUT=TAP ZSLAB_TEST_TLS_MODULE="$$1" "$$2"; \
		rc=$$?; "$$3" || rc=1; exit $$rc' unit-malloc $(abspath $(UNIT_MALLOC_TLS_MODULE)) \
		$(UNIT_MALLOC_BIN) $(UNIT_MALLOC_NOALLOC_BIN)

# The sanitizer build runs in build/san through a sub-make; its output goes
# to a log, shown only when the build fails.
test-unit-malloc-san:
	@mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory SANITIZE=1 DEBUG=0 O=build/san unit-malloc-bin \
		> $(RESULTS)/unit-malloc-san.build.log 2>&1 || \
		{ tail -n 20 $(RESULTS)/unit-malloc-san.build.log; \
		  echo "unit-malloc-san: build failed (log: $(RESULTS)/unit-malloc-san.build.log)"; exit 1; }
	@$(RUN_SUITE) unit-malloc-san env CMOCKA_MESSAGE_OUTPUT=TAP \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		build/san/bin/unit-malloc
