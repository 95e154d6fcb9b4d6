# tests/cli: host-only Bats tests of the `zns` tool and `zns-model` (suite
# cli-zns): help, argument errors and bad devices need no VM.  Tests that need
# a zoned device are the lab's (tests/e2e).

DEPS += bats bats-support bats-assert jq

.PHONY: test-cli-zns
TEST_SUITES += cli-zns
# Literal paths: this fragment is read before tests/model/model.mk.
test-cli-zns: $(BIN)/zns $(O)/bin-host/zns-model
	@$(RUN_SUITE) cli-zns env ZNS="$(abspath $(BIN)/zns)" ZNS_MODEL="$(abspath $(O)/bin-host/zns-model)" \
		BATS_LIB_PATH=/usr/lib/bats bats --tap tests/cli
