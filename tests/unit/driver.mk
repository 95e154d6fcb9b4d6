# Host tests of nvme-driver/ (suite unit-driver): no device, no VM.
#   - test_zns_driver: the library against a fake controller at the ioctl
#     boundary (fake_nvme.c defines ioctl(); libnvme.so's calls bind to it),
#     checking every encoded command dword, pagination and status decoding;
#   - test_zdev_model: the in-memory ZNS model (tests/lib) on its own;
#   - test_zns_cli: the zns tool's parser and JSON escaping.
# Host CLI tests of the built tool are the cli-zns suite (tests/cli).

DEPS += libcmocka-dev

UNIT_DRIVER_DIR := tests/unit/driver
UNIT_DRIVER_BIN := $(O)/tests/unit-driver
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(OBJ)/%.o)
FAKE_NVME_OBJ := $(OBJ)/$(UNIT_DRIVER_DIR)/fake_nvme.o
UNIT_DRIVER_TESTS := test_zns_driver test_zdev_model test_zns_cli
UNIT_DRIVER_EXES := $(addprefix $(UNIT_DRIVER_BIN)/,$(UNIT_DRIVER_TESTS))

$(TESTLIB_OBJS) $(OBJ)/$(UNIT_DRIVER_DIR)/%.o: CPPFLAGS += $(DRIVER_INC) -Itests/lib \
	-I$(DRIVER_DIR)/src -I$(DRIVER_DIR)/tool

$(UNIT_DRIVER_BIN)/test_zns_driver: $(OBJ)/$(UNIT_DRIVER_DIR)/test_zns_driver.o \
		$(OBJ)/$(UNIT_DRIVER_DIR)/test_zns_io.o $(FAKE_NVME_OBJ) $(TESTLIB_OBJS) $(LIBZNS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -pthread -o $@ $(filter %.o,$^) $(LIBZNS) $(NVME_LIBS) -lcmocka

$(UNIT_DRIVER_BIN)/test_zdev_model: $(OBJ)/$(UNIT_DRIVER_DIR)/test_zdev_model.o $(TESTLIB_OBJS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^ -lcmocka

$(UNIT_DRIVER_BIN)/test_zns_cli: $(OBJ)/$(UNIT_DRIVER_DIR)/test_zns_cli.o \
		$(OBJ)/$(DRIVER_DIR)/tool/zns_cli.o $(OBJ)/$(DRIVER_DIR)/tool/zns_usage.o \
		$(OBJ)/$(DRIVER_DIR)/tool/zns_out.o $(LIBZNS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $(filter %.o,$^) $(LIBZNS) -lcmocka

.PHONY: test-unit-driver unit-driver
unit-driver: $(UNIT_DRIVER_EXES)
TEST_SUITES += unit-driver
test-unit-driver: $(UNIT_DRIVER_EXES)
	@$(RUN_SUITE) unit-driver $(UNIT_DRIVER_DIR)/run-tests $(UNIT_DRIVER_EXES)
