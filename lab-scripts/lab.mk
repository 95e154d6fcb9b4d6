# lab-scripts/lab.mk: the zns-lab CLI and its benchmark.
#
#   make bench-lab   reports (never asserts): the median of `zns-lab run -- true`
#                    over 10 runs, the guest's boot (its uptime at the command,
#                    median of 5), `make image` from a warm apt cache, and the
#                    e2e suite's duration.  Log: build/bench/lab.txt

ZNS_LAB := lab-scripts/zns-lab
DEPS += qemu-system-x86 coreutils util-linux hyperfine jq parallel gnuplot-nox

.PHONY: bench-lab
bench-lab: image
	@lab-scripts/bench-lab
