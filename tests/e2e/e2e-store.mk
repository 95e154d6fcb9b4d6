# tests/e2e/e2e-store.mk: the zone store's end-to-end suite (issue 9): `zns
# store` inside lab VMs, on the default, tight-limit, large-zones and npo2
# profiles; power cycles, reclaim past capacity, corruption through the
# namespace's backing image.  Files tests/e2e/3NN-*.bats on the lab's harness
# (test_helper/common.bash, plus test_helper/store.bash); two at a time.
#
# Read before e2e.mk: $(BATS_E2E) is expanded when the recipe runs.

E2E_STORE_FILES = $(sort $(wildcard tests/e2e/3[0-9][0-9]-*.bats))

DEPS += bats bats-support bats-assert parallel jq coreutils
TEST_SUITES += e2e-store

.PHONY: test-e2e-store
test-e2e-store: image
	@$(RUN_SUITE) e2e-store $(BATS_E2E) $(E2E_STORE_FILES)
