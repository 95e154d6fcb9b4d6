# tests/build: the build and install machinery as a user meets it (suite
# `build`, host only, no VM but the one `make run` boots): the quiet build
# and V=1, `make deps` for a user who is not root, make run and make test for
# that user once the packages are present, and check-deps catching a command
# no DEPS list names.

DEPS += bats bats-support bats-assert util-linux coreutils git

.PHONY: test-build
TEST_SUITES += build
test-build:
	@$(RUN_SUITE) build env BATS_LIB_PATH=/usr/lib/bats bats --tap tests/build
