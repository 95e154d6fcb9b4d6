# vm-images/image.mk: `make image` builds the lab's guest into build/vm/ from
# Debian packages (vm-images/build-image says how).  The recipe always runs
# and decides itself whether anything changed: its inputs are package
# versions and file contents, which make's timestamps cannot see.
# FORCE_IMAGE=1 rebuilds anyway.  Downloaded .debs stay in build/.cache/debs.

IMAGE_DIR := build/vm
IMAGE_CACHE := build/.cache/debs

DEPS += apt dpkg busybox-static nvme-cli util-linux fio zbd-utils squashfs-tools xz-utils zstd

.PHONY: image
image: all
	@mkdir -p build && flock build/.image.lock \
		vm-images/build-image --out $(IMAGE_DIR) --cache $(IMAGE_CACHE) --bin $(BIN) \
		$(if $(filter 1,$(FORCE_IMAGE)),--force)
