# ZNS-Slab: the one entry point.  `make help` lists the targets.
#
# This file holds what every part shares: build variants, compiler flags, the
# dependency installer, the test runner and the linters.  Each part adds its
# own rules in a fragment next to its sources (core/core.mk, bench/bench.mk,
# nvme-driver/driver.mk, vm-images/image.mk, lab-scripts/lab.mk, tests/*.mk).
#
# A fragment appends to these lists:
#   DEPS          Debian packages it needs (installed by `make deps`)
#   ALL_TARGETS   what `make all` builds
#   TEST_SUITES   suite names; each has a target `test-<name>` that runs the
#                 suite through $(RUN_SUITE) <name> <command...>
#   CHECK_TARGETS extra linters run by `make check`
#   INSTALL_TARGETS, CLEAN_FILES
#
# Variables a user may set:
#   CC=gcc|clang     compiler (default: cc, which is gcc on Debian)
#   DEBUG=1          -O0, every invariant checker on          -> build/debug
#   SANITIZE=1       AddressSanitizer + UndefinedBehaviorSanitizer -> build/san
#   O=DIR            build output directory (overrides the above)
#   SUITES="a b"     `make test` runs only these suites
#   V=1              print every build command in full (default: one line each)
#   PREFIX, DESTDIR  for `make install`

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
# Read before the line below adds a long option: -s shows as an "s" in the
# first word of MAKEFLAGS (single-letter flags come first, without a dash).
MAKE_SILENT := $(findstring s,$(firstword -$(MAKEFLAGS)))
MAKEFLAGS += --no-builtin-rules

TOP := $(CURDIR)
DEBUG ?= 0
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
O ?= build/san
else ifeq ($(DEBUG),1)
O ?= build/debug
else
O ?= build
endif
BIN := $(O)/bin
LIB := $(O)/lib
OBJ := $(O)/obj

# ---- quiet build, as Kbuild: one short line per step ("  CC  core/src/alloc.c");
# V=1 prints every command in full.  Warnings and errors always show.
# `make -s` (make test's own builds) prints not even those lines.
V ?= 0
ifeq ($(V),1)
Q :=
say := @true
else ifneq ($(MAKE_SILENT),)
Q := @
say := @true
else
Q := @
say := @printf '  %-4s %s\n'
endif
export V

# ---- compiler flags ---------------------------------------------------------
CSTD := -std=c11
WARNINGS := -Wall -Wextra -Werror -pedantic
ifeq ($(DEBUG),1)
OPTIMIZE := -O0 -g3
VARIANT_DEFS := -DZSLAB_DEBUG=1
else
OPTIMIZE := -O2 -g
VARIANT_DEFS :=
endif
SANITIZERS := $(if $(filter 1,$(SANITIZE)),-fsanitize=address -fsanitize=undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer)

# CFLAGS/LDFLAGS stay free for the user; the project's flags are BASE_*.
BASE_CFLAGS = $(CSTD) $(WARNINGS) $(OPTIMIZE) $(SANITIZERS) $(VARIANT_DEFS) -MMD -MP
BASE_LDFLAGS = $(SANITIZERS)
COMPILE = $(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LINK = $(CC) $(BASE_LDFLAGS) $(LDFLAGS)

# Objects depend on this stamp, which changes when the compiler or the flags
# change, so `make CC=clang` after a gcc build really rebuilds.
FLAGS_STAMP := $(O)/.build-flags
FLAGS_NOW := $(CC) $(BASE_CFLAGS) $(CPPFLAGS) $(CFLAGS) | $(BASE_LDFLAGS) $(LDFLAGS)
$(shell mkdir -p $(O) && { [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" = '$(FLAGS_NOW)' ] || echo '$(FLAGS_NOW)' > $(FLAGS_STAMP); })

# Generic rule: any C file in the tree compiles to $(OBJ)/<same path>.o.
# Fragments add include paths and defines with target-specific CPPFLAGS.
$(OBJ)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(COMPILE) -c $< -o $@

# ---- lists the fragments fill ----------------------------------------------
DEPS := make git gcc clang libclang-rt-14-dev pkgconf clang-format clang-tidy cppcheck shellcheck \
	bats bats-support bats-assert
ALL_TARGETS :=
TEST_SUITES :=
CHECK_TARGETS :=
INSTALL_TARGETS :=
CLEAN_FILES :=

RESULTS := $(TOP)/build/test-results
RUN_SUITE := RESULTS=$(RESULTS) $(TOP)/tests/run-suite
export RESULTS

-include $(sort $(wildcard core/*.mk bench/*.mk nvme-driver/*.mk vm-images/*.mk \
	lab-scripts/*.mk tests/*.mk tests/*/*.mk))

# ---- main targets -----------------------------------------------------------
.PHONY: all deps run test check check-format check-shell install clean help
all: $(ALL_TARGETS)

# The allocator on the host and in a lab VM, the VM's zones, and the plots.
run: deps all image
	@lab-scripts/run-report

# Installs what is missing, and nothing else; apt-get update runs only then.
# Another apt-get holding the lock (a second checkout's make deps) is waited
# for, up to 10 minutes.
deps:
	@missing=$$(for p in $(sort $(DEPS)); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null)" = installed ] || echo "$$p"; \
	done); \
	[ -z "$$missing" ] && exit 0; \
	missing=$$(echo $$missing); \
	echo "deps: installing $$missing"; \
	if [ "$$(id -u)" != 0 ]; then echo "deps: run as root, or: sudo apt-get install $$missing" >&2; exit 1; fi; \
	mkdir -p build; \
	if ! { apt-get update -q -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q -o DPkg::Lock::Timeout=600 $$missing; } \
		> build/deps.log 2>&1; then \
		tail -n 20 build/deps.log >&2; echo "deps: apt-get failed for: $$missing (log: build/deps.log)" >&2; exit 1; fi

# Every suite runs, even after a failure; the last line is the grand total.
test: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) -s --no-print-directory -k $(addprefix test-,$(or $(SUITES),$(TEST_SUITES))) || true
	@tests/summary $(RESULTS) $(or $(SUITES),$(TEST_SUITES))

check: check-format check-shell $(CHECK_TARGETS)
	@echo "check: all linters passed"

# Every C file the project tracks (or is about to).
C_FILES = $(shell git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
check-format:
	@clang-format --dry-run --Werror $(C_FILES) && echo "check-format: $(words $(C_FILES)) files clean"

# Shell scripts are found by name or by their #! line, so none is forgotten.
SHELL_FILES = $(shell git ls-files --cached --others --exclude-standard | while read -r f; do \
	[ -f "$$f" ] || continue; case "$$f" in (*.sh|*.bash|*.bats) echo "$$f"; continue;; esac; \
	head -c 64 "$$f" | grep -qE '^\#!.*(ba)?sh' && echo "$$f"; done)
check-shell:
	@shellcheck -x $(SHELL_FILES) && echo "check-shell: $(words $(SHELL_FILES)) scripts clean"

PREFIX ?= /usr/local
DESTDIR ?=
install: $(INSTALL_TARGETS)

clean:
	rm -rf build $(CLEAN_FILES)

help:
	@echo "make [all]     build the libraries and tools into $(O)/"
	@echo "make run       build everything and show the allocator and the lab at work"
	@echo "make test      install what is missing, run every suite; ends 'N passed, N failed'"
	@echo "make check     linters: clang-format, shellcheck, $(CHECK_TARGETS)"
	@echo "make bench     benchmarks (measure and report; never asserted)"
	@echo "make deps      apt-get install what the project needs, if missing"
	@echo "make install   PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "suites: $(TEST_SUITES)"

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
