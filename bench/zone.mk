# bench/zone.mk - `make bench-zone` (part of `make bench`): the zone store in
# the lab, reported, never asserted.  Scripts and the greedy reclaim model are
# in bench/zone/.  Report: build/bench/zone.txt; zone map: build/bench/zone/*/zone-map.png.

DEPS += gnuplot-nox jq

GREEDY_SIM := $(O)/bin-host/greedy-sim

$(GREEDY_SIM): $(OBJ)/bench/zone/greedy_sim.o
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(LINK) -o $@ $^

.PHONY: bench-zone greedy-sim
greedy-sim: $(GREEDY_SIM)
ALL_TARGETS += greedy-sim

bench-zone: image $(GREEDY_SIM)
	@GREEDY_SIM=$(abspath $(GREEDY_SIM)) bench/zone/bench-zone
bench: bench-zone
