# cdf.gp - one workload's latency CDFs, one panel per call (alloc, first
# write, free), one line per allocator, log x-axis.
#   gnuplot -e "base='DIR/anchors-cdf-seed'; title='a. seed'; out='X.png'; ncols=6" cdf.gp
# base-OP.tsv (OP = alloc, touch, free), written by zslab-anchors: column 1
# is the CDF point on a "nines" axis (p50 = 0.3, p90 = 1, p99 = 2, ...; the
# last row is the maximum), then one column per allocator, latency in ns
# (median over the runs at that point; the timer floor is included).
set terminal pngcairo size 1500,520 font ",10" noenhanced
set output out
set datafile separator "\t"
set datafile missing "NaN"
set multiplot layout 1,3 title title." - latency CDF (median of the runs; timer floor included, not subtracted)"
set logscale x
set grid xtics ytics
set xlabel "latency, ns (log)"
set ylabel "fraction of calls at or below"
set ytics ("min" 0, "p50" 0.30103, "p90" 1, "p99" 2, "p99.9" 3, "p99.99" 4, "p99.999" 5)
set yrange [0:*]
set key bottom right
ops = "alloc touch free"
names = "alloc first-write free"
do for [i = 1:3] {
    set title word(names, i)
    file = base."-".word(ops, i).".tsv"
    plot for [c = 2:ncols] file using c:1 with linespoints lw 2 pt 7 ps 0.4 title columnheader(c)
}
unset multiplot
