# tests/model: `zns-model`, the host side of the randomized model check
# (issue 4).  Built into $(O)/bin-host, not $(BIN): it runs on the host, and
# only what is in $(BIN) goes into the guest image.  The cli-zns suite tests it.

HOST_BIN := $(O)/bin-host
ZNS_MODEL := $(HOST_BIN)/zns-model
ZNS_MODEL_OBJS := $(OBJ)/tests/model/zns_model.o $(OBJ)/tests/lib/zdev_model.o \
	$(OBJ)/tests/lib/zdev_model_crash.o \
	$(OBJ)/$(DRIVER_DIR)/tool/zns_out.o

$(OBJ)/tests/model/zns_model.o: CPPFLAGS += $(DRIVER_INC) -Itests/lib -I$(DRIVER_DIR)/src \
	-I$(DRIVER_DIR)/tool

$(ZNS_MODEL): $(ZNS_MODEL_OBJS) $(LIBZNS)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -pthread -o $@ $(ZNS_MODEL_OBJS) $(LIBZNS)

.PHONY: zns-model
zns-model: $(ZNS_MODEL)
ALL_TARGETS += zns-model
