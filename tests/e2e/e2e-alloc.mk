# tests/e2e/e2e-alloc.mk: the allocator's end-to-end suite (issue 8): NUMA
# placement checked inside a two-node lab VM.  Files tests/e2e/2NN-*.bats, on
# the lab's harness (test_helper/common.bash).  The guest program
# zslab-numa-check goes to build/bin, so every image carries it.

E2E_ALLOC_FILES = $(sort $(wildcard tests/e2e/2[0-9][0-9]-*.bats))
ZSLAB_NUMA_CHECK := $(BIN)/zslab-numa-check
ZSLAB_NUMA_CHECK_OBJS := $(OBJ)/tests/e2e/alloc/zslab-numa-check.o

DEPS += bats bats-support bats-assert parallel
TEST_SUITES += e2e-alloc
ALL_TARGETS += $(ZSLAB_NUMA_CHECK)

$(ZSLAB_NUMA_CHECK_OBJS): CPPFLAGS += -Icore/include

# Named by path: core/core.mk, which defines LIBZSLAB_A, is read later.
$(ZSLAB_NUMA_CHECK): $(ZSLAB_NUMA_CHECK_OBJS) $(LIB)/libzslab.a
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $(ZSLAB_NUMA_CHECK_OBJS) $(LIB)/libzslab.a -pthread

.PHONY: test-e2e-alloc
test-e2e-alloc: image
	@$(RUN_SUITE) e2e-alloc $(BATS_E2E) $(E2E_ALLOC_FILES)
