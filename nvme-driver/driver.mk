# nvme-driver/: the ZNS driver library (libzns.a) and the `zns` tool.
#
#   make zns                 build $(LIB)/libzns.a and $(BIN)/zns
#   make check-exports-driver   exported symbols of libzns == zns.h's API
#
# libnvme 1.3 links with plain -lnvme: `pkg-config --libs libnvme` fails on
# Debian 12 (its .pc names json-c and openssl .pc files that are not there).

DEPS += libnvme-dev nvme-cli jq

DRIVER_DIR := nvme-driver
DRIVER_INC := -I$(DRIVER_DIR)/include -Icore/include -D_DEFAULT_SOURCE
DRIVER_LIB_SRCS := $(wildcard $(DRIVER_DIR)/src/*.c)
DRIVER_LIB_OBJS := $(DRIVER_LIB_SRCS:%.c=$(OBJ)/%.o)
DRIVER_TOOL_SRCS := $(wildcard $(DRIVER_DIR)/tool/*.c)
DRIVER_TOOL_OBJS := $(DRIVER_TOOL_SRCS:%.c=$(OBJ)/%.o)
LIBZNS := $(LIB)/libzns.a
NVME_LIBS := -lnvme

$(DRIVER_LIB_OBJS) $(DRIVER_TOOL_OBJS): CPPFLAGS += $(DRIVER_INC)
$(DRIVER_TOOL_OBJS): CPPFLAGS += -I$(DRIVER_DIR)/src

$(LIBZNS): $(DRIVER_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN)/zns: $(DRIVER_TOOL_OBJS) $(LIBZNS)
	@mkdir -p $(@D)
	$(LINK) -o $@ $(DRIVER_TOOL_OBJS) $(LIBZNS) $(NVME_LIBS)

.PHONY: zns check-exports-driver
zns: $(LIBZNS) $(BIN)/zns
ALL_TARGETS += zns

# Every global symbol libzns defines is either declared in zns.h or an
# internal _zns_* name, and every function zns.h declares is defined: the
# header and the library cannot drift apart.
check-exports-driver: $(LIBZNS)
	@$(DRIVER_DIR)/check-exports $(LIBZNS) $(DRIVER_DIR)/include/zns.h
CHECK_TARGETS += check-exports-driver
