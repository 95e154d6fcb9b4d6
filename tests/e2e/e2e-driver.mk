# tests/e2e/e2e-driver.mk: the driver's end-to-end suite (issue 4): the `zns`
# tool cross-checked against nvme-cli inside lab VMs, the ZNS error paths,
# the npo2 and large-zones profiles, concurrent appends and the randomized
# model check.  Files tests/e2e/1NN-*.bats, on the lab's harness
# (test_helper/common.bash, plus test_helper/driver.bash); two at a time.
#
# This fragment is read before e2e.mk: $(BATS_E2E) is expanded when the
# recipe runs, and the zns-model path is written out (model.mk comes later).

E2E_DRIVER_FILES = $(sort $(wildcard tests/e2e/1[0-9][0-9]-*.bats))

DEPS += bats bats-support bats-assert parallel jq coreutils
TEST_SUITES += e2e-driver

.PHONY: test-e2e-driver
test-e2e-driver: image $(O)/bin-host/zns-model
	@$(RUN_SUITE) e2e-driver env ZNS_MODEL="$(abspath $(O)/bin-host/zns-model)" \
		$(BATS_E2E) $(E2E_DRIVER_FILES)
