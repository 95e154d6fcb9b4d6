# vm-images/image.mk: `make image` builds the lab's guest into build/vm/ from
# Debian packages (vm-images/build-image says how).  The recipe always runs
# and decides itself whether anything changed: its inputs are package
# versions and file contents, which make's timestamps cannot see.
# FORCE_IMAGE=1 rebuilds anyway.  Downloaded .debs stay in build/.cache/debs.
#
#   make image IMAGE_DIR=DIR          build into DIR (zns-lab --image-dir DIR)
#   make image EXTRA_TOOLS="strace @procps"
#                                     more host programs on the guest's PATH:
#                                     a program, or @PACKAGE for all of a
#                                     package's programs
#   make image EXTRA_TOOLS_LIST=FILE  more lines in vm-images/tools.list's format
# Extra tools come from the host: install their packages first.

IMAGE_DIR := build/vm
IMAGE_CACHE := build/.cache/debs
EXTRA_TOOLS ?=
EXTRA_TOOLS_LIST ?=

DEPS += apt dpkg busybox-static nvme-cli util-linux fio zbd-utils squashfs-tools xz-utils zstd \
	bash grep sed gawk coreutils

.PHONY: image
image: all
	@mkdir -p build && flock build/.image.lock \
		vm-images/build-image --out $(IMAGE_DIR) --cache $(IMAGE_CACHE) --bin $(BIN) \
		$(if $(strip $(EXTRA_TOOLS)),--extra-tools '$(strip $(EXTRA_TOOLS))') \
		$(if $(strip $(EXTRA_TOOLS_LIST)),--extra-tools-list '$(abspath $(EXTRA_TOOLS_LIST))') \
		$(if $(filter 1,$(FORCE_IMAGE)),--force)
