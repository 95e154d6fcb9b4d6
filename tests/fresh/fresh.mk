# tests/fresh: the README's commands on a new machine.
#
#   make test-fresh   build a fresh Debian 12 root (mmdebstrap), clone HEAD
#                     into it, run make run, make check and make test there
#                     (tests/fresh/fresh-root); what CI (.ci/run) runs.
#                     Needs root.  FRESH_ARGS="--keep" keeps the root.

DEPS += mmdebstrap mount util-linux coreutils

FRESH_ARGS ?=
.PHONY: test-fresh
test-fresh:
	@command -v mmdebstrap >/dev/null || $(MAKE) --no-print-directory deps
	@tests/fresh/fresh-root $(FRESH_ARGS)
