# tests/lint: project-wide linters run by `make check`.
#
#   check-deps   every program a script, test or make recipe calls comes from
#                a package in some DEPS list, or from Debian's essential set
#                (tests/lint/check-deps says how it finds them)
#   print-deps   the DEPS list, one package a line

DEPS += mawk

# Files run only inside the guest, by busybox: their commands are busybox's.
GUEST_ONLY_FILES := vm-images/init tests/e2e/guest/zns-run-ops

.PHONY: check-deps print-deps
CHECK_TARGETS += check-deps
print-deps:
	@printf '%s\n' $(sort $(DEPS))

check-deps:
	@mkdir -p $(O)
	@printf '%s\n' $(sort $(DEPS)) > $(O)/deps.list
	@tests/lint/check-deps $(O)/deps.list $(addprefix --guest ,$(GUEST_ONLY_FILES)) \
		$(SHELL_FILES) Makefile $(wildcard */*.mk */*/*.mk)
