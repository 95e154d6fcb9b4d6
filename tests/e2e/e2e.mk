# tests/e2e/e2e.mk: the lab's end-to-end suite (Bats, inside QEMU VMs).
#
# Suite e2e-lab runs tests/e2e/0NN-*.bats (the lab itself); other parts add
# their own suites over their own files (1NN-*.bats, ...) and share
# tests/e2e/test_helper/common.bash.  Files run two at a time (bats --jobs,
# which needs GNU parallel): the machine has two cores and TCG is
# single-threaded per VM.

E2E_JOBS ?= 2
E2E_LAB_FILES = $(sort $(wildcard tests/e2e/0[0-9][0-9]-*.bats))
BATS_E2E = env BATS_LIB_PATH=/usr/lib/bats bats --tap --jobs $(E2E_JOBS)

DEPS += bats bats-support bats-assert parallel jq procps
TEST_SUITES += e2e-lab

.PHONY: test-e2e-lab
test-e2e-lab: image
	@$(RUN_SUITE) e2e-lab $(BATS_E2E) $(E2E_LAB_FILES)
