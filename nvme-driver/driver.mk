# nvme-driver/: the ZNS driver library (libzns.a), the `zns` tool and
# `zns-bench`.
#
#   make zns                 build $(LIB)/libzns.a, $(BIN)/zns and $(BIN)/zns-bench
#   make check-exports-driver   exported symbols of libzns == zns.h's API
#   make bench-driver        libzns vs fio: sequential writes at 64 KiB, QD 1,
#                            in a lab VM; reported, never asserted (part of
#                            `make bench`; report: build/bench/driver.txt)
#
# libnvme 1.3 links with plain -lnvme: `pkg-config --libs libnvme` fails on
# Debian 12 (its .pc names json-c and openssl .pc files that are not there).
#
# The tools are linked statically (libnvme.a, libc.a): in the lab's TCG guest
# a dynamically linked zns spends ~65 ms of its ~76 ms per run in the dynamic
# loader (libnvme pulls in libcrypto and json-c); static, a run takes ~12 ms,
# which is what makes 2,000-op model checks and 4,000-append tests quick.
# Sanitizer builds cannot link statically: they stay dynamic.

# liburing-dev: the asynchronous Zone Append (zns_uring.c, io_uring NVMe
# passthrough); linked statically like libnvme, so the guest needs no library.
DEPS += libnvme-dev liburing-dev nvme-cli jq

DRIVER_DIR := nvme-driver
DRIVER_INC := -I$(DRIVER_DIR)/include -Icore/include -D_DEFAULT_SOURCE
DRIVER_LIB_SRCS := $(wildcard $(DRIVER_DIR)/src/*.c)
DRIVER_LIB_OBJS := $(DRIVER_LIB_SRCS:%.c=$(OBJ)/%.o)
DRIVER_TOOL_SRCS := $(wildcard $(DRIVER_DIR)/tool/*.c)
DRIVER_TOOL_OBJS := $(DRIVER_TOOL_SRCS:%.c=$(OBJ)/%.o)
DRIVER_BENCH_OBJS := $(OBJ)/$(DRIVER_DIR)/bench/zns_bench.o
LIBZNS := $(LIB)/libzns.a
NVME_LIBS := -lnvme -luring
DRIVER_STATIC := $(if $(filter 1,$(SANITIZE)),,-static)

$(DRIVER_LIB_OBJS) $(DRIVER_TOOL_OBJS) $(DRIVER_BENCH_OBJS): CPPFLAGS += $(DRIVER_INC)
$(DRIVER_TOOL_OBJS): CPPFLAGS += -I$(DRIVER_DIR)/src

$(LIBZNS): $(DRIVER_LIB_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# This file is a prerequisite so a change of the link (static or not) relinks.
# `zns store` runs the zone store of libzslab (core and Linux platform).
$(BIN)/zns: $(DRIVER_TOOL_OBJS) $(LIBZNS) $(LIBZSLAB_A) $(DRIVER_DIR)/driver.mk
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) $(DRIVER_STATIC) -o $@ $(DRIVER_TOOL_OBJS) $(LIBZNS) $(LIBZSLAB_A) $(NVME_LIBS) \
		-pthread

$(BIN)/zns-bench: $(DRIVER_BENCH_OBJS) $(LIBZNS) $(DRIVER_DIR)/driver.mk
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) $(DRIVER_STATIC) -o $@ $(DRIVER_BENCH_OBJS) $(LIBZNS) $(NVME_LIBS)

.PHONY: zns check-exports-driver bench-driver
zns: $(LIBZNS) $(BIN)/zns $(BIN)/zns-bench
ALL_TARGETS += zns

# The image holds zns and zns-bench (every executable of $(BIN)).
bench-driver: image
	@$(DRIVER_DIR)/bench/bench-driver
bench: bench-driver

# Every global symbol libzns defines is either declared in zns.h or an
# internal _zns_* name, and every function zns.h declares is defined: the
# header and the library cannot drift apart.
check-exports-driver: $(LIBZNS)
	@$(DRIVER_DIR)/check-exports $(LIBZNS) $(DRIVER_DIR)/include/zns.h
CHECK_TARGETS += check-exports-driver
