# latency-curve.gp - benchmark_accurate's latency by percentile, host and lab
# VM side by side.  gnuplot -e "host='H.tsv'; guest='G.tsv'; out='X.png'" this
# Columns of the .tsv files (benchmark_accurate --curve): quantile,
# 1/(1-quantile), alloc_ns, free_ns.
set terminal pngcairo size 1000,600 font ",10" noenhanced
set output out
set title "benchmark_accurate: latency by percentile (128 B objects, net of timer overhead)"
set logscale xy
set xlabel "percentile"
set ylabel "latency, ns"
set xtics ("p50" 2, "p90" 10, "p99" 100, "p99.9" 1000, "p99.99" 10000, "p99.999" 100000)
set grid xtics ytics mytics
set key bottom right
plot host  using 2:3 with linespoints lw 2 title "alloc, host", \
     host  using 2:4 with linespoints lw 2 title "free, host", \
     guest using 2:3 with linespoints dt 2 title "alloc, lab VM (TCG: emulated time)", \
     guest using 2:4 with linespoints dt 2 title "free, lab VM (TCG: emulated time)"
