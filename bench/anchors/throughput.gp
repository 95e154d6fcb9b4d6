# throughput.gp - Mops/s per workload and allocator: median bars, min-max
# error bars, log y-axis (the workloads differ by 100x).
#   gnuplot -e "file='DIR/anchors-throughput.tsv'; out='X.png'; nalloc=5" throughput.gp
# The file (zslab-anchors): column 1 the workload, then per allocator three
# columns: median, min, max.
set terminal pngcairo size 1200,560 font ",10" noenhanced
set output out
set datafile separator "\t"
set datafile missing "NaN"
set title "Throughput: allocations + frees per second, first writes included (median of the runs, min-max bars)"
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.1:*]
set ylabel "Mops/s (log)"
set grid ytics
set key outside right top
plot for [i = 0:nalloc - 1] file using (column(2 + 3 * i)):(column(3 + 3 * i)):(column(4 + 3 * i)):xtic(1) title columnheader(2 + 3 * i)
